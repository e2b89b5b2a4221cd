"""Profile 2024-05-legacy handlers of keys (web login) and conversations: `retcode`/`retmsg` bodies of v0.7.0."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.python_failures import item, key_error
from mockserver.families.accounts.tokens import dialog_tokens
from mockserver.families.legacy.service import LegacyScope, create_token, token_view
from mockserver.families.legacy_2024_05.conversations import new_conversation, read_conversation
from mockserver.http.context import RequestContext
from mockserver.http.envelope import retcode_result
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler
from mockserver.state.backend import ApiToken

V07_TOKEN_COLUMNS = ("create_date", "create_time", "dialog_id", "tenant_id", "token", "update_date", "update_time")
"""API-token columns at v0.7.0 (no `source`, no `beta`)."""


def v07_key(ctx: RequestContext) -> ApiToken:
    """The inline key check of v0.7.0's `/v1/api` routes (crashes for bad headers, `Token is not valid!"`)."""
    identity = ctx.authenticate("V07ApiKey")
    if identity.token is None:  # an API-key scheme always yields its token row
        raise RuntimeError("v0.7.0 key check returned no token row")
    return identity.token


def v07_scope(ctx: RequestContext) -> LegacyScope:
    """The key's tenant and the tenants an unscoped v0.7.0 lookup reaches (only its own under isolation)."""
    return LegacyScope(ctx.backends, ctx.tenant)


async def v07_new_token(ctx: RequestContext) -> Response:
    """v07NewToken: POST /v1/api/new_token (web login; a key bound to the chat `dialog_id`)."""
    await require_arguments(ctx, "dialog_id")
    ctx.authenticate("LoginToken")
    row = create_token(v07_scope(ctx), None, item(await ctx.json_forced(), "dialog_id"))
    return retcode_result(token_view(row))


async def v07_list_tokens(ctx: RequestContext) -> Response:
    """v07ListTokens: GET /v1/api/token_list?dialog_id=… (web login; the chat's keys, v0.7.0 columns)."""
    ctx.authenticate("LoginToken")
    if "dialog_id" not in ctx.query:
        raise key_error("dialog_id")
    rows = dialog_tokens(ctx.backends, ctx.tenant.tenant_id, ctx.query["dialog_id"])
    return retcode_result([{k: row[k] for k in V07_TOKEN_COLUMNS} for row in rows])


async def v07_new_conversation(ctx: RequestContext) -> Response:
    """v07NewConversation: GET /v1/api/new_conversation?user_id=… (the whole 13-column row)."""
    key = v07_key(ctx)
    return retcode_result(new_conversation(ctx.tenant, key, ctx.query.get("user_id", "")))


async def v07_get_conversation(ctx: RequestContext) -> Response:
    """v07GetConversation: GET /v1/api/conversation/{conversation_id} (no authentication at v0.7.0)."""
    return retcode_result(read_conversation(ctx.backends, ctx.path_param("conversation_id")))


HANDLERS: dict[str, Handler] = {
    "v07NewToken": v07_new_token,
    "v07ListTokens": v07_list_tokens,
    "v07NewConversation": v07_new_conversation,
    "v07GetConversation": v07_get_conversation,
}
