"""The model-provider catalog of `/v1/llm`: the 47 factories, their tags and their catalog models.

ZHIPU-AI is the reference's exact catalog; the other factories carry a representative subset of the
server's `conf/llm_factories.json` (names, kinds and context sizes), enough for `set_api_key`,
`my_llms`, `factories` and `list` to behave like the server. Embedding models come from `catalog.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.core.catalog import EMBEDDING_MODELS, KNOWN_FACTORIES
from mockserver.core.pagination import collation_key

MODEL_TYPES = ("chat", "embedding", "rerank", "image2text", "speech2text", "tts")
"""Every model kind; also what `factories` reports for a factory with no catalog models."""
HIDDEN_FACTORIES = frozenset({"Youdao", "FastEmbed", "BAAI"})
"""Built-in local factories that `/v1/llm/factories` leaves out."""
SELF_HOSTED_FACTORIES = frozenset(
    {"Youdao", "FastEmbed", "BAAI", "Ollama", "Xinference", "LocalAI", "LM-Studio", "GPUStack"}
)
"""Factories whose models `/v1/llm/list` reports available without a key."""

_TYPE_TAGS = {
    "chat": "LLM,CHAT",
    "embedding": "TEXT EMBEDDING",
    "rerank": "RE-RANK",
    "image2text": "LLM,CHAT,IMAGE2TEXT",
    "speech2text": "SPEECH2TEXT",
    "tts": "TTS",
}


@dataclass(frozen=True)
class CatalogModel:
    """One catalog row (`llm` table): factory, name, kind, context size and tags."""

    fid: str
    llm_name: str
    model_type: str
    max_tokens: int
    tags: str
    is_tools: bool = False


@dataclass(frozen=True)
class Factory:
    """One provider (`llm_factories` row) and its catalog models."""

    name: str
    tags: str
    models: tuple[CatalogModel, ...]

    @property
    def model_types(self) -> list[str]:
        """Distinct kinds of the factory's models (all kinds when it has none)."""
        kinds = list(dict.fromkeys(m.model_type for m in self.models))
        return kinds or list(MODEL_TYPES)


_Row = tuple[str, str, int]
_TAGS_ALL = "LLM,TEXT EMBEDDING,TEXT RE-RANK,TTS,SPEECH2TEXT,MODERATION"
_ZHIPU_CHAT_TAGS = "LLM,CHAT,"

