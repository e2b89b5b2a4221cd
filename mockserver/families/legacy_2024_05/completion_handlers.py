"""Profile 2024-05-legacy `POST /v1/api/completion`: v0.7.0's answer, streamed (`retcode` events) or as JSON."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.errors import DataError, PythonError
from mockserver.core.python_failures import multiple_values
from mockserver.families.chats.answers import engine_of
from mockserver.families.chats.engine import ChatFailure
from mockserver.families.legacy_2024_05.conversations import (
    LIST_HAS_NO_GET,
    V07Turn,
    answer_events,
    check_last_from_user,
    client_messages,
)
from mockserver.families.legacy_2024_05.handlers import v07_key, v07_scope
from mockserver.http.context import RequestContext
from mockserver.http.envelope import retcode_result
from mockserver.http.request_args import require_arguments
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler


def _failed_stream(ctx: RequestContext, message: str) -> Response:
    """The error event an exception inside the answer generator produces, then the terminator."""
    frames = [StreamFrame(f) for f in sse.retcode_error_tail(message)]
    return stream_response(ctx, StreamScript(frames, error_frames=sse.retcode_error_tail))


async def v07_completion(ctx: RequestContext) -> Response:
    """v07Completion: POST /v1/api/completion (`conversation_id`, the client's `messages`; quote off by default).

    The key check runs after the argument guard and only checks validity; `stream` absent streams, a truthy
    `stream` key is passed to `chat()` twice (an error event), a falsy one answers JSON.
    """
    await require_arguments(ctx, "conversation_id", "messages")
    v07_key(ctx)
    req = dict(await ctx.json_forced() or {})
    scope = v07_scope(ctx)
    conversation = scope.conversation(req.get("conversation_id"))
    if conversation is None:
        raise DataError("Conversation not found!")
    messages = client_messages(req["messages"])
    owner = scope.owner_of(conversation)
    turn = V07Turn(owner, conversation, messages[-1])
    chat = owner.chats.items.get(conversation.dialog_id)
    if chat is None:
        raise DataError("Dialog not found!")
    req.setdefault("quote", False)
    stream = bool(req.get("stream", True))
    if stream and "stream" in req:
        return _failed_stream(ctx, multiple_values("chat", "stream").text)
    kwargs = {k: v for k, v in req.items() if k not in ("conversation_id", "messages")}
    try:
        check_last_from_user(messages)
        events = answer_events(owner, chat, str(messages[-1]["content"]), kwargs, engine_of(ctx.state), stream=stream)
    except ChatFailure as failure:
        if not stream:
            raise failure from None
        return _failed_stream(ctx, failure.detail)
    if isinstance(events[-1].data["reference"], list):  # `chat()` answered the embedding-model mismatch
        if stream:
            return _failed_stream(ctx, LIST_HAS_NO_GET[1])
        turn.fill(events[-1])
        turn.save()
        raise PythonError(*LIST_HAS_NO_GET)
    wire = [turn.fill(event) for event in events]
    if not stream:
        turn.save()
        return retcode_result(wire[-1])
    frames = [StreamFrame(sse.retcode_frame(data), event.tokens) for data, event in zip(wire, events, strict=True)]
    frames.append(StreamFrame(sse.retcode_frame(True)))
    script = StreamScript(
        frames, on_complete=turn.save, complete_before=len(frames) - 1, error_frames=sse.retcode_error_tail
    )
    return stream_response(ctx, script)


HANDLERS: dict[str, Handler] = {"v07Completion": v07_completion}
