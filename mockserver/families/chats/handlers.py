"""The four `/api/v1/chats` handlers: parse the request, let `ChatStore` decide, answer the envelope."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.jsonbytes import JSONRows
from mockserver.core.python_failures import key_error
from mockserver.families.chats.schemas import (
    ABSENT,
    parse_chat_create,
    parse_chat_query,
    parse_chat_update,
    parse_ids,
)
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler


async def create_chat(ctx: RequestContext) -> Response:
    """createChat: POST /api/v1/chats (echoes `dataset_ids`; without them the chat is saved, then KeyError)."""
    request = parse_chat_create(await ctx.json_forced())
    data = ctx.tenant.chats.create(request).to_api()
    if request.echoed_dataset_ids is ABSENT:
        raise key_error("dataset_ids")
    data["dataset_ids"] = request.echoed_dataset_ids
    return result(data)


async def update_chat(ctx: RequestContext) -> Response:
    """updateChat: PUT /api/v1/chats/{chat_id} (ownership is checked before the body is read)."""
    store = ctx.tenant.chats
    chat = store.to_update(ctx.path_param("chat_id"))
    store.update(chat, parse_chat_update(await ctx.json_forced()))
    return result()


async def list_chats(ctx: RequestContext) -> Response:
    """listChats: GET /api/v1/chats."""
    store = ctx.tenant.chats
    return result(JSONRows([c.list_json(store.datasets_of(c)) for c in store.listing(parse_chat_query(ctx.query))]))


async def delete_chats(ctx: RequestContext) -> Response:
    """deleteChats: DELETE /api/v1/chats."""
    return result(ctx.tenant.chats.delete(parse_ids(await ctx.json_forced())))


HANDLERS: dict[str, Handler] = {
    "createChat": create_chat,
    "updateChat": update_chat,
    "listChats": list_chats,
    "deleteChats": delete_chats,
}
