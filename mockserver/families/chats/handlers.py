"""The four `/api/v1/chats` handlers: parse the request, let `ChatStore` decide, answer the envelope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.core.errors import DataError
from mockserver.core.pagination import collation_key, loose_desc, python_int
from mockserver.core.python_failures import gettable, key_error
from mockserver.http.envelope import result

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler

from mockserver.families.chats.models import Chat, ChatStore


async def create_chat(ctx: RequestContext) -> Response:
    """POST /api/v1/chats."""
    body = await ctx.json_forced()
    chat = ctx.tenant.chats.create(body)
    data = chat.to_api()
    if "dataset_ids" not in body:
        raise key_error("dataset_ids")
    data["dataset_ids"] = body["dataset_ids"]
    return result(data)


async def update_chat(ctx: RequestContext) -> Response:
    """PUT /api/v1/chats/{chat_id}."""
    chat_id = ctx.path_param("chat_id")
    if ctx.tenant.chats.get(chat_id) is None:
        raise DataError("You do not own the chat")
    ctx.tenant.chats.update(chat_id, await ctx.json_forced())
    return result()


async def list_chats(ctx: RequestContext) -> Response:
    """GET /api/v1/chats."""
    store = ctx.tenant.chats
    query = ctx.query
    chat_id, name = query.get("id"), query.get("name")
    if chat_id or name:
        matches = [
            c
            for c in store.valid()
            if (not chat_id or c.id.lower() == chat_id.lower())
            and (not name or collation_key(c.name) == collation_key(name))
        ]
        if not matches:
            raise DataError("The chat doesn't exist")
    page = python_int(query.get("page"), 1)
    page_size = python_int(query.get("page_size"), 30)
    found = store.listing(
        chat_id=chat_id,
        name=name,
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "create_time"),
        desc=loose_desc(query.get("desc")),
    )
    return result([c.to_list_item(store.datasets_of(c)) for c in found])


async def delete_chats(ctx: RequestContext) -> Response:
    """DELETE /api/v1/chats."""
    body = await ctx.json_forced()
    ids = gettable(body).get("ids") if body else None
    return result(ctx.tenant.chats.delete(ids))


HANDLERS: dict[str, Handler] = {
    "createChat": create_chat,
    "updateChat": update_chat,
    "listChats": list_chats,
    "deleteChats": delete_chats,
}

__all__ = ["HANDLERS", "Chat", "ChatStore"]
