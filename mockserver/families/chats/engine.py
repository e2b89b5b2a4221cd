"""What the server's `chat()` yields for one question, and how a turn is written into a session (no transport)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from mockserver.core.answer_text import pieces_of
from mockserver.core.errors import RagflowError
from mockserver.core.python_failures import from_exception, key_error, no_attribute
from mockserver.core.search import count_tokens
from mockserver.families.chats.answers import Answer, AnswerEngine, AnswerSettings
from mockserver.families.chats.errors import ChatFailure as ChatFailure
from mockserver.families.chats.models import Chat
from mockserver.state.backend import TenantBackend

EMISSION_TOKENS = 16
"""The server emits an intermediate event once at least this many new tokens have accumulated."""
EMBEDDING_MISMATCH = "**ERROR**: Knowledge bases use different embedding models."
_TIMINGS = (
    "Total",
    "Check LLM",
    "Check Langfuse tracer",
    "Create retriever",
    "Bind embedding",
    "Bind LLM",
    "Multi-turn optimization",
    "Bind reranker",
    "Generate keyword",
    "Retrieval",
    "Generate answer",
)


@dataclass
class ChatEvent:
    """One answer object as `chat()` yields it (before `id`/`session_id` are added) and the tokens it carries."""

    data: dict[str, Any]
    tokens: int = 0


@dataclass
class Turn:
    """A question being answered in a session: the stored lists it will write back, and the message id."""

    message: list[dict[str, Any]]
    reference: list[Any]
    message_id: str
    session_id: str
    created_at: float
    answer: Answer | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(
        cls, stored_messages: list[dict[str, Any]], stored_reference: list[Any], question: Any, **ids: Any
    ) -> Turn:
        """Append the user turn and the placeholders, as the completion endpoints do before answering."""
        message = copy.deepcopy(stored_messages)
        reference = copy.deepcopy(stored_reference) if stored_reference else []
        message.append({"content": question, "role": "user", "id": ids["message_id"]})
        message.append({"role": "assistant", "content": "", "id": ids["message_id"]})
        reference.append({"chunks": [], "doc_aggs": []})
        return cls(message, reference, ids["message_id"], ids["session_id"], ids["created_at"])

    def history(self) -> list[dict[str, Any]]:
        """What the model sees: system messages and leading assistant messages dropped, placeholder excluded."""
        kept: list[dict[str, Any]] = []
        for m in self.message[:-1]:
            if m.get("role") == "system" or (m.get("role") == "assistant" and not kept):
                continue
            kept.append(m)
        return kept

    def structure(self, ans: dict[str, Any]) -> dict[str, Any]:
        """The server's `structure_answer`: add ids, write the answer and its reference into the stored lists."""
        reference = ans.get("reference")
        if not isinstance(reference, dict):
            reference = {}
            ans["reference"] = {}
        reference["chunks"] = list(reference.get("chunks", []))
        ans["id"] = self.message_id
        ans["session_id"] = self.session_id
        self.message[-1] = {
            "role": "assistant",
            "content": ans["answer"],
            "created_at": self.created_at,
            "id": self.message_id,
        }
        self.reference[-1] = copy.deepcopy(reference)
        return ans


def is_solo(chat: Chat) -> bool:
    """A chat without datasets (and no web search key) answers without retrieval."""
    config = chat.prompt_config if isinstance(chat.prompt_config, dict) else {}
    return not chat.kb_ids and not config.get("tavily_api_key")


