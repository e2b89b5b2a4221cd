"""Accounts: users with one rotating login token each, and the `/v1/user/*` handlers."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mockserver.auth import register_login_resolver
from mockserver.envelope import EnvelopeResponse, json_result, json_result_payload
from mockserver.errors import DataError, PythonError, RagflowError
from mockserver.pagination import collation_key
from mockserver.resources.account_crypto import (
    RsaPrivateKey,
    TimedSerializer,
    TransportError,
    check_password,
    decode_transported_password,
    hash_password,
    private_key_from,
)
from mockserver.resources.request_args import item, require_arguments

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.backend import Backends, TenantBackend
    from mockserver.context import RequestContext
    from mockserver.routing import Handler

EMAIL_PATTERN = re.compile(r"^[\w._-]+@([\w_-]+\.)+[\w-]{2,}$")
TENANT_NAME_SUFFIX = "\u2018s Kingdom"
SUCCESS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Method": "*",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "Authorization",
}
"""Headers register and login add next to `Authorization` (the singular `Method` is the server's)."""


class AccountFailure(RagflowError):
    """A 3-key web error `{"code":c,"data":false,"message":m}` (register/login refusals)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message, data=False, code=code)

    def payload(self) -> dict[str, Any]:
        return json_result_payload(self.instance_code, self.message, False)


@dataclass
class User:
    """One user row: the 20 columns the server returns (password hash and access token included)."""

    id: str
    email: str
    nickname: str
    password: str
    access_token: str
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    last_login_time: str
    avatar: str | None = None
    color_schema: str = "Bright"
    is_active: str = "1"
    is_anonymous: str = "0"
    is_authenticated: str = "1"
    is_superuser: bool = False
    language: str = "English"
    login_channel: str = "password"
    status: str = "1"
    timezone: str = "UTC+8\tAsia/Shanghai"

    def to_api(self) -> dict[str, Any]:
        """The user object of register/login/info."""
        return asdict(self)


class AccountStore:
    """All users of one app (`backends.accounts`); each user owns the tenant with the same id."""

    def __init__(self, backends: Backends) -> None:
        self.backends = backends
        extra = backends.settings.extra
        self.secret_key = extra.get("secret_key") or backends.clock.local_datetime()[:10]
        self.private_key: RsaPrivateKey | None = private_key_from(extra.get("rsa_private_key"))
        self.register_enabled = extra.get("register_enabled", os.environ.get("REGISTER_ENABLED", "1"))
        self.users: dict[str, User] = {}
        self._verified: set[tuple[str, str]] = set()
        self.betaless_tokens: set[str] = set()
        """Legacy keys whose `beta` column is still null (generated when `/v1/system/token_list` shows them)."""
        self.catalog_time = backends.clock.now()

    # -- lookups ---------------------------------------------------------------------------------
    def by_email(self, email: object) -> User | None:
        """The user with this email under MySQL collation (any status)."""
        if not isinstance(email, str):
            return None
        key = collation_key(email)
        return next((u for u in self.users.values() if collation_key(u.email) == key), None)

    def user_for_login_token(self, header: str) -> User | None:
        """Unsign a raw login token and find the live user holding that access token."""
        access = TimedSerializer(self.secret_key).loads(header)
        if not isinstance(access, str) or not access:
            return None
        return next((u for u in self.users.values() if u.access_token == access and u.status == "1"), None)

    def login_token(self, user: User) -> str:
        """The signed form of the user's current access token."""
        return TimedSerializer(self.secret_key).dumps(user.access_token, int(self.backends.clock.now()))

    # -- rules -----------------------------------------------------------------------------------
    def decode_password(self, value: object) -> str:
        """The transported password (raises `TransportError` like the server's decrypt)."""
        return decode_transported_password(value, self.private_key)

    def register(self, body: Any) -> User:
        """Register a user and create their tenant (checks in the server's order)."""
        if str(self.register_enabled).strip() == "0":
            raise AccountFailure(103, "User registration is disabled!")
        email = item(body, "email")
        if not isinstance(email, str):
            raise PythonError("TypeError", "expected string or bytes-like object")
        if EMAIL_PATTERN.match(email) is None:
            raise AccountFailure(103, f"Invalid email address: {email}!")
        if self.by_email(email) is not None:
            raise AccountFailure(103, f"Email: {email} has already registered!")
        try:
            secret = self.decode_password(item(body, "password"))
        except TransportError as exc:
            raise PythonError(exc.exc_class, exc.text) from None
        nickname = item(body, "nickname")
        failure = _creation_failure(nickname, email)
        if failure:
            raise AccountFailure(100, f"User registration failure, error: {failure}")
        return self._create(email, nickname, secret)

    def _create(self, email: str, nickname: str, secret: str) -> User:
        clock, ids = self.backends.clock, self.backends.ids
        now = clock.now()
        stamp_ms, stamp_date = clock.epoch_ms(now), clock.http_date(now)
        user = User(
            id=ids.entity(),
            email=email,
            nickname=nickname,
            password=hash_password(secret, deterministic=self.backends.ids.seed is not None),
            access_token=ids.entity(),
            create_time=stamp_ms,
            create_date=stamp_date,
            update_time=stamp_ms,
            update_date=stamp_date,
            last_login_time=stamp_date,
        )
        self._verified.add((user.password, secret))
        tenant = self.backends.create_tenant(user.id, name=nickname + TENANT_NAME_SUFFIX)
        tenant.llm_id = tenant.asr_id = tenant.img2txt_id = tenant.rerank_id = ""
        self.users[user.id] = user
        return user

    def login(self, body: Any) -> User:
        """Check the credentials and rotate the access token (every older login token dies)."""
        if not body:
            raise AccountFailure(109, "Unauthorized!")
        email = body.get("email", "") if isinstance(body, dict) else ""
        if self.by_email(email) is None:
            raise AccountFailure(109, f"Email: {_py_str(email)} is not registered!")
        try:
            secret = self.decode_password(body.get("password") if isinstance(body, dict) else None)
        except TransportError:
            raise AccountFailure(500, "Fail to crypt password") from None
        user = self.by_email(email)
        if user is None or user.status != "1" or not self._matches(user.password, secret):
            raise AccountFailure(109, "Email and password do not match!")
        now = self.backends.clock.now()
        user.access_token = self.backends.ids.entity()
        user.update_time = self.backends.clock.epoch_ms(now)
        user.update_date = self.backends.clock.http_date(now)
        return user

    def _matches(self, stored: str, secret: str) -> bool:
        if (stored, secret) in self._verified:
            return True
        if check_password(stored, secret):
            self._verified.add((stored, secret))
            return True
        return False

    def logout(self, user: User) -> None:
        """Kill the user's login token."""
        user.access_token = ""

    def user_of(self, tenant: TenantBackend) -> User:
        """The user owning a tenant (login-token callers always have one)."""
        user = self.users.get(tenant.tenant_id)
        if user is None:
            raise DataError("Tenant not found!")
        return user


def _creation_failure(nickname: Any, email: str) -> str | None:
    """What creating the rows would fail with: string concatenation, then MySQL column widths."""
    if not isinstance(nickname, str):
        if isinstance(nickname, list):
            return 'can only concatenate list (not "str") to list'
        return f"unsupported operand type(s) for +: '{type(nickname).__name__}' and 'str'"
    for column, value, width in (("nickname", nickname, 100), ("email", email, 255)):
        if len(value) > width:
            return f"(1406, \"Data too long for column '{column}' at row 1\")"
    if len(nickname + TENANT_NAME_SUFFIX) > 100:
        return "(1406, \"Data too long for column 'name' at row 1\")"
    return None


def _py_str(value: Any) -> str:
    """Python's `str()` of a JSON value, as an f-string prints it."""
    return "None" if value is None else str(value)


def resolve_login_token(backends: Backends, header: str) -> TenantBackend | None:
    """Login-token resolver for `auth.login_token`: the tenant of the user holding this token."""
    accounts: AccountStore | None = getattr(backends, "accounts", None)
    user = None if accounts is None else accounts.user_for_login_token(header)
    return None if user is None else backends.tenant(user.id)


register_login_resolver(resolve_login_token)


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
