"""Legacy `/v1/api/completion` (streamed or not) and `/v1/api/completion_aibotk`, over the chat answer engine."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mockserver.core.errors import AuthError, DataError, PythonError
from mockserver.core.python_failures import item
from mockserver.core.search import tokenize
from mockserver.families.chats.answers import engine_of
from mockserver.families.chats.completion_handlers import envelope, error_tail
from mockserver.families.chats.engine import ChatEvent, ChatFailure, chat_events
from mockserver.families.legacy.handlers import find_conversation, legacy_key, owner_of
from mockserver.http.auth import Identity
from mockserver.http.envelope import EnvelopeResponse, json_result
from mockserver.http.request_args import require_arguments
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.families.agents.sessions import AgentSession
    from mockserver.families.chats.models import Chat
    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import TenantBackend

AGENT_STREAM_FAILURE = ("AssertionError", "Nothing. Is it over?")
AGENT_BLOCKING_FAILURE = (
    "ValueError",
    "The truth value of a DataFrame is ambiguous. Use a.empty, a.bool(), a.item(), a.any() or a.all().",
)
"""How this commit's legacy endpoints fail for agent conversations (streamed / not streamed)."""
_AIBOTK_MARKER = re.compile(r"##\d\$\$")


def legacy_reference(tenant: TenantBackend, reference: Any) -> Any:
    """A chat reference with raw retrieval chunks (`docnm_kwd` already renamed `doc_name`, moved last)."""
    if not isinstance(reference, dict) or not reference.get("chunks"):
        return reference
    chunks = []
    for chunk in reference["chunks"]:
        stored = tenant.chunks.get(chunk["id"])
        chunks.append(
            {
                "chunk_id": chunk["id"],
                "content_ltks": " ".join(tokenize(chunk["content"])),
                "content_with_weight": chunk["content"],
                "doc_id": chunk["document_id"],
                "kb_id": chunk["dataset_id"],
                "important_kwd": list(stored.important_kwd) if stored is not None else [],
                "image_id": chunk["image_id"],
                "similarity": chunk["similarity"],
                "vector_similarity": chunk["vector_similarity"],
                "term_similarity": chunk["term_similarity"],
                "positions": chunk["positions"],
                "doc_name": chunk["document_name"],
            }
        )
    return {**reference, "chunks": chunks}


def _client_messages(messages: Any) -> list[dict[str, Any]]:
    """The client's history without system messages and leading assistant messages."""
    if not isinstance(messages, list):
        raise PythonError("TypeError", f"'{type(messages).__name__}' object is not iterable")
    kept: list[dict[str, Any]] = []
    for message in messages:
        role = item(message, "role")
        if role == "system" or (role == "assistant" and not kept):
            continue
        kept.append(message)
    if not kept:
        raise PythonError("IndexError", "list index out of range")
    return kept


def _dialog_of(ctx: RequestContext, conversation: AgentSession, *, stream: bool) -> tuple[TenantBackend, Chat]:
    """The conversation's chat; agent conversations fail the way this commit's legacy code does."""
    owner = owner_of(ctx, conversation)
    if conversation.source == "agent":
        if owner.agents.get(conversation.dialog_id) is None:
            raise PythonError("AttributeError", "'str' object has no attribute 'args'")
        raise PythonError(*(AGENT_STREAM_FAILURE if stream else AGENT_BLOCKING_FAILURE))
    chat = owner.chats.items.get(conversation.dialog_id)
    if chat is None:
        raise DataError("Dialog not found!")
    return owner, chat


class LegacyTurn:
    """A question being answered in a legacy conversation; writes the answer back like `fillin_conv`."""

    def __init__(self, tenant: TenantBackend, conversation: AgentSession, question: dict[str, Any]) -> None:
        self.tenant, self.conversation = tenant, conversation
        self.message_id: str = question["id"]
        self.message = [*conversation.message, question, {"role": "assistant", "content": "", "id": self.message_id}]
        self.reference = [*conversation.reference, {"chunks": [], "doc_aggs": []}]

    def fill(self, event: ChatEvent) -> dict[str, Any]:
        """One answer event as the client sees it (`id` added, raw reference chunks)."""
        data = dict(event.data)
        data["reference"] = legacy_reference(self.tenant, data.get("reference"))
        self.reference[-1] = data["reference"]
        self.message[-1] = {"role": "assistant", "content": data["answer"], "id": self.message_id}
        data["id"] = self.message_id
        return data

    def save(self) -> None:
        """`append_message`: store the lists and count one round."""
        self.conversation.message, self.conversation.reference = self.message, self.reference
        self.tenant.agent_sessions.append_message(self.conversation)


