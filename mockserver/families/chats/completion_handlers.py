"""Chat completions: `/api/v1/chats/{id}/completions`, `/api/v1/sessions/ask` and the embedded chatbot endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.answer_text import pieces_of
from mockserver.core.errors import DataError, RagflowError
from mockserver.core.python_failures import (
    assertion_failed,
    bind_arguments,
    contains,
    gettable,
    not_string_or_bytes,
    python_semantics,
)
from mockserver.core.search import count_tokens
from mockserver.families.chats.answers import Answer, AnswerSettings, engine_of
from mockserver.families.chats.engine import ChatFailure, Turn, chat_events
from mockserver.families.chats.models import Chat
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler
from mockserver.state.backend import TenantBackend

ASK_TOP_N = 12
ASK_SIMILARITY_THRESHOLD = 0.1


def opener_event(chat: Chat, session_id: str) -> bytes:
    """The first event of a completion without a session: the opener and the new session id."""
    data = {"answer": chat.prologue, "reference": {}, "audio_binary": None, "id": None, "session_id": session_id}
    return sse.result_frame(data, with_message=True)


def new_session_reply(ctx: RequestContext, first: bytes, stream: bool, *, with_message: bool) -> Response:
    """A completion without session: two events when streaming, the first event's text as `data` otherwise."""
    if not stream:
        return result(first.decode("utf-8"))
    terminator = sse.result_frame(True, with_message=with_message)
    return stream_response(ctx, StreamScript([StreamFrame(first), StreamFrame(terminator)]))


def answer_reply(
    ctx: RequestContext,
    tenant: TenantBackend,
    chat: Chat,
    turn: Turn,
    kwargs: dict[str, Any],
    *,
    stream: bool,
    with_message: bool,
    save: Callable[[Turn], None],
) -> Response:
    """Answer the turn's question: stream the events (saving at the end) or return the single answer object."""
    question = turn.message[-2]["content"]
    try:
        events, answer = chat_events(tenant, chat, _text(question), kwargs, engine_of(ctx.state), stream=stream)
    except ChatFailure as failure:
        if not stream:
            raise failure from None
        frames = [StreamFrame(f) for f in sse.error_tail(with_message=with_message)(failure.detail)]
        return stream_response(ctx, StreamScript(frames, error_frames=sse.error_tail(with_message=with_message)))
    wire = [turn.structure(event.data) for event in events]
    if not stream:
        save(turn)
        return result(wire[0])
    frames = [
        StreamFrame(sse.result_frame(w, with_message=with_message), e.tokens) for w, e in zip(wire, events, strict=True)
    ]
    frames.append(StreamFrame(sse.result_frame(True, with_message=with_message)))
    return stream_response(ctx, _script(frames, answer, lambda: save(turn), with_message))


def _script(
    frames: list[StreamFrame], answer: Answer | None, on_complete: Callable[[], None], with_message: bool
) -> StreamScript:
    return StreamScript(
        frames,
        on_complete=on_complete,
        complete_before=len(frames) - 1,
        error_frames=sse.error_tail(with_message=with_message),
        tokens_per_second=None if answer is None else answer.tokens_per_second,
        first_token_delay=None if answer is None else answer.first_token_delay,
    )


def _text(question: Any) -> str:
    return question if isinstance(question, str) else str(question)


# -- POST /api/v1/chats/{chat_id}/completions ---------------------------------------------------------
async def create_chat_completion(ctx: RequestContext) -> Response:
    """createChatCompletion: POST /api/v1/chats/{chat_id}/completions."""
    chat_id = ctx.path_param("chat_id")
    body = await ctx.json_forced()
    req = gettable(body if body else {"question": ""})
    if not req.get("session_id"):
        req["question"] = ""
    tenant = ctx.tenant
    chat = tenant.chats.owned(chat_id, f"You don't own the chat {chat_id}")
    session = tenant.sessions.continued(chat, req.get("session_id"))
    bind_arguments("completion", req, ("tenant_id", "chat_id"))
    stream = bool(req.get("stream", True))
    if "name" in req and not req["name"]:
        raise assertion_failed("`name` can not be empty.", stream=stream)
    kwargs = {k: v for k, v in req.items() if k not in ("question", "name", "session_id", "stream")}
    if session is None:
        created = tenant.sessions.create(
            chat, req.get("name", "New session"), kwargs.get("user_id", ""), created_at=True
        )
        return new_session_reply(ctx, opener_event(chat, created.id), stream, with_message=False)
    turn = Turn.start(
        session.message,
        session.reference,
        req["question"],
        message_id=tenant.ids.message(),
        session_id=session.id,
        created_at=tenant.clock.now(),
    )

    def save(done: Turn) -> None:
        session.message, session.reference = done.message, done.reference
        tenant.sessions.touch(session)

    return answer_reply(ctx, tenant, chat, turn, kwargs, stream=stream, with_message=False, save=save)


