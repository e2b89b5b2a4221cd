"""Accounts: the `User` record and `AccountStore` (registration, login tokens, passwords, tenant membership)."""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from mockserver.core.catalog import split_model_id
from mockserver.core.clock import Clock
from mockserver.core.errors import DataError
from mockserver.core.ids import IdFactory
from mockserver.core.indexes import Indexed, Key, Table
from mockserver.core.pagination import collation_key
from mockserver.core.python_failures import from_exception, not_string_or_bytes
from mockserver.core.tenancy import TenantContext
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
from mockserver.families.accounts.profile import TenantProfile
from mockserver.settings import Settings

EMAIL_PATTERN = re.compile(r"^[\w._-]+@([\w_-]+\.)+[\w-]{2,}$")
TENANT_NAME_SUFFIX = "\u2018s Kingdom"
SUCCESS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Method": "*",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "Authorization",
}
"""Headers register and login add next to `Authorization` (the singular `Method` is the server's)."""
DEFAULT_CHAT_MODEL = "qwen-plus@Tongyi-Qianwen"
"""The chat model of tenants the emulator provisions (configured keys, worlds, web users)."""
DEFAULT_EMBEDDING_MODEL = "BAAI/bge-large-zh-v1.5@BAAI"
"""A full-image deployment's default embedding model for a new tenant (built in, no key needed)."""
EMULATED_PROVIDER_KEY = "emulated"
"""The API key the emulator stores for the default chat model's provider (never sent anywhere)."""


@dataclass
class User(Indexed):
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


USER_KEYS = {
    "email": Key(("email",), lambda u: collation_key(u.email)),
    "access_token": Key(("access_token", "status"), lambda u: u.access_token if u.status == "1" else None),
}
"""The user table's maps: emails under collation, the access tokens of live users."""


@dataclass(frozen=True)
class Credentials:
    """A login body's `email` and `password` as sent (any JSON value; the rules check them)."""

    email: Any
    password: Any


class AccountTenant(TenantContext, Protocol):
    """A user's tenant as registration and `set_tenant_info` see it."""

    asr_id: str
    img2txt_id: str
    rerank_id: str

    @property
    def profile(self) -> TenantProfile:
        """The tenant row's other columns."""


class AccountBackends(Protocol):
    """What `AccountStore` uses of the app's state root (`Backends`): settings, time, ids, the tenants."""

    @property
    def settings(self) -> Settings:
        """The app's settings."""

    @property
    def clock(self) -> Clock:
        """The app's clock."""

    @property
    def ids(self) -> IdFactory:
        """The app's id factory."""

    def create_tenant(self, tenant_id: str | None = None, name: str = "") -> AccountTenant:
        """Create (or return the existing) tenant with this id."""

    def tenant(self, tenant_id: str) -> AccountTenant | None:
        """The tenant with this id, if any."""


