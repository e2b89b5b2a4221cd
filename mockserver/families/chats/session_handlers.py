"""The chat-session handlers (`/api/v1/chats/{chat_id}/sessions`): parse, let `SessionStore` decide, answer."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.families.chats.schemas import (
    parse_ids,
    parse_session_create,
    parse_session_query,
    parse_session_update,
)
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler


async def create_chat_session(ctx: RequestContext) -> Response:
    """createChatSession: POST /api/v1/chats/{chat_id}/sessions."""
    chat_id = ctx.path_param("chat_id")
    request = parse_session_create(await ctx.json_forced(), chat_id)
    return result(ctx.tenant.sessions.open(chat_id, request).to_api())


async def update_chat_session(ctx: RequestContext) -> Response:
    """updateChatSession: PUT /api/v1/chats/{chat_id}/sessions/{session_id}."""
    chat_id = ctx.path_param("chat_id")
    request = parse_session_update(await ctx.json_forced(), chat_id)
    ctx.tenant.sessions.update(chat_id, ctx.path_param("session_id"), request)
    return result()


async def list_chat_sessions(ctx: RequestContext) -> Response:
    """listChatSessions: GET /api/v1/chats/{chat_id}/sessions."""
    found = ctx.tenant.sessions.listing(ctx.path_param("chat_id"), parse_session_query(ctx.query))
    return result([s.to_list_item() for s in found])


async def delete_chat_sessions(ctx: RequestContext) -> Response:
    """deleteChatSessions: DELETE /api/v1/chats/{chat_id}/sessions (ownership is checked before the body is read)."""
    sessions = ctx.tenant.sessions
    chat = sessions.chat_to_clear(ctx.path_param("chat_id"))
    return result(sessions.delete(chat, parse_ids(await ctx.json_forced())))


HANDLERS: dict[str, Handler] = {
    "createChatSession": create_chat_session,
    "updateChatSession": update_chat_session,
    "listChatSessions": list_chat_sessions,
    "deleteChatSessions": delete_chat_sessions,
}
