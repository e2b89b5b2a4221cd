"""Fixtures shared by the family tests: a tenant of a fresh state root, to drive a store without HTTP."""

from __future__ import annotations

import pytest

from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend


@pytest.fixture
def tenant() -> TenantBackend:
    """A new tenant of a new `Backends` (test settings: virtual clock, deterministic ids)."""
    return Backends(Settings.for_tests()).create_tenant()
