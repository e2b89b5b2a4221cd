"""The v0.7.0 conversation rules: the 13-column API4Conversation view, new/read, and one answer turn.

Conversations are the shared API4Conversation rows (`tenant.agent_sessions`, `source` null) that the current
`/v1/api` also serves; this module only decides what v0.7.0 did with them and how its bodies show them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from mockserver.core.errors import DataError, RagflowError
from mockserver.core.python_failures import bad_index, index_out_of_range, item, iterate, key_error, no_attribute
from mockserver.core.search import tokenize
from mockserver.families.agents.sessions import AgentSession
from mockserver.families.chats.answers import AnswerEngine
from mockserver.families.chats.engine import EMBEDDING_MISMATCH, ChatFailure, answer_settings, cadence
from mockserver.families.chats.models import Chat
from mockserver.state.backend import ApiToken, Backends, TenantBackend

CONVERSATION_COLUMNS = (
    "id",
    "dialog_id",
    "user_id",
    "message",
    "reference",
    "tokens",
    "duration",
    "round",
    "thumb_up",
    "create_time",
    "create_date",
    "update_time",
    "update_date",
)
"""API4Conversation at v0.7.0 (no `source`, no `dsl`)."""
NOT_FROM_USER = "The last content of this conversation is not from user."
LIST_HAS_NO_GET = ("AttributeError", "'list' object has no attribute 'get'")
"""What the completion handler hits when `chat()` answers with a list-valued reference."""


def conversation_row(conversation: AgentSession) -> dict[str, Any]:
    """The row as v0.7.0's `to_dict()` shows it (13 columns)."""
    return {column: copy.deepcopy(getattr(conversation, column)) for column in CONVERSATION_COLUMNS}


def new_conversation(tenant: TenantBackend, key: ApiToken, user_id: str) -> dict[str, Any]:
    """v07NewConversation: a conversation of the key's chat holding the chat's prologue (`user_id` unchecked)."""
    chat = tenant.chats.items.get(key.dialog_id or "")
    if chat is None:
        raise DataError("Dialog not found")
    config = chat.prompt_config if isinstance(chat.prompt_config, dict) else {}
    if "prologue" not in config:
        raise key_error("prologue")
    message = [{"role": "assistant", "content": config["prologue"]}]
    conversation = tenant.agent_sessions.create(chat.id, user_id, message, {})
    conversation.source = None
    return conversation_row(conversation)


def find_anywhere(backends: Backends, conversation_id: str) -> AgentSession | None:
    """v07GetConversation: a chat conversation by id in any tenant (the route has no authentication)."""
    for tenant in backends.tenants.values():
        found = tenant.agent_sessions.get(conversation_id)
        if found is not None and found.source != "agent":
            return found
    return None


def read_conversation(backends: Backends, conversation_id: str) -> dict[str, Any]:
    """v07GetConversation: the row, each reference chunk's `docnm_kwd` renamed `doc_name`."""
    conversation = find_anywhere(backends, conversation_id)
    if conversation is None:
        raise DataError("Conversation not found!")
    data = conversation_row(conversation)
    for entry in data["reference"]:
        if isinstance(entry, list):
            raise bad_index(entry, "chunks")
        for chunk in item(entry, "chunks"):
            if isinstance(chunk, dict) and "docnm_kwd" in chunk:
                chunk["doc_name"] = chunk.pop("docnm_kwd")
    return data


def client_messages(messages: Any) -> list[dict[str, Any]]:
    """v07Completion's `msg`: the request's messages without system and leading assistant ones, role + content."""
    kept: list[dict[str, Any]] = []
    for message in iterate(messages):
        role = item(message, "role")
        if role == "system" or (role == "assistant" and not kept):
            continue
        kept.append({"role": role, "content": item(message, "content")})
    if not kept:
        raise index_out_of_range()
    return kept


# -- one answer ---------------------------------------------------------------------------------------
@dataclass
class AnswerEvent:
    """One object v0.7.0's `chat()` yields (`answer`, `reference`) and the tokens it carries (pacing)."""

    data: dict[str, Any]
    tokens: int = 0


