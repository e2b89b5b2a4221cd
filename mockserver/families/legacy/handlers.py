"""Legacy `/v1/api`: chatbot keys bound to a chat or agent (web login), usage stats, and conversations.

Legacy conversations are API4Conversation rows, the table agent sessions live in, so they are kept in
`tenant.agent_sessions` (chat conversations with `source` null, agent ones with `source` "agent").
"""

from __future__ import annotations

import copy
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mockserver.core.errors import AuthError, DataError, PythonError
from mockserver.core.python_failures import get, item
from mockserver.families.accounts.system_handlers import issue_api_token, token_row
from mockserver.families.agents.canvas import Canvas
from mockserver.http.envelope import json_result
from mockserver.http.request_args import require_arguments

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.families.agents.sessions import AgentSession
    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import ApiToken, TenantBackend


# -- shared by the legacy modules --------------------------------------------------------------------
def legacy_key(ctx: RequestContext) -> ApiToken:
    """The inline key check of the legacy routes (crashes for bad headers, 109 with a stray quote)."""
    identity = ctx.authenticate("LegacyApiKey")
    if identity.token is None:  # the legacy scheme always yields a token row
        raise RuntimeError("legacy key check returned no token row")
    return identity.token


def visible_tenants(ctx: RequestContext) -> list[TenantBackend]:
    """Whose rows an unscoped server lookup may reach: the caller's tenant only, unless isolation is off."""
    own = ctx.tenant
    if ctx.state.settings.strict_tenant_isolation:
        return [own]
    return [own, *(t for t in ctx.backends.tenants.values() if t is not own)]


def find_conversation(ctx: RequestContext, conversation_id: Any) -> AgentSession | None:
    """An API4Conversation row by id (the server does not check whose it is)."""
    if not isinstance(conversation_id, str):
        return None
    for tenant in visible_tenants(ctx):
        found = tenant.agent_sessions.get(conversation_id)
        if found is not None:
            return found
    return None


def owner_of(ctx: RequestContext, conversation: AgentSession) -> TenantBackend:
    """The tenant whose store holds a conversation."""
    return next(t for t in visible_tenants(ctx) if t.agent_sessions.items.get(conversation.id) is conversation)


def _dialog_tokens(ctx: RequestContext, dialog_id: str) -> list[ApiToken]:
    return [
        row
        for tenant in visible_tenants(ctx)
        for row in ctx.backends.tokens_of(tenant.tenant_id)
        if row.dialog_id == dialog_id
    ]


# -- keys (web login) --------------------------------------------------------------------------------
async def create_legacy_token(ctx: RequestContext) -> Response:
    """POST /v1/api/new_token: a key bound to `dialog_id`, or to `canvas_id` with source "agent"."""
    body = await ctx.json_forced()
    canvas_id = get(body, "canvas_id")
    if canvas_id:
        dialog_id, source = canvas_id, "agent"
    else:
        dialog_id, source = item(body, "dialog_id"), None
    row = issue_api_token(ctx.backends, ctx.tenant, dialog_id=str(dialog_id), source=source)
    data: dict[str, Any] = {
        "create_date": row.create_date,
        "create_time": row.create_time,
        "dialog_id": row.dialog_id,
        "tenant_id": row.tenant_id,
        "token": row.token,
        "update_date": None,
        "update_time": None,
    }
    if source is not None:
        data["source"] = source
    return json_result(data=data)


async def list_legacy_tokens(ctx: RequestContext) -> Response:
    """GET /v1/api/token_list?dialog_id=… (or canvas_id=…)."""
    query = ctx.query
    dialog_id = query["dialog_id"] if "dialog_id" in query else query.get("canvas_id")
    if dialog_id is None:
        raise PythonError("KeyError", "canvas_id")
    rows = [r for r in ctx.backends.tokens_of(ctx.tenant.tenant_id) if r.dialog_id == dialog_id]
    return json_result(data=[token_row(ctx.backends, r) for r in rows])


async def remove_legacy_tokens(ctx: RequestContext) -> Response:
    """POST /v1/api/rm: the argument guard runs before the login check."""
    await require_arguments(ctx, "tokens", "tenant_id")
    ctx.authenticate("LoginToken")
    body = await ctx.json_forced()
    tenant_id, tokens = item(body, "tenant_id"), item(body, "tokens")
    if not isinstance(tokens, list | str | dict):
        raise PythonError("TypeError", f"'{type(tokens).__name__}' object is not iterable")
    allowed = not ctx.state.settings.strict_tenant_isolation or tenant_id == ctx.tenant.tenant_id
    for token in tokens:
        row = ctx.backends.token(token) if isinstance(token, str) else None
        if allowed and row is not None and row.tenant_id == tenant_id and row.token == token:
            ctx.backends.remove_token(token)
    return json_result(data=True)


