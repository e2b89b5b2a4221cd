"""The `/v1/user/*` handlers: register, login, logout, user and tenant info."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.core.python_failures import item
from mockserver.families.accounts.models import SUCCESS_HEADERS, Credentials
from mockserver.http.context import RequestContext
from mockserver.http.envelope import EnvelopeResponse, json_result, json_result_payload
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler


def _with_login_headers(payload: dict[str, Any], token: str) -> Response:
    return EnvelopeResponse(payload, headers={"Authorization": token, **SUCCESS_HEADERS})


async def register_user(ctx: RequestContext) -> Response:
    """registerUser: POST /v1/user/register."""
    await require_arguments(ctx, "nickname", "email", "password")
    accounts = ctx.backends.accounts
    body = await ctx.json_forced()
    accounts.check_registration_open()
    email = item(body, "email")
    user = accounts.register(email, item(body, "password"), item(body, "nickname"))
    payload = json_result_payload(0, f"{user.nickname}, welcome aboard!", user.to_api())
    return _with_login_headers(payload, accounts.login_token(user))


def _credentials(body: Any) -> Credentials | None:
    """A login body's fields (None for an empty body; a non-object body sends neither)."""
    if not body:
        return None
    if not isinstance(body, dict):
        return Credentials(email="", password=None)
    return Credentials(email=body.get("email", ""), password=body.get("password"))


async def login_user(ctx: RequestContext) -> Response:
    """loginUser, loginUserGet: POST or GET /v1/user/login."""
    accounts = ctx.backends.accounts
    user = accounts.login(_credentials(await ctx.json_forced()))
    data = user.to_api()
    data["update_time"], data["update_date"] = [user.update_time], [user.update_date]
    return _with_login_headers(json_result_payload(0, "Welcome back!", data), accounts.login_token(user))


async def logout_user(ctx: RequestContext) -> Response:
    """logoutUser: GET /v1/user/logout."""
    accounts = ctx.backends.accounts
    accounts.logout(accounts.user_of(ctx.tenant))
    return json_result(data=True)


async def get_user_info(ctx: RequestContext) -> Response:
    """getUserInfo: GET /v1/user/info."""
    return json_result(data=ctx.backends.accounts.user_of(ctx.tenant).to_api())


async def get_tenant_info(ctx: RequestContext) -> Response:
    """getTenantInfo: GET /v1/user/tenant_info."""
    return json_result(data=ctx.tenant.profile.info())


async def set_tenant_info(ctx: RequestContext) -> Response:
    """setTenantInfo: POST /v1/user/set_tenant_info (no ownership check on the real server; see docs/quirks.md)."""
    await require_arguments(ctx, "tenant_id", "asr_id", "embd_id", "img2txt_id", "llm_id")
    body = await ctx.json_forced()
    tenant_id = item(body, "tenant_id")
    changes = {k: v for k, v in body.items() if k != "tenant_id"}
    ctx.backends.accounts.set_tenant_info(ctx.tenant, tenant_id, changes)
    return json_result(data=True)


HANDLERS: dict[str, Handler] = {
    "registerUser": register_user,
    "loginUser": login_user,
    "loginUserGet": login_user,
    "logoutUser": logout_user,
    "getUserInfo": get_user_info,
    "getTenantInfo": get_tenant_info,
    "setTenantInfo": set_tenant_info,
}
