"""Shared fixtures for the emulator's own tests: an in-process app and client per test, two tenants."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver import Settings, create_app

API_KEY = "ragflow-test-key"
OTHER_KEY = "ragflow-other-key"


@pytest.fixture
def settings() -> Settings:
    """Test settings: two tenants, deterministic ids, virtual clock, instant parsing and streams."""
    return Settings.for_tests(api_keys=(API_KEY, OTHER_KEY))


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """A fresh emulator app."""
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """In-process client authenticated as the first tenant."""
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c


@pytest.fixture
def other_client(app: Starlette) -> Iterator[TestClient]:
    """In-process client authenticated as the second tenant (isolation tests)."""
    with TestClient(app, headers={"Authorization": f"Bearer {OTHER_KEY}"}) as c:
        yield c


@pytest.fixture
def anon_client(app: Starlette) -> Iterator[TestClient]:
    """In-process client without credentials."""
    with TestClient(app) as c:
        yield c