async def create_legacy_completion(ctx: RequestContext) -> Response:
    """POST /v1/api/completion: `conversation_id` and the client's `messages`; `quote` defaults to false."""
    await require_arguments(ctx, "conversation_id", "messages")
    legacy_key(ctx)
    req = dict(await ctx.json_forced() or {})
    conversation = find_conversation(ctx, req.get("conversation_id"))
    if conversation is None:
        raise DataError("Conversation not found!")
    req.setdefault("quote", False)
    history = _client_messages(req["messages"])
    if not history[-1].get("id"):
        history[-1]["id"] = ctx.backends.ids.entity()
    stream = bool(req.get("stream", True))
    tenant, chat = _dialog_of(ctx, conversation, stream=stream)
    kwargs = {k: v for k, v in req.items() if k not in ("conversation_id", "messages")}
    turn = LegacyTurn(tenant, conversation, history[-1])
    tail = error_tail(with_message=True)
    if stream and "stream" in kwargs:
        frames = [StreamFrame(f) for f in tail("chat() got multiple values for argument 'stream'")]
        return stream_response(ctx, StreamScript(frames, error_frames=tail))
    try:
        events, answer = chat_events(
            tenant, chat, str(history[-1].get("content")), kwargs, engine_of(ctx.state), stream=stream
        )
    except ChatFailure as failure:
        if not stream:
            raise failure from None
        return stream_response(ctx, StreamScript([StreamFrame(f) for f in tail(failure.detail)], error_frames=tail))
    wire = [turn.fill(event) for event in events]
    if not stream:
        turn.save()
        return json_result(data=wire[0])
    frames = [StreamFrame(envelope(w, with_message=True), e.tokens) for w, e in zip(wire, events, strict=True)]
    frames.append(StreamFrame(envelope(True, with_message=True)))
    script = StreamScript(
        frames,
        on_complete=turn.save,
        complete_before=len(frames) - 1,
        error_frames=tail,
        tokens_per_second=None if answer is None else answer.tokens_per_second,
        first_token_delay=None if answer is None else answer.first_token_delay,
    )
    return stream_response(ctx, script)


async def create_legacy_aibotk_completion(ctx: RequestContext) -> Response:
    """POST /v1/api/completion_aibotk: the key is the body's `Authorization`; `{"code":200,"data":[…],"msg"}`."""
    await require_arguments(ctx, "Authorization", "conversation_id", "word")
    req = dict(await ctx.json_forced() or {})
    key = req.get("Authorization")
    row = ctx.backends.token(key) if isinstance(key, str) else None
    owner = None if row is None else ctx.backends.tenant(row.tenant_id)
    if row is None or owner is None:
        raise AuthError('Authentication error: API key is invalid!"')
    ctx.identity = Identity(owner, row)
    conversation = find_conversation(ctx, req.get("conversation_id"))
    if conversation is None:
        raise DataError("Conversation not found!")
    req.setdefault("quote", True)
    question = {"role": "user", "content": req["word"], "id": ctx.backends.ids.entity()}
    tenant, chat = _dialog_of(ctx, conversation, stream=False)
    kwargs = {k: v for k, v in req.items() if k != "conversation_id"}
    turn = LegacyTurn(tenant, conversation, question)
    try:
        events, _ = chat_events(tenant, chat, str(req["word"]), kwargs, engine_of(ctx.state), stream=False)
    except ChatFailure as failure:
        raise failure from None
    answer = turn.fill(events[0])
    turn.save()
    data: list[dict[str, Any]] = [{"type": 1, "content": _AIBOTK_MARKER.sub("", answer["answer"])}]
    for marker in _AIBOTK_MARKER.findall(answer["answer"])[:1]:
        reference = answer["reference"]
        if not isinstance(reference, dict):
            raise PythonError("TypeError", "list indices must be integers or slices, not str")
        if int(marker[2]) >= len(reference.get("chunks", [])):
            raise PythonError("IndexError", "list index out of range")
        raise PythonError("KeyError", "img_id")
    return EnvelopeResponse({"code": 200, "data": data, "msg": "success"})


HANDLERS: dict[str, Handler] = {
    "createLegacyCompletion": create_legacy_completion,
    "createLegacyAibotkCompletion": create_legacy_aibotk_completion,
}