def chat_events(
    tenant: TenantBackend, chat: Chat, question: str, kwargs: dict[str, Any], engine: AnswerEngine, *, stream: bool
) -> tuple[list[ChatEvent], Answer | None]:
    """The answer objects the server's `chat()` yields for `question` (createChatCompletion, createChatbotCompletion,
    createOpenaiChatCompletion and the legacy completions); raises `ChatFailure` where it raises."""
    config = chat.prompt_config
    now = tenant.clock.now()
    settings = answer_settings(chat, kwargs, use_knowledge=True)
    if is_solo(chat):
        answer = engine.answer(tenant, question, [], settings)
        extra = {"prompt": "", "created_at": now}
        return _model_events(answer.full_text, stream, extra), answer
    datasets = [tenant.datasets.get(i) for i in chat.kb_ids if isinstance(i, str)]
    if len({d.embd_id for d in datasets if d is not None}) != 1:
        return [ChatEvent({"answer": EMBEDDING_MISMATCH, "reference": []})], None
    document_ids: tuple[str, ...] = ()
    if "doc_ids" in kwargs:
        if not isinstance(kwargs["doc_ids"], str):
            raise ChatFailure.of(no_attribute(kwargs["doc_ids"], "split"))
        document_ids = tuple(kwargs["doc_ids"].split(","))
    parameters = config.get("parameters") or []
    variables = dict(kwargs)
    for parameter in parameters:
        key = parameter.get("key") if isinstance(parameter, dict) else None
        if key == "knowledge":
            continue
        if key not in kwargs and not parameter.get("optional"):
            raise ChatFailure.of(key_error(f"Miss parameter: {key}"))
        if key not in kwargs:
            variables[str(key)] = " "
    use_knowledge = any(isinstance(p, dict) and p.get("key") == "knowledge" for p in parameters)
    settings = answer_settings(chat, kwargs, use_knowledge=use_knowledge, document_ids=document_ids)
    try:
        answer = engine.answer(tenant, question, [d.id for d in datasets if d is not None], settings)
    except RagflowError as err:
        raise ChatFailure("Exception", err.message) from None
    if answer.empty:
        prompt = f"\n\n### Query:\n{question}"
        reference = answer.retrieval or answer.reference
        return [
            ChatEvent({"answer": answer.text, "reference": reference, "prompt": prompt, "audio_binary": None})
        ], answer
    system = _system_prompt(config.get("system", ""), variables, answer)
    final: dict[str, Any] = {
        "answer": answer.full_text,
        "reference": answer.reference or [],
        "prompt": debug_prompt(system, question, answer.full_text),
        "created_at": now,
    }
    if not stream:
        return [ChatEvent({**final, "audio_binary": None})], answer
    return [*_model_events(answer.full_text, stream, {}), ChatEvent(final)], answer


def answer_settings(
    chat: Chat,
    kwargs: dict[str, Any],
    *,
    use_knowledge: bool,
    document_ids: tuple[str, ...] = (),
    quote_default: bool = True,
) -> AnswerSettings:
    """The answer engine's settings for one turn of `chat`; `quote` as the request's kwargs give it (or the default)."""
    config = chat.prompt_config if isinstance(chat.prompt_config, dict) else {}
    return AnswerSettings(
        chat_id=chat.id,
        chat_name=chat.name,
        top_n=chat.top_n,
        top_k=chat.top_k,
        similarity_threshold=chat.similarity_threshold,
        vector_similarity_weight=chat.vector_similarity_weight,
        rerank_id=chat.rerank_id or "",
        document_ids=document_ids,
        quote=bool(config.get("quote", True)) and bool(kwargs.get("quote", quote_default)),
        empty_response=config.get("empty_response") or None,
        use_knowledge=use_knowledge,
    )


def _model_events(text: str, stream: bool, extra: dict[str, Any]) -> list[ChatEvent]:
    """The model's cumulative answers at the server's cadence (≥16 new tokens, then the remainder)."""
    if not stream:
        return [ChatEvent({"answer": text, "reference": {}, "audio_binary": None, **extra})]
    return [
        ChatEvent({"answer": cumulative, "reference": {}, "audio_binary": None, **extra}, tokens)
        for cumulative, tokens in cadence(text)
    ]


def cadence(text: str) -> list[tuple[str, int]]:
    """Cumulative texts the server emits while the model streams `text`, with the new tokens of each."""
    steps: list[tuple[str, int]] = []
    emitted = cumulative = ""
    for piece in pieces_of(text):
        cumulative += piece
        tokens = count_tokens(cumulative[len(emitted) :])
        if tokens >= EMISSION_TOKENS:
            steps.append((cumulative, tokens))
            emitted = cumulative
    if cumulative[len(emitted) :]:
        steps.append((cumulative, count_tokens(cumulative[len(emitted) :])))
    return steps


def _system_prompt(system: Any, variables: dict[str, Any], answer: Answer) -> str:
    """The system prompt with `{knowledge}` and the variables filled in (`str.format`, as the server does)."""
    knowledge = "\n------\n".join(f"ID: {i}\n{content}" for i, content in enumerate(answer.knowledge))
    try:
        return str(system).format(**{**variables, "knowledge": knowledge})
    except (KeyError, IndexError, ValueError) as exc:
        raise ChatFailure.of(from_exception(exc)) from None


def debug_prompt(system: str, question: str, answer_text: str) -> str:
    """The opaque `prompt` debug text of a final event (system prompt, query, timings, token usage)."""
    timings = "".join(f"\n  - {name}: 0.0ms" for name in _TIMINGS)
    tokens = count_tokens(answer_text)
    text = (
        f"{system}\n\n### Query:\n{question}\n\n## Time elapsed:{timings}"
        f"\n\n## Token usage:\n  - Generated tokens(approximately): {tokens}\n  - Token speed: {tokens}/s"
    )
    return text.replace("\n", "  \n")