async def get_legacy_stats(ctx: RequestContext) -> Response:
    """GET /v1/api/stats: per-day pv, uv, speed, tokens, round, thumb_up of the tenant's chat conversations."""
    clock = ctx.backends.clock
    now = datetime.fromtimestamp(clock.now(), clock.zone).replace(tzinfo=None)
    from_date = ctx.query.get("from_date", (now - timedelta(days=7)).strftime("%Y-%m-%d 00:00:00"))
    to_date = ctx.query.get("to_date", now.strftime("%Y-%m-%d %H:%M:%S"))
    if len(to_date) == 10:
        to_date += " 23:59:59"
    source = "agent" if "canvas_id" in ctx.query else None
    chats = ctx.tenant.chats.items
    days: dict[str, list[AgentSession]] = {}
    for row in ctx.tenant.agent_sessions.items.values():
        stamp = clock.local_datetime(row.create_time / 1000)
        if row.dialog_id in chats and row.source == source and from_date <= stamp <= to_date:
            days.setdefault(stamp[:10], []).append(row)
    stats = []
    for day, rows in sorted(days.items()):
        tokens, duration = sum(r.tokens for r in rows), sum(r.duration for r in rows)
        stats.append(
            {
                "dt": day,
                "pv": len(rows),
                "uv": len({r.user_id for r in rows}),
                "speed": float(tokens) / (float(duration) + 0.1),
                "tokens": float(tokens) / 1000.0,
                "round": f"{sum(r.round for r in rows) / len(rows):.4f}",
                "thumb_up": str(sum(r.thumb_up for r in rows)),
            }
        )
    data = {key: [[s["dt"], s[key]] for s in stats] for key in ("pv", "uv", "speed", "tokens", "round", "thumb_up")}
    return json_result(data=data)


# -- conversations (chatbot key) -------------------------------------------------------------------
async def create_legacy_conversation(ctx: RequestContext) -> Response:
    """GET /v1/api/new_conversation?user_id=…: a conversation with the chat's (or agent's) opener."""
    row = legacy_key(ctx)
    user_id = ctx.query.get("user_id", "")
    tenant = ctx.tenant
    dialog_id = row.dialog_id or ""
    if row.source == "agent":
        agent = tenant.agents.get(dialog_id)
        if agent is None:
            raise PythonError("AttributeError", "'str' object has no attribute 'args'")
        canvas = Canvas(agent.dsl)
        canvas.reset()
        message = [{"role": "assistant", "content": canvas.prologue()}]
        conversation = tenant.agent_sessions.create(agent.id, user_id, message, canvas.to_dsl())
        data = {"id": conversation.id, "dialog_id": agent.id, "user_id": user_id, "message": message}
        return json_result(data={**data, "source": "agent"})
    chat = tenant.chats.items.get(dialog_id)
    if chat is None:
        raise DataError("Dialog not found")
    message = [{"content": chat.prologue, "role": "assistant"}]
    conversation = tenant.agent_sessions.create(chat.id, user_id, message, {})
    conversation.source = None
    return json_result(data={"dialog_id": chat.id, "id": conversation.id, "message": message, "user_id": user_id})


async def get_legacy_conversation(ctx: RequestContext) -> Response:
    """GET /v1/api/conversation/{conversation_id}: only the dialog's first key may read it."""
    row = legacy_key(ctx)
    conversation = find_conversation(ctx, ctx.path_param("conversation_id"))
    if conversation is None:
        raise DataError("Conversation not found!")
    first = _dialog_tokens(ctx, conversation.dialog_id)
    if not first:
        raise PythonError("IndexError", "list index out of range")
    if first[0].token != row.token:
        raise AuthError('Authentication error: API key is invalid for this conversation_id!"')
    data = copy.deepcopy(asdict(conversation))
    for entry in data["reference"]:
        if not entry:
            continue
        if not isinstance(entry, dict) or "chunks" not in entry:
            raise PythonError("KeyError", "chunks")
        for chunk in entry["chunks"]:
            if isinstance(chunk, dict) and "docnm_kwd" in chunk:
                chunk["doc_name"] = chunk.pop("docnm_kwd")
    return json_result(data=data)


HANDLERS: dict[str, Handler] = {
    "createLegacyToken": create_legacy_token,
    "listLegacyTokens": list_legacy_tokens,
    "removeLegacyTokens": remove_legacy_tokens,
    "getLegacyStats": get_legacy_stats,
    "createLegacyConversation": create_legacy_conversation,
    "getLegacyConversation": get_legacy_conversation,
}
