"""The system model catalog the server checks model ids against (factories and their models)."""

from __future__ import annotations

BUILTIN_EMBEDDING_MODELS = frozenset({"BAAI/bge-large-zh-v1.5@BAAI", "maidalun1020/bce-embedding-base_v1@Youdao"})
"""Embedding models every tenant may use without configuring an API key."""

EMBEDDING_MODELS: dict[str, tuple[str, ...]] = {
    "OpenAI": ("text-embedding-ada-002", "text-embedding-3-small", "text-embedding-3-large"),
    "Tongyi-Qianwen": ("text-embedding-v2", "text-embedding-v3"),
    "ZHIPU-AI": ("embedding-2", "embedding-3"),
    "Youdao": ("maidalun1020/bce-embedding-base_v1",),
    "BaiChuan": ("Baichuan-Text-Embedding",),
    "Jina": (
        "jina-embeddings-v2-base-en",
        "jina-embeddings-v2-base-de",
        "jina-embeddings-v2-base-es",
        "jina-embeddings-v2-base-code",
        "jina-embeddings-v2-base-zh",
        "jina-embeddings-v3",
    ),
    "BAAI": ("BAAI/bge-large-zh-v1.5",),
    "Mistral": ("mistral-embed",),
    "Azure-OpenAI": ("text-embedding-ada-002", "text-embedding-3-small", "text-embedding-3-large"),
    "Gemini": ("text-embedding-004", "embedding-001"),
    "NVIDIA": (
        "BAAI/bge-m3",
        "BAAI/bge-m3-unsupervised",
        "BAAI/bge-m3-retromae",
        "BAAI/bge-large-en-v1.5",
        "BAAI/bge-base-en-v1.5",
        "BAAI/bge-small-en-v1.5",
        "nvidia/embed-qa-4",
        "nvidia/llama-3.2-nv-embedqa-1b-v1",
        "nvidia/llama-3.2-nv-embedqa-1b-v2",
        "nvidia/nvclip",
        "nvidia/nv-embed-v1",
        "nvidia/nv-embedqa-e5-v5",
        "nvidia/nv-embedqa-mistral-7b-v2",
        "nvidia/rerank-qa-mistral-4b",
        "snowflake-arctic-embed-xs",
        "snowflake-arctic-embed-s",
        "snowflake-arctic-embed-m",
        "snowflake-arctic-embed-m-long",
        "snowflake-arctic-embed-l",
    ),
    "Cohere": (
        "embed-english-v3.0",
        "embed-english-light-v3.0",
        "embed-multilingual-v3.0",
        "embed-multilingual-light-v3.0",
        "embed-english-v2.0",
        "embed-english-light-v2.0",
        "embed-multilingual-v2.0",
    ),
    "PerfXCloud": ("BAAI/bge-large-en-v1.5", "BAAI/bge-large-zh-v1.5", "BAAI/bge-m3"),
    "Upstage": ("solar-embedding-1-large-query", "solar-embedding-1-large-passage"),
    "NovitaAI": ("baai/bge-m3",),
    "SILICONFLOW": (
        "BAAI/bge-m3",
        "BAAI/bge-large-en-v1.5",
        "BAAI/bge-large-zh-v1.5",
        "netease-youdao/bce-embedding-base_v1",
    ),
    "Voyage AI": (
        "voyage-large-2-instruct",
        "voyage-finance-2",
        "voyage-multilingual-2",
        "voyage-law-2",
        "voyage-code-2",
        "voyage-large-2",
        "voyage-2",
        "voyage-3",
        "voyage-3-lite",
    ),
}
"""Embedding models of the catalog at the emulated commit, per factory."""

KNOWN_FACTORIES: set[str] = set(EMBEDDING_MODELS)
"""Factory names known to the catalog (families add chat/rerank factories to this set)."""


def split_model_id(model_id: str) -> tuple[str, str | None]:
    """Split `model@factory` at the last `@`, but only when the factory is a known name (exact case)."""
    name, sep, factory = model_id.rpartition("@")
    if sep and factory in KNOWN_FACTORIES:
        return name, factory
    return model_id, None


def is_catalog_embedding(model_id: str) -> bool:
    """Whether (model, factory, embedding) is in the catalog; model names compare case-insensitively."""
    name, factory = split_model_id(model_id)
    if factory is None:
        return False
    return name.lower() in {m.lower() for m in EMBEDDING_MODELS.get(factory, ())}