# factory name -> (factory tags, [(model, kind, max_tokens)]); embedding rows are added from catalog.py.
_RAW: dict[str, tuple[str, list[_Row]]] = {
    "OpenAI": (
        "LLM,TEXT EMBEDDING,TTS,TEXT RE-RANK,SPEECH2TEXT,MODERATION",
        [
            ("gpt-4.1", "chat", 1047576),
            ("gpt-4.1-mini", "chat", 1047576),
            ("gpt-4o-mini", "chat", 128000),
            ("gpt-4o", "chat", 128000),
            ("gpt-3.5-turbo", "chat", 4096),
            ("gpt-3.5-turbo-16k-0613", "chat", 16385),
            ("gpt-4", "chat", 8191),
            ("gpt-4-turbo", "chat", 8191),
            ("gpt-4-32k", "chat", 32768),
            ("o3-mini", "chat", 200000),
            ("whisper-1", "speech2text", 26214400),
            ("tts-1", "tts", 2048),
        ],
    ),
    "xAI": (
        "LLM",
        [("grok-3", "chat", 131072), ("grok-3-mini", "chat", 131072), ("grok-2-vision", "image2text", 32768)],
    ),
    "Tongyi-Qianwen": (
        "LLM,TEXT EMBEDDING,TEXT RE-RANK,SPEECH2TEXT,MODERATION",
        [
            *(
                (name, "chat", size)
                for name, size in (
                    ("qwen-turbo", 8191),
                    ("qwen-max", 8191),
                    ("qwen-plus", 131072),
                    ("qwen-long", 1000000),
                    ("qwen-max-longcontext", 30000),
                    ("qwen-max-1201", 6144),
                    ("qwen-max-2025-01-25", 32768),
                    ("qwq-32b", 131072),
                    ("qwq-plus", 131072),
                    ("qwen3-235b-a22b", 128000),
                    ("qwen3-32b", 128000),
                    ("qwen3-30b-a3b", 128000),
                    ("qwen2.5-72b-instruct", 128000),
                    ("qwen2.5-32b-instruct", 128000),
                    ("qwen2.5-14b-instruct", 128000),
                    ("qwen2.5-7b-instruct", 128000),
                    ("qwen2.5-3b-instruct", 32768),
                    ("qwen2.5-1.5b-instruct", 32768),
                    ("qwen2.5-0.5b-instruct", 32768),
                    ("qwen2-72b-instruct", 128000),
                    ("qwen2-7b-instruct", 128000),
                    ("deepseek-r1", 64000),
                    ("deepseek-v3", 64000),
                    ("qwen-vl-chat-v1", 765),
                )
            ),
            ("qwen-vl-max", "image2text", 765),
            ("qwen-vl-plus", "image2text", 765),
            ("paraformer-realtime-8k-v1", "speech2text", 26214400),
            ("paraformer-realtime-v1", "speech2text", 26214400),
            ("sambert-zhide-v1", "tts", 2048),
            ("cosyvoice-v1", "tts", 2048),
            ("gte-rerank", "rerank", 4000),
        ],
    ),
    "ZHIPU-AI": (
        "LLM,TEXT EMBEDDING,SPEECH2TEXT,MODERATION",
        [
            ("glm-4-plus", "chat", 128000),
            ("glm-4-0520", "chat", 128000),
            ("glm-4", "chat", 128000),
            ("glm-4-airx", "chat", 8000),
            ("glm-4-air", "chat", 128000),
            ("glm-4-flash", "chat", 128000),
            ("glm-4-flashx", "chat", 128000),
            ("glm-4-long", "chat", 1000000),
            ("glm-3-turbo", "chat", 128000),
            ("glm-4-9b", "chat", 8192),
            ("glm-4v", "image2text", 2000),
        ],
    ),
    "Ollama": ("LLM,TEXT EMBEDDING,SPEECH2TEXT,MODERATION", []),
    "Moonshot": (
        "LLM,TEXT EMBEDDING",
        [("moonshot-v1-8k", "chat", 7900), ("moonshot-v1-32k", "chat", 32768), ("moonshot-v1-128k", "chat", 128000)],
    ),
    "FastEmbed": ("TEXT EMBEDDING", [("BAAI/bge-small-en-v1.5", "embedding", 512)]),
    "Xinference": ("LLM,TEXT EMBEDDING,TTS,SPEECH2TEXT,MODERATION,TEXT RE-RANK", []),
    "Youdao": ("TEXT EMBEDDING", [("maidalun1020/bce-reranker-base_v1", "rerank", 512)]),
    "DeepSeek": ("LLM", [("deepseek-chat", "chat", 64000), ("deepseek-reasoner", "chat", 64000)]),
    "VolcEngine": ("LLM, TEXT EMBEDDING, IMAGE2TEXT", []),
    "BaiChuan": (
        "LLM,TEXT EMBEDDING",
        [("Baichuan4", "chat", 128000), ("Baichuan3-Turbo", "chat", 32768), ("Baichuan2-Turbo", "chat", 32768)],
    ),
    "Jina": ("TEXT EMBEDDING, TEXT RE-RANK", [("jina-reranker-v2-base-multilingual", "rerank", 8196)]),
    "BAAI": ("TEXT EMBEDDING, TEXT RE-RANK", [("BAAI/bge-reranker-v2-m3", "rerank", 2048)]),
    "MiniMax": ("LLM", [("abab6.5-chat", "chat", 8192), ("abab6.5s-chat", "chat", 245760)]),
    "Mistral": (
        "LLM,TEXT EMBEDDING",
        [("mistral-large-latest", "chat", 128000), ("mistral-small-latest", "chat", 32000)],
    ),
    "Azure-OpenAI": ("LLM,TEXT EMBEDDING,IMAGE2TEXT", [("gpt-4o", "chat", 128000), ("gpt-4o-mini", "chat", 128000)]),
    "Bedrock": ("LLM,TEXT EMBEDDING", []),
    "Gemini": (
        "LLM,TEXT EMBEDDING,IMAGE2TEXT",
        [
            ("gemini-2.0-flash", "chat", 1048576),
            ("gemini-1.5-pro-latest", "chat", 2097152),
            ("gemini-1.5-flash-latest", "chat", 1048576),
        ],
    ),
    "Groq": ("LLM", [("llama3-70b-8192", "chat", 8192), ("llama3-8b-8192", "chat", 8192)]),
    "OpenRouter": ("LLM,IMAGE2TEXT", []),
    "StepFun": ("LLM", [("step-1-8k", "chat", 8192), ("step-1-32k", "chat", 32768)]),
    "NVIDIA": ("LLM,TEXT EMBEDDING, TEXT RE-RANK", [("meta/llama3-70b-instruct", "chat", 8192)]),
    "LM-Studio": ("LLM,TEXT EMBEDDING,IMAGE2TEXT", []),
    "OpenAI-API-Compatible": ("LLM,TEXT EMBEDDING,TEXT RE-RANK", []),
    "VLLM": ("LLM,TEXT EMBEDDING,TEXT RE-RANK", []),
    "Cohere": ("LLM,TEXT EMBEDDING, TEXT RE-RANK", [("command-r-plus", "chat", 128000), ("command-r", "chat", 128000)]),
    "LeptonAI": ("LLM", [("llama3-8b", "chat", 8192), ("llama3-70b", "chat", 8192)]),
    "TogetherAI": ("LLM,TEXT EMBEDDING,IMAGE2TEXT", []),
    "PerfXCloud": ("LLM,TEXT EMBEDDING", [("Qwen2-72B-Instruct", "chat", 32768)]),
    "Upstage": ("LLM,TEXT EMBEDDING", [("solar-1-mini-chat", "chat", 32768)]),
    "NovitaAI": ("LLM,TEXT EMBEDDING", [("meta-llama/llama-3.1-8b-instruct", "chat", 16384)]),
    "SILICONFLOW": (
        "LLM,TEXT EMBEDDING,TEXT RE-RANK,IMAGE2TEXT",
        [("Qwen/Qwen2.5-7B-Instruct", "chat", 32768), ("BAAI/bge-reranker-v2-m3", "rerank", 8192)],
    ),
    "01.AI": ("LLM,IMAGE2TEXT", [("yi-lightning", "chat", 16384), ("yi-vision", "image2text", 16384)]),
    "Replicate": ("LLM,TEXT EMBEDDING", []),
    "Tencent Hunyuan": ("LLM,IMAGE2TEXT", [("hunyuan-pro", "chat", 32768), ("hunyuan-lite", "chat", 262144)]),
    "XunFei Spark": ("LLM,TTS", [("Spark-Max", "chat", 8192), ("Spark-Lite", "chat", 8192)]),
    "BaiduYiyan": ("LLM,TEXT EMBEDDING,TEXT RE-RANK", [("ERNIE-4.0-8K", "chat", 8192)]),
    "Fish Audio": ("TTS", [("fish-speech-1.5", "tts", 2048)]),
    "Tencent Cloud": ("SPEECH2TEXT", [("16k_zh", "speech2text", 26214400)]),
    "Anthropic": (
        "LLM",
        [
            ("claude-3-7-sonnet-20250219", "chat", 200000),
            ("claude-3-5-sonnet-20241022", "chat", 200000),
            ("claude-3-opus-20240229", "chat", 200000),
            ("claude-3-haiku-20240307", "chat", 200000),
        ],
    ),
    "Voyage AI": ("TEXT EMBEDDING, TEXT RE-RANK", [("rerank-2", "rerank", 16000)]),
    "Google Cloud": ("LLM", []),
    "HuggingFace": ("TEXT EMBEDDING,TEXT RE-RANK", []),
    "GPUStack": ("LLM,TEXT EMBEDDING,TTS,SPEECH2TEXT,TEXT RE-RANK", []),
    "ModelScope": ("LLM", []),
    "LocalAI": ("LLM,TEXT EMBEDDING,IMAGE2TEXT", []),
}

