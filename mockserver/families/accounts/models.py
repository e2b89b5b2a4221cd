"""Accounts: the `User` record and `AccountStore` (registration, login tokens, passwords, tenant membership)."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mockserver.core.errors import DataError, PythonError
from mockserver.core.pagination import collation_key
from mockserver.core.python_failures import item
from mockserver.families.accounts.crypto import (
    RsaPrivateKey,
    TimedSerializer,
    TransportError,
    check_password,
    decode_transported_password,
    hash_password,
    private_key_from,
)
from mockserver.families.accounts.errors import AccountFailure

if TYPE_CHECKING:
    from mockserver.state.backend import Backends, TenantBackend

EMAIL_PATTERN = re.compile(r"^[\w._-]+@([\w_-]+\.)+[\w-]{2,}$")
TENANT_NAME_SUFFIX = "\u2018s Kingdom"
SUCCESS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Method": "*",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "Authorization",
}
"""Headers register and login add next to `Authorization` (the singular `Method` is the server's)."""


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
            raise exc from None
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
