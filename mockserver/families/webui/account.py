"""The web UI's account rules: the memberships of `/v1/tenant/list` and the profile of `/v1/user/setting`."""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import Any

from mockserver.core.errors import RefusalError, RetCode
from mockserver.families.accounts.crypto import check_password, hash_password
from mockserver.families.accounts.models import AccountStore, User

PROTECTED_USER_KEYS = frozenset(
    {
        "password",
        "new_password",
        "email",
        "status",
        "is_superuser",
        "login_channel",
        "is_anonymous",
        "is_active",
        "is_authenticated",
        "last_login_time",
    }
)
"""Keys `user/setting` never copies into the user row (`access_token` is not among them at this commit)."""
USER_COLUMNS = frozenset(f.name for f in fields(User))


def joined_tenants(user: User, now: float) -> list[dict[str, Any]]:
    """listTenants: every membership of the user; in the emulator that is its own tenant, as owner."""
    return [
        {
            "avatar": user.avatar,
            "delta_seconds": round(max(0.0, now - user.update_time / 1000), 6),
            "email": user.email,
            "nickname": user.nickname,
            "role": "owner",
            "tenant_id": user.id,
            "update_date": user.update_date,
        }
    ]


def update_user_settings(accounts: AccountStore, user: User, body: dict[str, Any]) -> None:
    """setUserSetting: `password` (transported) must match to set `new_password`; other keys are copied into the
    user row except the protected ones; a key that is not a column fails the update as a whole."""
    new_hash: str | None = None
    if body.get("password"):
        secret = accounts.decode_password(body["password"])
        if not check_password(user.password, secret):
            raise RefusalError("Password error!", code=RetCode.AUTHENTICATION_ERROR.value)
        if body.get("new_password"):
            new_hash = hash_password(accounts.decode_password(body["new_password"]))
    changes = {k: copy.deepcopy(v) for k, v in body.items() if k not in PROTECTED_USER_KEYS}
    if any(key not in USER_COLUMNS for key in changes):
        raise RefusalError("Update failure!", code=RetCode.EXCEPTION_ERROR.value)
    for key, value in changes.items():
        setattr(user, key, value)
    if new_hash is not None:
        user.password = new_hash
    now = accounts.backends.clock.now()
    user.update_time = accounts.backends.clock.epoch_ms(now)
    user.update_date = accounts.backends.clock.http_date(now)
