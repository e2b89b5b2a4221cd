"""The `/v1/user/*` handlers: register, login, logout, user and tenant info."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mockserver.core.python_failures import item
from mockserver.http.envelope import EnvelopeResponse, json_result, json_result_payload
from mockserver.http.request_args import require_arguments

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import TenantBackend

from mockserver.families.accounts.models import SUCCESS_HEADERS


# -- HTTP half -----------------------------------------------------------------------------------
def _with_login_headers(payload: dict[str, Any], token: str) -> Response:
    return EnvelopeResponse(payload, headers={"Authorization": token, **SUCCESS_HEADERS})


async def register_user(ctx: RequestContext) -> Response:
    """POST /v1/user/register."""
    await require_arguments(ctx, "nickname", "email", "password")
    accounts = ctx.backends.accounts
    user = accounts.register(await ctx.json_forced())
    payload = json_result_payload(0, f"{user.nickname}, welcome aboard!", user.to_api())
    return _with_login_headers(payload, accounts.login_token(user))


async def login_user(ctx: RequestContext) -> Response:
    """POST or GET /v1/user/login."""
    accounts = ctx.backends.accounts
    user = accounts.login(await ctx.json_forced())
    data = user.to_api()
    data["update_time"], data["update_date"] = [user.update_time], [user.update_date]
    return _with_login_headers(json_result_payload(0, "Welcome back!", data), accounts.login_token(user))


async def logout_user(ctx: RequestContext) -> Response:
    """GET /v1/user/logout."""
    accounts = ctx.backends.accounts
    accounts.logout(accounts.user_of(ctx.tenant))
    return json_result(data=True)


async def get_user_info(ctx: RequestContext) -> Response:
    """GET /v1/user/info."""
    return json_result(data=ctx.backends.accounts.user_of(ctx.tenant).to_api())


async def get_tenant_info(ctx: RequestContext) -> Response:
    """GET /v1/user/tenant_info."""
    return json_result(data=ctx.tenant.profile.info())


async def set_tenant_info(ctx: RequestContext) -> Response:
    """POST /v1/user/set_tenant_info: no ownership check on the real server (see docs/quirks.md)."""
    await require_arguments(ctx, "tenant_id", "asr_id", "embd_id", "img2txt_id", "llm_id")
    body = await ctx.json_forced()
    tenant_id = item(body, "tenant_id")
    changes = {k: v for k, v in body.items() if k != "tenant_id"}
    clock = ctx.backends.clock
    now = clock.now()
    stamp = datetime.fromtimestamp(now, clock.zone).replace(microsecond=0, tzinfo=None)
    target = _tenant_target(ctx, tenant_id)
    if target is not None:
        target.profile.update_columns(changes, clock.epoch_ms(now), stamp)
    return json_result(data=True)


def _tenant_target(ctx: RequestContext, tenant_id: Any) -> TenantBackend | None:
    """The tenant `set_tenant_info` writes: any tenant on the server, the caller's own under isolation."""
    if not isinstance(tenant_id, str):
        return None
    if ctx.state.settings.strict_tenant_isolation and tenant_id != ctx.tenant.tenant_id:
        return None
    return ctx.backends.tenant(tenant_id)


HANDLERS: dict[str, Handler] = {
    "registerUser": register_user,
    "loginUser": login_user,
    "loginUserGet": login_user,
    "logoutUser": logout_user,
    "getUserInfo": get_user_info,
    "getTenantInfo": get_tenant_info,
    "setTenantInfo": set_tenant_info,
}