class AccountStore:
    """All users of one app (`backends.accounts`); each user owns the tenant with the same id."""

    def __init__(self, backends: AccountBackends) -> None:
        self.backends = backends
        settings = backends.settings
        self.secret_key = settings.extra.get("secret_key") or backends.clock.local_datetime()[:10]
        self._key_source = (settings.rsa_private_key, settings.rsa_key_passphrase)
        self.register_enabled: bool = settings.register_enabled
        self.users: dict[str, User] = {}
        self.table: Table[User] = Table(lambda: self.users, USER_KEYS)
        self._verified: set[tuple[str, str]] = set()
        self.betaless_tokens: set[str] = set()
        """Legacy keys whose `beta` column is still null (generated when `/v1/system/token_list` shows them)."""
        self.catalog_time = backends.clock.now()

    # -- lookups ---------------------------------------------------------------------------------

    @functools.cached_property
    def private_key(self) -> RsaPrivateKey | None:
        """The RSA key that decrypts the UI's transported passwords, read on first use (decrypting RAGFlow's shipped
        PEM costs ~0.1 s, which an app that never sees a web login should not pay at start)."""
        return private_key_from(*self._key_source)

    def by_email(self, email: object) -> User | None:
        """The user with this email under MySQL collation (any status)."""
        if not isinstance(email, str):
            return None
        return self.table.first("email", collation_key(email))

    def user_for_login_token(self, header: str) -> User | None:
        """Unsign a raw login token and find the live user holding that access token."""
        access = TimedSerializer(self.secret_key).loads(header)
        if not isinstance(access, str) or not access:
            return None
        return self.table.first("access_token", access)

    def login_token(self, user: User) -> str:
        """The signed form of the user's current access token."""
        return TimedSerializer(self.secret_key).dumps(user.access_token, int(self.backends.clock.now()))

    # -- rules -----------------------------------------------------------------------------------
    def decode_password(self, value: object) -> str:
        """The transported password (raises `TransportError` like the server's decrypt)."""
        return decode_transported_password(value, self.private_key)

    def check_registration_open(self) -> None:
        """registerUser's first rule: 103 when registration is disabled (checked before the body is read)."""
        if not self.register_enabled:
            raise AccountFailure(103, "User registration is disabled!")

    def register(self, email: Any, password: Any, nickname: Any) -> User:
        """registerUser: register a user and create their tenant (checks in the server's order)."""
        self.check_registration_open()
        if not isinstance(email, str):
            raise not_string_or_bytes()
        if EMAIL_PATTERN.match(email) is None:
            raise AccountFailure(103, f"Invalid email address: {email}!")
        if self.by_email(email) is not None:
            raise AccountFailure(103, f"Email: {email} has already registered!")
        secret = self.decode_password(password)
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
        tenant.asr_id = tenant.img2txt_id = tenant.rerank_id = ""
        if self.backends.settings.configure_new_tenants:
            configure_default_models(tenant)
        else:
            tenant.llm_id = ""
        self.table.put(user.id, user)
        return user

    def add_user(self, tenant: AccountTenant, email: str, password: str, nickname: str) -> User:
        """A user owning an existing tenant (same id), with a clear-text password (worlds: the demo web user).

        The stored secret is what the web UI's transport decrypts to: the base64 of the password.
        """
        if self.by_email(email) is not None:
            raise AccountFailure(103, f"Email: {email} has already registered!")
        clock, ids = self.backends.clock, self.backends.ids
        now = clock.now()
        stamp_ms, stamp_date = clock.epoch_ms(now), clock.http_date(now)
        secret = base64.b64encode(password.encode("utf-8")).decode("ascii")
        user = User(
            id=tenant.tenant_id,
            email=email,
            nickname=nickname,
            password=hash_password(secret, deterministic=True),
            access_token=ids.entity(),
            create_time=stamp_ms,
            create_date=stamp_date,
            update_time=stamp_ms,
            update_date=stamp_date,
            last_login_time=stamp_date,
        )
        self._verified.add((user.password, secret))
        configure_default_models(tenant)
        self.table.put(user.id, user)
        return user

    def login(self, credentials: Credentials | None) -> User:
        """loginUser, loginUserGet: check the credentials (None: no body) and rotate the access token.

        Every older login token of the user dies.
        """
        if credentials is None:
            raise AccountFailure(109, "Unauthorized!")
        email = credentials.email
        if self.by_email(email) is None:
            raise AccountFailure(109, f"Email: {email} is not registered!")
        try:
            secret = self.decode_password(credentials.password)
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
        """logoutUser: kill the user's login token."""
        user.access_token = ""

    def user_of(self, tenant: TenantContext) -> User:
        """getUserInfo, logoutUser: the user owning a tenant (login-token callers always have one)."""
        user = self.users.get(tenant.tenant_id)
        if user is None:
            raise DataError("Tenant not found!")
        return user

    def set_tenant_info(self, caller: TenantContext, tenant_id: Any, changes: dict[str, Any]) -> None:
        """setTenantInfo: write the columns of any tenant (no ownership check on the server; see docs/quirks.md).

        Under `strict_tenant_isolation` only the caller's own tenant is written; an unknown id writes nothing.
        """
        clock = self.backends.clock
        now = clock.now()
        stamp = datetime.fromtimestamp(now, clock.zone).replace(microsecond=0, tzinfo=None)
        target = self._tenant_target(caller, tenant_id)
        if target is not None:
            target.profile.update_columns(changes, clock.epoch_ms(now), stamp)

    def _tenant_target(self, caller: TenantContext, tenant_id: Any) -> AccountTenant | None:
        if not isinstance(tenant_id, str):
            return None
        if self.backends.settings.strict_tenant_isolation and tenant_id != caller.tenant_id:
            return None
        return self.backends.tenant(tenant_id)


def configure_default_models(tenant: AccountTenant) -> None:
    """The emulator's usable defaults for a web user's tenant: its chat model's provider gets a key (so the
    model shows in `my_llms`) and the built-in embedding model is the default."""
    tenant.llm_id = tenant.llm_id or DEFAULT_CHAT_MODEL
    tenant.embd_id = tenant.embd_id or DEFAULT_EMBEDDING_MODEL
    factory = split_model_id(tenant.llm_id)[1]
    if factory and not tenant.profile.my_llms().get(factory):
        tenant.profile.set_api_key(factory, EMULATED_PROVIDER_KEY, "", {})


def _creation_failure(nickname: Any, email: str) -> str | None:
    """What creating the rows would fail with: `nickname + "‘s Kingdom"`, then MySQL column widths."""
    try:
        _ = nickname + TENANT_NAME_SUFFIX
    except TypeError as exc:
        return from_exception(exc).text
    for column, value, width in (("nickname", nickname, 100), ("email", email, 255)):
        if len(value) > width:
            return f"(1406, \"Data too long for column '{column}' at row 1\")"
    if len(nickname + TENANT_NAME_SUFFIX) > 100:
        return "(1406, \"Data too long for column 'name' at row 1\")"
    return None
