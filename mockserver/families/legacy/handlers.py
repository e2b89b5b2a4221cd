"""Legacy `/v1/api` handlers: chatbot keys bound to a chat or agent (web login), usage stats, and conversations."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.python_failures import get, item, iterate, key_error
from mockserver.families.accounts.tokens import dialog_tokens, remove_tokens
from mockserver.families.legacy.service import (
    LegacyScope,
    create_token,
    new_conversation,
    read_conversation,
    token_view,
    usage_stats,
)
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler
from mockserver.state.backend import ApiToken


# -- shared by the legacy modules --------------------------------------------------------------------
def legacy_key(ctx: RequestContext) -> ApiToken:
    """The inline key check of the legacy routes (crashes for bad headers, 109 with a stray quote)."""
    identity = ctx.authenticate("LegacyApiKey")
    if identity.token is None:  # the legacy scheme always yields a token row
        raise RuntimeError("legacy key check returned no token row")
    return identity.token


def scope(ctx: RequestContext) -> LegacyScope:
    """The caller's tenant and the tenants its unscoped lookups reach."""
    return LegacyScope(ctx.backends, ctx.tenant)


# -- keys (web login) --------------------------------------------------------------------------------
async def create_legacy_token(ctx: RequestContext) -> Response:
    """createLegacyToken: POST /v1/api/new_token (a key bound to `dialog_id`, or to `canvas_id` as an agent)."""
    body = await ctx.json_forced()
    canvas_id = get(body, "canvas_id")
    row = create_token(scope(ctx), canvas_id, None if canvas_id else item(body, "dialog_id"))
    data = token_view(row)
    if row.source is not None:
        data["source"] = row.source
    return json_result(data=data)


async def list_legacy_tokens(ctx: RequestContext) -> Response:
    """listLegacyTokens: GET /v1/api/token_list?dialog_id=… (or canvas_id=…)."""
    query = ctx.query
    dialog_id = query["dialog_id"] if "dialog_id" in query else query.get("canvas_id")
    if dialog_id is None:
        raise key_error("canvas_id")
    return json_result(data=dialog_tokens(ctx.backends, ctx.tenant.tenant_id, dialog_id))


async def remove_legacy_tokens(ctx: RequestContext) -> Response:
    """removeLegacyTokens: POST /v1/api/rm (the argument guard runs before the login check)."""
    await require_arguments(ctx, "tokens", "tenant_id")
    ctx.authenticate("LoginToken")
    body = await ctx.json_forced()
    tenant_id, tokens = item(body, "tenant_id"), item(body, "tokens")
    remove_tokens(ctx.backends, ctx.tenant, tenant_id, iterate(tokens))
    return json_result(data=True)


async def get_legacy_stats(ctx: RequestContext) -> Response:
    """getLegacyStats: GET /v1/api/stats (per-day usage of the tenant's chat, or agent, conversations)."""
    query = ctx.query
    data = usage_stats(ctx.tenant, query.get("from_date"), query.get("to_date"), agent="canvas_id" in query)
    return json_result(data=data)


# -- conversations (chatbot key) -------------------------------------------------------------------
async def create_legacy_conversation(ctx: RequestContext) -> Response:
    """createLegacyConversation: GET /v1/api/new_conversation?user_id=… (the chat's or agent's opener)."""
    row = legacy_key(ctx)
    return json_result(data=new_conversation(ctx.tenant, row, ctx.query.get("user_id", "")))


async def get_legacy_conversation(ctx: RequestContext) -> Response:
    """getLegacyConversation: GET /v1/api/conversation/{conversation_id} (the dialog's first key only)."""
    row = legacy_key(ctx)
    return json_result(data=read_conversation(scope(ctx), ctx.path_param("conversation_id"), row))


HANDLERS: dict[str, Handler] = {
    "createLegacyToken": create_legacy_token,
    "listLegacyTokens": list_legacy_tokens,
    "removeLegacyTokens": remove_legacy_tokens,
    "getLegacyStats": get_legacy_stats,
    "createLegacyConversation": create_legacy_conversation,
    "getLegacyConversation": get_legacy_conversation,
}
