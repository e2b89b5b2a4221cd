"""`accounts.tokens` called directly (no HTTP): createSystemToken, listSystemTokens, deleteSystemToken, keys."""

from __future__ import annotations

import pytest

from mockserver.core.errors import DataError
from mockserver.families.accounts import tokens
from mockserver.settings import Settings
from mockserver.state.backend import Backends


@pytest.fixture
def backends() -> Backends:
    return Backends(Settings.for_tests(api_keys=()))


def test_legacy_keys_get_their_beta_when_listed(backends: Backends) -> None:
    """createLegacyToken, listSystemTokens: a dialog-bound key shows no `beta` until a system listing."""
    tenant = backends.create_tenant()
    plain = tokens.issue_api_token(backends, tenant)
    bound = tokens.issue_api_token(backends, tenant, dialog_id="chat", source=None)
    assert plain.token.startswith("ragflow-") and len(plain.token) == 40 and len(plain.beta) == 32
    assert tokens.dialog_tokens(backends, tenant.tenant_id, "chat")[0]["beta"] is None
    listed = tokens.list_system_tokens(backends, tenant.tenant_id)
    assert [r["token"] for r in listed] == sorted([plain.token, bound.token])
    assert all(r["beta"] is not None for r in listed)


def test_delete_needs_the_exact_key_of_the_tenant(backends: Backends) -> None:
    """deleteSystemToken: another tenant's key or another spelling deletes nothing."""
    mine, theirs = backends.create_tenant(), backends.create_tenant()
    row = tokens.issue_api_token(backends, theirs)
    tokens.delete_system_token(backends, mine.tenant_id, row.token)
    tokens.delete_system_token(backends, theirs.tenant_id, row.token.upper())
    assert backends.token(row.token) is not None
    tokens.delete_system_token(backends, theirs.tenant_id, row.token)
    assert backends.token(row.token) is None


def test_create_needs_a_live_tenant(backends: Backends) -> None:
    """createSystemToken: a tenant dropped meanwhile is "Tenant not found!"."""
    tenant = backends.create_tenant()
    backends.drop_tenant(tenant.tenant_id)
    with pytest.raises(DataError, match="Tenant not found!"):
        tokens.create_system_token(backends, tenant)


def test_remove_tokens_of_another_tenant_only_without_isolation() -> None:
    """removeLegacyTokens: the server removes any tenant's keys; isolation keeps other tenants' keys."""
    for strict, removed in ((True, False), (False, True)):
        backends = Backends(Settings.for_tests(api_keys=(), strict_tenant_isolation=strict))
        caller, other = backends.create_tenant(), backends.create_tenant()
        row = tokens.issue_api_token(backends, other)
        tokens.remove_tokens(backends, caller, other.tenant_id, [row.token, 5])
        assert (backends.token(row.token) is None) is removed
