"""The chat-session handlers (`/api/v1/chats/{chat_id}/sessions`): parse, let `SessionStore` decide, answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.core.errors import DataError, PythonError
from mockserver.core.python_failures import gettable, python_semantics
from mockserver.http.envelope import result

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler

from mockserver.families.chats.sessions import Conversation, SessionStore, reduced_chunks


async def create_chat_session(ctx: RequestContext) -> Response:
    """POST /api/v1/chats/{chat_id}/sessions."""
    chat_id = ctx.path_param("chat_id")
    body = await ctx.json_forced()
    if body is None:
        raise PythonError("TypeError", "'NoneType' object does not support item assignment")
    with python_semantics():
        body["dialog_id"] = chat_id
    chat = ctx.tenant.chats.get(chat_id)
    if chat is None:
        raise DataError("You do not own the assistant.")
    name = body.get("name", "New session")
    if not name:
        raise DataError("`name` can not be empty.")
    session = ctx.tenant.sessions.create(chat, name, body.get("user_id", ""))
    return result(session.to_api())


async def update_chat_session(ctx: RequestContext) -> Response:
    """PUT /api/v1/chats/{chat_id}/sessions/{session_id}."""
    body = await ctx.json_forced()
    ctx.tenant.sessions.update(ctx.path_param("chat_id"), ctx.path_param("session_id"), body)
    return result()


async def list_chat_sessions(ctx: RequestContext) -> Response:
    """GET /api/v1/chats/{chat_id}/sessions."""
    chat_id = ctx.path_param("chat_id")
    if ctx.tenant.chats.get(chat_id) is None:
        raise DataError(f"You don't own the assistant {chat_id}.")
    found = ctx.tenant.sessions.listing(chat_id, ctx.query)
    return result([s.to_list_item() for s in found])


async def delete_chat_sessions(ctx: RequestContext) -> Response:
    """DELETE /api/v1/chats/{chat_id}/sessions."""
    chat_id = ctx.path_param("chat_id")
    if ctx.tenant.chats.get(chat_id) is None:
        raise DataError("You don't own the chat")
    body = await ctx.json_forced()
    ids = gettable(body).get("ids") if body else None
    return result(ctx.tenant.sessions.delete(chat_id, ids))


HANDLERS: dict[str, Handler] = {
    "createChatSession": create_chat_session,
    "updateChatSession": update_chat_session,
    "listChatSessions": list_chat_sessions,
    "deleteChatSessions": delete_chat_sessions,
}

__all__ = ["HANDLERS", "Conversation", "SessionStore", "reduced_chunks"]
