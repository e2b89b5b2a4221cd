"""`AccountStore` called directly (no HTTP): the rules of registerUser, loginUser, logoutUser, setTenantInfo."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.errors import DataError, PythonError
from mockserver.families.accounts.errors import AccountFailure
from mockserver.families.accounts.models import AccountStore, Credentials
from mockserver.settings import Settings
from mockserver.state.backend import Backends
from tests.families.accounts.webkit import OTHER_PASSWORD, PASSWORD


def accounts(**settings: Any) -> AccountStore:
    return Backends(Settings.for_tests(**settings)).accounts


def failure(error: pytest.ExceptionInfo[AccountFailure]) -> tuple[int, str]:
    return error.value.instance_code, error.value.message


def test_register_creates_the_user_and_their_tenant() -> None:
    """registerUser: the user owns the tenant with its id, named `<nickname>‘s Kingdom`, without chat model."""
    store = accounts()
    user = store.register("a@example.com", PASSWORD, "ann")
    tenant = store.backends.tenant(user.id)
    assert tenant is not None and tenant.name == "ann\u2018s Kingdom" and tenant.llm_id == ""
    assert store.by_email("A@EXAMPLE.COM") is user
    assert store.user_of(tenant) is user


def test_register_rules_in_the_servers_order() -> None:
    """registerUser: disabled, email type and shape, duplicates, password transport, row creation."""
    with pytest.raises(AccountFailure) as disabled:
        accounts(register_enabled=False).register("a@example.com", PASSWORD, "ann")
    assert failure(disabled) == (103, "User registration is disabled!")
    store = accounts()
    with pytest.raises(PythonError) as number:
        store.register(5, PASSWORD, "ann")
    assert number.value.message == "TypeError('expected string or bytes-like object')"
    with pytest.raises(AccountFailure) as invalid:
        store.register("nope", PASSWORD, "ann")
    assert failure(invalid) == (103, "Invalid email address: nope!")
    store.register("a@example.com", PASSWORD, "ann")
    with pytest.raises(AccountFailure) as twice:
        store.register("A@example.com", PASSWORD, "ann")
    assert failure(twice) == (103, "Email: A@example.com has already registered!")
    with pytest.raises(PythonError) as transport:
        store.register("b@example.com", "MTIz", "bob")
    assert transport.value.message == "ValueError('Ciphertext with incorrect length (not 256 bytes)')"
    with pytest.raises(AccountFailure) as concat:
        store.register("c@example.com", PASSWORD, {"n": 1})
    assert failure(concat) == (
        100,
        "User registration failure, error: unsupported operand type(s) for +: 'dict' and 'str'",
    )


def test_login_checks_and_rotates_the_access_token() -> None:
    """loginUser: no body, unknown email, transport failure, wrong password; success rotates the token."""
    store = accounts()
    user = store.register("a@example.com", PASSWORD, "ann")
    old = store.login_token(user)
    with pytest.raises(AccountFailure) as empty:
        store.login(None)
    assert failure(empty) == (109, "Unauthorized!")
    with pytest.raises(AccountFailure) as unknown:
        store.login(Credentials(email=None, password=PASSWORD))
    assert failure(unknown) == (109, "Email: None is not registered!")
    with pytest.raises(AccountFailure) as crypt:
        store.login(Credentials(email="a@example.com", password="x"))
    assert failure(crypt) == (500, "Fail to crypt password")
    with pytest.raises(AccountFailure) as wrong:
        store.login(Credentials(email="a@example.com", password=OTHER_PASSWORD))
    assert failure(wrong) == (109, "Email and password do not match!")
    assert store.login(Credentials(email="A@example.com", password=PASSWORD)) is user
    assert store.user_for_login_token(old) is None
    assert store.user_for_login_token(store.login_token(user)) is user
    store.logout(user)
    assert store.user_for_login_token(store.login_token(user)) is None


def test_user_of_a_tenant_without_user() -> None:
    """getUserInfo: a tenant no user owns (an API-key tenant) is "Tenant not found!"."""
    store = accounts()
    with pytest.raises(DataError, match="Tenant not found!"):
        store.user_of(store.backends.create_tenant())


def test_set_tenant_info_writes_only_the_callers_tenant_under_isolation() -> None:
    """setTenantInfo: the server writes any tenant; under `strict_tenant_isolation` only the caller's."""
    for strict, written in ((True, False), (False, True)):
        store = accounts(strict_tenant_isolation=strict)
        caller, other = store.backends.create_tenant(), store.backends.create_tenant()
        store.set_tenant_info(caller, other.tenant_id, {"llm_id": "x@Y"})
        store.set_tenant_info(caller, caller.tenant_id, {"llm_id": "mine@Y"})
        store.set_tenant_info(caller, 5, {"llm_id": "ignored"})
        assert (other.llm_id == "x@Y") is written and caller.llm_id == "mine@Y"
