"""Legacy `/v1/api/completion` (streamed or not) and `/v1/api/completion_aibotk`, over the chat answer engine."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.errors import AuthError, DataError
from mockserver.core.python_failures import multiple_values
from mockserver.families.chats.answers import engine_of
from mockserver.families.chats.engine import ChatFailure, chat_events
from mockserver.families.legacy.handlers import legacy_key, scope
from mockserver.families.legacy.service import LegacyTurn, aibotk_data, client_question, dialog_of
from mockserver.http.auth import Identity
from mockserver.http.context import RequestContext
from mockserver.http.envelope import EnvelopeResponse, json_result
from mockserver.http.request_args import require_arguments
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler


async def create_legacy_completion(ctx: RequestContext) -> Response:
    """createLegacyCompletion: POST /v1/api/completion (`conversation_id`, the client's `messages`; no quote)."""
    await require_arguments(ctx, "conversation_id", "messages")
    legacy_key(ctx)
    req = dict(await ctx.json_forced() or {})
    reach = scope(ctx)
    conversation = reach.conversation(req.get("conversation_id"))
    if conversation is None:
        raise DataError("Conversation not found!")
    req.setdefault("quote", False)
    question = client_question(req["messages"], ctx.backends.ids)
    stream = bool(req.get("stream", True))
    tenant, chat = dialog_of(reach, conversation, stream=stream)
    kwargs = {k: v for k, v in req.items() if k not in ("conversation_id", "messages")}
    turn = LegacyTurn(tenant, conversation, question)
    tail = sse.error_tail(with_message=True)
    if stream and "stream" in kwargs:
        frames = [StreamFrame(f) for f in tail(multiple_values("chat", "stream").text)]
        return stream_response(ctx, StreamScript(frames, error_frames=tail))
    try:
        events, answer = chat_events(
            tenant, chat, str(question.get("content")), kwargs, engine_of(ctx.state), stream=stream
        )
    except ChatFailure as failure:
        if not stream:
            raise failure from None
        return stream_response(ctx, StreamScript([StreamFrame(f) for f in tail(failure.detail)], error_frames=tail))
    wire = [turn.fill(event) for event in events]
    if not stream:
        turn.save()
        return json_result(data=wire[0])
    frames = [StreamFrame(sse.result_frame(w, with_message=True), e.tokens) for w, e in zip(wire, events, strict=True)]
    frames.append(StreamFrame(sse.result_frame(True, with_message=True)))
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
    """createLegacyAibotkCompletion: POST /v1/api/completion_aibotk (key in the body; `{"code":200,"data","msg"}`)."""
    await require_arguments(ctx, "Authorization", "conversation_id", "word")
    req = dict(await ctx.json_forced() or {})
    key = req.get("Authorization")
    row = ctx.backends.token(key) if isinstance(key, str) else None
    owner = None if row is None else ctx.backends.tenant(row.tenant_id)
    if row is None or owner is None:
        raise AuthError('Authentication error: API key is invalid!"')
    ctx.identity = Identity(owner, row)
    reach = scope(ctx)
    conversation = reach.conversation(req.get("conversation_id"))
    if conversation is None:
        raise DataError("Conversation not found!")
    req.setdefault("quote", True)
    question = {"role": "user", "content": req["word"], "id": ctx.backends.ids.entity()}
    tenant, chat = dialog_of(reach, conversation, stream=False)
    kwargs = {k: v for k, v in req.items() if k != "conversation_id"}
    turn = LegacyTurn(tenant, conversation, question)
    try:
        events, _ = chat_events(tenant, chat, str(req["word"]), kwargs, engine_of(ctx.state), stream=False)
    except ChatFailure as failure:
        raise failure from None
    answer = turn.fill(events[0])
    turn.save()
    return EnvelopeResponse({"code": 200, "data": aibotk_data(answer), "msg": "success"})


HANDLERS: dict[str, Handler] = {
    "createLegacyCompletion": create_legacy_completion,
    "createLegacyAibotkCompletion": create_legacy_aibotk_completion,
}
