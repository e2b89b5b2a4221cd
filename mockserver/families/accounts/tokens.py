"""API keys in the server's `ragflow-…` recipe: issuing, listing and deleting them (over `Backends`' token table)."""

from __future__ import annotations

from typing import Any

from mockserver.core.errors import DataError
from mockserver.families.accounts.crypto import api_token_text
from mockserver.state.backend import ApiToken, Backends, TenantBackend


def generate_token(backends: Backends, tenant_id: str) -> str:
    """`ragflow-` + 32 characters cut from a tenant-keyed signature of a fresh UUID1."""
    return api_token_text(tenant_id, backends.ids.entity(), int(backends.clock.now()))


def issue_api_token(
    backends: Backends, tenant: TenantBackend, *, dialog_id: str | None = None, source: str | None = None
) -> ApiToken:
    """createSystemToken, createLegacyToken: store a new key; legacy keys (bound to a dialog) get no `beta` yet."""
    token = generate_token(backends, tenant.tenant_id)
    beta = generate_token(backends, tenant.tenant_id).replace("ragflow-", "")[:32]
    row = backends.add_token(tenant, token, dialog_id=dialog_id, source=source, beta=beta)
    if dialog_id is not None:
        backends.accounts.betaless_tokens.add(row.token)
    return row


def create_system_token(backends: Backends, tenant: TenantBackend) -> ApiToken:
    """createSystemToken: a new key of the caller's tenant (102 when the tenant row is gone)."""
    if backends.tenant(tenant.tenant_id) is None:
        raise DataError("Tenant not found!")
    return issue_api_token(backends, tenant)


def token_row(backends: Backends, row: ApiToken) -> dict[str, Any]:
    """A stored token row as listings return it (`update_*` equal the creation time when unset)."""
    beta = None if row.token in backends.accounts.betaless_tokens else row.beta
    return {
        "beta": beta,
        "create_date": row.create_date,
        "create_time": row.create_time,
        "dialog_id": row.dialog_id,
        "source": row.source,
        "tenant_id": row.tenant_id,
        "token": row.token,
        "update_date": row.update_date or row.create_date,
        "update_time": row.update_time or row.create_time,
    }


def list_system_tokens(backends: Backends, tenant_id: str) -> list[dict[str, Any]]:
    """listSystemTokens: every key of the tenant by token; a missing `beta` is generated now (shown from now on)."""
    rows = sorted(backends.tokens_of(tenant_id), key=lambda r: r.token)
    backends.accounts.betaless_tokens.difference_update(r.token for r in rows)
    return [token_row(backends, r) for r in rows]


def dialog_tokens(backends: Backends, tenant_id: str, dialog_id: str) -> list[dict[str, Any]]:
    """listLegacyTokens: the tenant's keys bound to one chat or agent."""
    return [token_row(backends, r) for r in backends.dialog_tokens(dialog_id) if r.tenant_id == tenant_id]


def delete_system_token(backends: Backends, tenant_id: str, key: str) -> None:
    """deleteSystemToken: remove the tenant's key spelled exactly `key` (nothing happens otherwise)."""
    row = backends.token(key)
    if row is not None and row.tenant_id == tenant_id and row.token == key:
        backends.remove_token(key)


def remove_tokens(backends: Backends, caller: TenantBackend, tenant_id: Any, tokens: list[Any]) -> None:
    """removeLegacyTokens: delete the keys of `tenant_id` among `tokens` (exact spelling).

    The server lets any logged-in user do so; under `strict_tenant_isolation` only the caller's own keys go.
    """
    allowed = not backends.settings.strict_tenant_isolation or tenant_id == caller.tenant_id
    for token in tokens:
        row = backends.token(token) if isinstance(token, str) else None
        if allowed and row is not None and row.tenant_id == tenant_id and row.token == token:
            backends.remove_token(token)