# -- POST /api/v1/chatbots/{dialog_id}/completions ------------------------------------------------------
async def create_chatbot_completion(ctx: RequestContext) -> Response:
    """createChatbotCompletion: POST /api/v1/chatbots/{dialog_id}/completions (beta token; API4Conversation rows)."""
    dialog_id = ctx.path_param("dialog_id")
    req = await ctx.json_forced()
    if not contains(req, "quote"):
        with python_semantics():
            req["quote"] = False
    stream = bool(gettable(req).get("stream", True))
    bind_arguments("iframe_completion", req, ("dialog_id",))

    found = ctx.backends.chat_for_chatbot(dialog_id, ctx.tenant)
    if found is None:
        raise assertion_failed("Dialog not found", stream=stream)
    tenant, chat = found
    store = tenant.agent_sessions
    kwargs = {k: v for k, v in req.items() if k not in ("question", "session_id", "stream")}
    session_id = req.get("session_id")
    if not session_id:
        opener = {"role": "assistant", "content": chat.prologue, "created_at": tenant.clock.now()}
        created = store.create(dialog_id, kwargs.get("user_id", ""), [opener], {})
        created.source = None
        return new_session_reply(ctx, opener_event(chat, created.id), stream, with_message=True)
    session = store.get(session_id) if isinstance(session_id, str) else None
    if session is None:
        raise assertion_failed("Session not found!", stream=stream)
    turn = Turn.start(
        session.message or [],
        session.reference,
        req["question"],
        message_id=tenant.ids.message(),
        session_id=session.id,
        created_at=tenant.clock.now(),
    )

    def save(done: Turn) -> None:
        session.message, session.reference = done.message, done.reference
        store.append_message(session)

    return answer_reply(ctx, tenant, chat, turn, kwargs, stream=stream, with_message=True, save=save)


# -- POST /api/v1/sessions/ask ---------------------------------------------------------------------------
async def ask_datasets(ctx: RequestContext) -> Response:
    """askDatasets: POST /api/v1/sessions/ask: a one-off answer over datasets, always streamed."""
    req = gettable(await ctx.json_forced())
    question = req.get("question")
    if not question:
        raise DataError("`question` is required.")
    dataset_ids = req.get("dataset_ids")
    if not dataset_ids:
        raise DataError("`dataset_ids` is required.")
    if not isinstance(dataset_ids, list):
        raise DataError("`dataset_ids` should be a list.")
    tenant = ctx.tenant
    tenant.datasets.check_askable(dataset_ids)
    tail = sse.error_tail(with_message=True)
    settings = AnswerSettings(top_n=ASK_TOP_N, similarity_threshold=ASK_SIMILARITY_THRESHOLD)
    try:
        if not isinstance(question, str):
            raise not_string_or_bytes()
        answer = engine_of(ctx.state).answer(tenant, question, dataset_ids, settings)
    except RagflowError as err:
        return stream_response(ctx, StreamScript([StreamFrame(f) for f in tail(err.message)], error_frames=tail))
    frames: list[StreamFrame] = []
    cumulative = ""
    for piece in pieces_of(answer.full_text):
        cumulative += piece
        frames.append(
            StreamFrame(
                sse.result_frame({"answer": cumulative, "reference": {}}, with_message=True), count_tokens(piece)
            )
        )
    reference = answer.reference or answer.retrieval or {"total": 0, "chunks": [], "doc_aggs": []}
    frames.append(
        StreamFrame(sse.result_frame({"answer": answer.full_text, "reference": reference}, with_message=True))
    )
    frames.append(StreamFrame(sse.result_frame(True, with_message=True)))
    script = StreamScript(
        frames,
        error_frames=tail,
        tokens_per_second=answer.tokens_per_second,
        first_token_delay=answer.first_token_delay,
    )
    return stream_response(ctx, script)


HANDLERS: dict[str, Handler] = {
    "createChatCompletion": create_chat_completion,
    "createChatbotCompletion": create_chatbot_completion,
    "askDatasets": ask_datasets,
}
