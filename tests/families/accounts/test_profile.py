"""`TenantProfile` called directly (no HTTP): setLlmApiKey, listMyLlms, listLlms, setTenantInfo's columns."""

from __future__ import annotations

import pytest

from mockserver.core.errors import MySQLError, PythonError
from mockserver.families.accounts.profile import TenantProfile
from mockserver.settings import Settings
from mockserver.state.backend import Backends


@pytest.fixture
def profile() -> TenantProfile:
    return Backends(Settings.for_tests()).create_tenant().profile


def test_api_key_makes_the_factorys_models_available(profile: TenantProfile) -> None:
    """setLlmApiKey, listMyLlms, listLlms: keyed catalog rows, `available` and the `model_type` filter."""
    profile.set_api_key("NoSuch", "k", None, {})
    assert profile.my_llms() == {}
    profile.set_api_key("ZHIPU-AI", "k", None, {})
    assert "embedding-2@ZHIPU-AI" in profile.tenant.configured_models
    listing = profile.llm_listing("embed", {})
    assert [r["llm_name"] for r in listing["ZHIPU-AI"]] == ["embedding-2", "embedding-3"]
    assert all(r["available"] for r in listing["ZHIPU-AI"])


def test_update_columns_fail_like_peewee_and_mysql(profile: TenantProfile) -> None:
    """setTenantInfo: unknown columns are peewee's ValueError, NULL in NOT NULL columns MySQL's 1048."""
    with pytest.raises(PythonError, match="Unrecognized field name"):
        profile.update_columns({"nope": 1}, 0, None)
    with pytest.raises(MySQLError):
        profile.update_columns({"llm_id": None}, 0, None)
    profile.update_columns({"llm_id": 5, "credit": 7, "name": "n"}, 0, None)
    assert (profile.tenant.llm_id, profile.credit, profile.tenant.name) == ("5", 7, "n")
