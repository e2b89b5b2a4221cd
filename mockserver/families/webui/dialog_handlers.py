"""Web-UI handlers of `/v1/dialog/*` and `/v1/conversation/*`, including the streamed `conversation/completion`."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.python_failures import gettable, item, key_error, multiple_values
from mockserver.families.chats.answers import engine_of
from mockserver.families.chats.engine import ChatFailure, chat_events
from mockserver.families.webui.dialogs import WebDialogs
from mockserver.families.webui.errors import data_error
from mockserver.families.webui.rows import conversation_row, dialog_row, formatted_references
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.request_args import query_arg, require_arguments
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler


async def set_dialog(ctx: RequestContext) -> Response:
    """setDialog: POST /v1/dialog/set (no `dialog_id`: create)."""
    dialogs = WebDialogs(ctx.tenant)
    chat, created = dialogs.set_dialog(gettable(await ctx.json_forced()))
    if created:
        return json_result(data=dialog_row(chat))
    ids, names = dialogs.kb_names(chat.kb_ids)
    row = dialog_row(chat, names)
    row["kb_ids"] = ids
    return json_result(data=row)


async def get_dialog(ctx: RequestContext) -> Response:
    """getDialog: GET /v1/dialog/get?dialog_id=…."""
    dialogs = WebDialogs(ctx.tenant)
    chat = dialogs.any_dialog(query_arg(ctx, "dialog_id"))
    if chat is None:
        raise data_error("Dialog not found!")
    ids, names = dialogs.kb_names(chat.kb_ids)
    row = dialog_row(chat, names)
    row["kb_ids"] = ids
    return json_result(data=row)


async def list_dialogs(ctx: RequestContext) -> Response:
    """listDialogs: GET /v1/dialog/list (the caller's valid dialogs, newest first)."""
    dialogs = WebDialogs(ctx.tenant)
    rows = []
    for chat in dialogs.dialogs():
        ids, names = dialogs.kb_names(chat.kb_ids)
        row = dialog_row(chat, names)
        row["kb_ids"] = ids
        rows.append(row)
    return json_result(data=rows)


async def remove_dialogs(ctx: RequestContext) -> Response:
    """removeDialogs: POST /v1/dialog/rm (`dialog_ids`; soft delete)."""
    body = gettable(await require_arguments(ctx, "dialog_ids"))
    WebDialogs(ctx.tenant).remove_dialogs(body["dialog_ids"])
    return json_result(data=True)


async def set_conversation(ctx: RequestContext) -> Response:
    """setConversation: POST /v1/conversation/set (`is_new` true: create with the UI's id; false: rename)."""
    body = dict(gettable(await ctx.json_forced()))
    conversation_id = body.get("conversation_id")
    is_new = body.get("is_new")
    name = body.get("name", "New conversation")
    if isinstance(name, str) and len(name) > 255:
        name = name[:255]
    item(body, "is_new")
    del body["is_new"]
    dialogs = WebDialogs(ctx.tenant)
    if not is_new:
        item(body, "conversation_id")
        del body["conversation_id"]
        return json_result(data=conversation_row(dialogs.rename_conversation(conversation_id, body)))
    created = dialogs.create_conversation(body, name)
    data = {"dialog_id": created.dialog_id, "id": created.id, "message": created.message, "name": created.name}
    return json_result(data=data)


async def get_conversation(ctx: RequestContext) -> Response:
    """getConversation: GET /v1/conversation/get?conversation_id=… (references in the UI's chunk shape)."""
    dialogs = WebDialogs(ctx.tenant)
    conversation = dialogs.owned_conversation(query_arg(ctx, "conversation_id"))
    chat = dialogs.any_dialog(conversation.dialog_id)
    row = conversation_row(conversation)
    row["reference"] = formatted_references(conversation.reference)
    row["avatar"] = None if chat is None else chat.icon
    return json_result(data=row)


async def list_conversations(ctx: RequestContext) -> Response:
    """listConversations: GET /v1/conversation/list?dialog_id=… (newest first)."""
    conversations = WebDialogs(ctx.tenant).conversations(query_arg(ctx, "dialog_id"))
    return json_result(data=[conversation_row(c) for c in conversations])


async def remove_conversations(ctx: RequestContext) -> Response:
    """removeConversations: POST /v1/conversation/rm (`conversation_ids`)."""
    body = gettable(await ctx.json_forced())
    WebDialogs(ctx.tenant).remove_conversations(item(body, "conversation_ids"))
    return json_result(data=True)


async def complete_conversation(ctx: RequestContext) -> Response:
    """completeConversation: POST /v1/conversation/completion (SSE; the client sends the whole history)."""
    req = dict(gettable(await require_arguments(ctx, "conversation_id", "messages")))
    dialogs = WebDialogs(ctx.tenant)
    conversation = dialogs.conversation(req["conversation_id"])
    if conversation is None:
        raise data_error("Conversation not found!")
    turn, question = dialogs.start_turn(conversation, req["messages"])
    chat = dialogs.any_dialog(conversation.dialog_id)
    if chat is None:
        raise data_error("Dialog not found!")
    kwargs = {k: v for k, v in req.items() if k not in ("conversation_id", "messages")}
    if not kwargs.get("stream", True):
        raise key_error("conversation_id")  # the non-streamed branch reads the id it has just deleted
    tail = sse.error_tail(with_message=True)
    if "stream" in kwargs:  # `chat(dia, msg, True, **req)` gets `stream` twice
        frames = [StreamFrame(f) for f in tail(multiple_values("chat", "stream").detail)]
        return stream_response(ctx, StreamScript(frames, error_frames=tail))
    try:
        events, answer = chat_events(ctx.tenant, chat, question, kwargs, engine_of(ctx.state), stream=True)
    except ChatFailure as failure:
        return stream_response(ctx, StreamScript([StreamFrame(f) for f in tail(failure.detail)], error_frames=tail))
    wire = [turn.structure(event.data) for event in events]
    frames = [StreamFrame(sse.result_frame(w, with_message=True), e.tokens) for w, e in zip(wire, events, strict=True)]
    frames.append(StreamFrame(sse.result_frame(True, with_message=True)))
    script = StreamScript(
        frames,
        on_complete=lambda: dialogs.save_turn(conversation, turn),
        complete_before=len(frames) - 1,
        error_frames=tail,
        tokens_per_second=None if answer is None else answer.tokens_per_second,
        first_token_delay=None if answer is None else answer.first_token_delay,
    )
    return stream_response(ctx, script)


HANDLERS: dict[str, Handler] = {
    "setDialog": set_dialog,
    "getDialog": get_dialog,
    "listDialogs": list_dialogs,
    "removeDialogs": remove_dialogs,
    "setConversation": set_conversation,
    "getConversation": get_conversation,
    "listConversations": list_conversations,
    "removeConversations": remove_conversations,
    "completeConversation": complete_conversation,
}