_EMBEDDING_TOKENS = {"ZHIPU-AI": 512, "OpenAI": 8191, "Tongyi-Qianwen": 2048, "Youdao": 512, "BAAI": 1024}


def _model(fid: str, name: str, kind: str, size: int) -> CatalogModel:
    tags = _ZHIPU_CHAT_TAGS if fid == "ZHIPU-AI" and kind == "chat" else _TYPE_TAGS[kind]
    return CatalogModel(fid=fid, llm_name=name, model_type=kind, max_tokens=size, tags=tags)


def _build() -> dict[str, Factory]:
    factories: dict[str, Factory] = {}
    for fid, (tags, rows) in _RAW.items():
        embeddings = [(name, "embedding", _EMBEDDING_TOKENS.get(fid, 8192)) for name in EMBEDDING_MODELS.get(fid, ())]
        models = tuple(_model(fid, n, k, s) for n, k, s in sorted([*rows, *embeddings], key=lambda r: r[0]))
        factories[fid] = Factory(name=fid, tags=tags, models=models)
    return factories


FACTORIES: dict[str, Factory] = _build()
"""Factory name → factory; catalog models ordered by name (the server's primary-key order)."""

KNOWN_FACTORIES.update(FACTORIES)


def factory(name: object) -> Factory | None:
    """The catalog factory with this exact name, if any (non-strings match nothing)."""
    return FACTORIES.get(name) if isinstance(name, str) else None


def catalog_model(name: str, fid: str) -> CatalogModel | None:
    """The catalog row (name, factory), if any."""
    found = factory(fid)
    if found is None:
        return None
    return next((m for m in found.models if m.llm_name == name), None)


def factory_listing(stamps: dict[str, Any]) -> list[dict[str, Any]]:
    """listLlmFactories: every catalog factory but the built-in local ones, in collation order, with `stamps`."""
    shown = sorted(
        (f for f in FACTORIES.values() if f.name not in HIDDEN_FACTORIES), key=lambda f: collation_key(f.name)
    )
    return [
        {"logo": "", "model_types": f.model_types, "name": f.name, "status": "1", "tags": f.tags, **stamps}
        for f in shown
    ]
