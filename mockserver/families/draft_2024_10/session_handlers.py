"""Profile `2024-10-draft` handlers: chats (`/api/v1/chat`) and their sessions (`…/session`)."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.python_failures import gettable
from mockserver.families.draft_2024_10.chats import DraftChats
from mockserver.families.legacy.service import LegacyScope
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler


def chats(ctx: RequestContext) -> DraftChats:
    """The caller's chats through the draft."""
    return DraftChats(LegacyScope(ctx.backends, ctx.tenant))


async def create_chat(ctx: RequestContext) -> Response:
    """draftCreateChat: POST /api/v1/chat."""
    return result(chats(ctx).create(await ctx.json_forced()))


async def update_chat(ctx: RequestContext) -> Response:
    """draftUpdateChat: PUT /api/v1/chat/{chat_id}."""
    view = chats(ctx)
    chat_id = ctx.path_param("chat_id")
    view.owned(chat_id, "You do not own the chat")
    view.update(chat_id, await ctx.json_forced())
    return result()


async def delete_chats(ctx: RequestContext) -> Response:
    """draftDeleteChats: DELETE /api/v1/chat (`ids`)."""
    chats(ctx).delete(await ctx.json_forced())
    return result()


async def list_chats(ctx: RequestContext) -> Response:
    """draftListChats: GET /api/v1/chat?page=&page_size=&orderby=&desc=&id=&name=."""
    return result(chats(ctx).listing(dict(ctx.query)))


async def create_session(ctx: RequestContext) -> Response:
    """draftCreateSession: POST /api/v1/chat/{chat_id}/session."""
    return result(chats(ctx).open_session(ctx.path_param("chat_id"), await ctx.json_forced()))


async def list_sessions(ctx: RequestContext) -> Response:
    """draftListSessions: GET /api/v1/chat/{chat_id}/session."""
    return result(chats(ctx).sessions(ctx.path_param("chat_id"), dict(ctx.query)))


async def delete_sessions(ctx: RequestContext) -> Response:
    """draftDeleteSessions: DELETE /api/v1/chat/{chat_id}/session (`ids`; the 10-12 draft)."""
    view = chats(ctx)
    chat_id = ctx.path_param("chat_id")
    view.owned(chat_id, "You don't own the chat")
    view.delete_sessions(chat_id, gettable(await ctx.json_forced()).get("ids"))
    return result()


async def delete_session(ctx: RequestContext) -> Response:
    """draftDeleteSession: DELETE /api/v1/chat/{chat_id}/session/{session_id} (the 10-11 draft's row 22; never
    routed: served as the 10-12 bulk delete of that one id)."""
    chats(ctx).delete_sessions(ctx.path_param("chat_id"), [ctx.path_param("session_id")])
    return result()


async def update_session(ctx: RequestContext) -> Response:
    """draftUpdateSession: PUT /api/v1/chat/{chat_id}/session/{session_id} (`name`)."""
    body = await ctx.json_forced()
    chats(ctx).rename_session(ctx.path_param("chat_id"), ctx.path_param("session_id"), body)
    return result()


HANDLERS: dict[str, Handler] = {
    "draftCreateChat": create_chat,
    "draftUpdateChat": update_chat,
    "draftDeleteChats": delete_chats,
    "draftListChats": list_chats,
    "draftCreateSession": create_session,
    "draftListSessions": list_sessions,
    "draftDeleteSessions": delete_sessions,
    "draftDeleteSession": delete_session,
    "draftUpdateSession": update_session,
}