def v07_chunk(tenant: TenantBackend, chunk: dict[str, Any]) -> dict[str, Any]:
    """A reference chunk as v0.7.0 sends it (raw retrieval fields, `docnm_kwd` → `doc_name` last)."""
    stored = tenant.chunks.get(chunk["id"])
    return {
        "chunk_id": chunk["id"],
        "content_ltks": " ".join(tokenize(chunk["content"])),
        "content_with_weight": chunk["content"],
        "doc_id": chunk["document_id"],
        "kb_id": chunk["dataset_id"],
        "important_kwd": list(stored.important_kwd) if stored is not None else [],
        "img_id": chunk["image_id"] or "",
        "similarity": chunk["similarity"],
        "vector_similarity": chunk["vector_similarity"],
        "term_similarity": chunk["term_similarity"],
        "positions": chunk["positions"] or [""],
        "doc_name": chunk["document_name"],
    }


def v07_reference(tenant: TenantBackend, found: dict[str, Any]) -> dict[str, Any]:
    """`{"total", "chunks", "doc_aggs"}` of a retrieval in v0.7.0's chunk format."""
    return {
        "total": found.get("total", 0),
        "chunks": [v07_chunk(tenant, c) for c in found.get("chunks", [])],
        "doc_aggs": list(found.get("doc_aggs") or []),
    }


def answer_events(
    tenant: TenantBackend, chat: Chat, question: str, kwargs: dict[str, Any], engine: AnswerEngine, *, stream: bool
) -> list[AnswerEvent]:
    """What v0.7.0's `chat()` yields: partial answers (streamed), then the answer with its full reference.

    Quote off (the default here) inserts no citation markers but still sends every retrieved chunk. A chat
    without datasets, or with datasets of several embedding models, answers the mismatch text with a list
    `reference` (which breaks the handler). Raises `ChatFailure` where `chat()` raises.
    """
    datasets = [tenant.datasets.get(i) for i in chat.kb_ids if isinstance(i, str)]
    if len({d.embd_id for d in datasets if d is not None}) != 1:
        return [AnswerEvent({"answer": EMBEDDING_MISMATCH, "reference": []})]
    config = chat.prompt_config if isinstance(chat.prompt_config, dict) else {}
    for parameter in config.get("parameters") or []:
        key = parameter.get("key") if isinstance(parameter, dict) else None
        if key != "knowledge" and key not in kwargs and not parameter.get("optional"):
            raise ChatFailure.of(key_error(f"Miss parameter: {key}"))
    document_ids: tuple[str, ...] = ()
    if "doc_ids" in kwargs:
        if not isinstance(kwargs["doc_ids"], str):
            raise ChatFailure.of(no_attribute(kwargs["doc_ids"], "split"))
        document_ids = tuple(kwargs["doc_ids"].split(","))
    settings = answer_settings(chat, kwargs, use_knowledge=True, document_ids=document_ids, quote_default=False)
    try:
        answer = engine.answer(tenant, question, [d.id for d in datasets if d is not None], settings)
    except RagflowError as err:
        raise ChatFailure("Exception", err.message) from None
    if answer.empty:
        empty = {"total": 0, "chunks": [], "doc_aggs": []}
        return [AnswerEvent({"answer": answer.text, "reference": empty})]
    cited = answer.reference if settings.quote and answer.reference else answer.retrieval
    final = AnswerEvent({"answer": answer.full_text, "reference": v07_reference(tenant, cited or {})})
    if not stream:
        return [final]
    partials = [AnswerEvent({"answer": text, "reference": {}}, tokens) for text, tokens in cadence(answer.full_text)]
    return [*partials, final]


class V07Turn:
    """A question being answered: the lists v0.7.0 writes back (no message ids), `round` + 1 on save."""

    def __init__(self, tenant: TenantBackend, conversation: AgentSession, question: dict[str, Any]) -> None:
        self.tenant, self.conversation = tenant, conversation
        self.message = [*copy.deepcopy(conversation.message), question, {"role": "assistant", "content": ""}]
        self.reference = [*copy.deepcopy(conversation.reference), {"chunks": [], "doc_aggs": []}]

    def fill(self, event: AnswerEvent) -> dict[str, Any]:
        """Take one answer object into the stored lists; returns it as the client sees it."""
        self.message[-1] = {"role": "assistant", "content": event.data["answer"]}
        self.reference[-1] = copy.deepcopy(event.data["reference"])
        return event.data

    def save(self) -> None:
        """`API4ConversationService.append_message`: write both lists back, one more round."""
        self.conversation.message, self.conversation.reference = self.message, self.reference
        self.tenant.agent_sessions.append_message(self.conversation)


def check_last_from_user(messages: list[dict[str, Any]]) -> None:
    """`chat()`'s assertion on the messages it is given (raised inside the generator)."""
    if messages[-1].get("role") != "user":
        raise ChatFailure("AssertionError", NOT_FROM_USER)
