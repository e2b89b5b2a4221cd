"""Fixtures of the 2024-06-dataset tests: the profile served at its original paths, clients keyed the SDK's way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver import Settings
from tests.conftest import API_KEY, OTHER_KEY
from tests.support.profiles import profile_app

DATASET_API = "/api/v1/dataset"
STAMP = {"create_date": "Fri, 09 May 2025 19:17:08 GMT", "create_time": 1746789428000}
"""The virtual clock's first instant, as the server renders it."""
UPDATED = {"update_date": STAMP["create_date"], "update_time": STAMP["create_time"]}


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """The emulator serving 2024-06-dataset at `/api/v1/dataset` (next to the current routes, one state)."""
    return profile_app(settings, "2024-06-dataset")


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """The v0.10.0 SDK's header: the key alone, no scheme word."""
    with TestClient(app, headers={"Authorization": API_KEY}) as c:
        yield c


@pytest.fixture
def bearer(app: Starlette) -> Iterator[TestClient]:
    """The seed's header: `Bearer <key>`."""
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c


@pytest.fixture
def other(app: Starlette) -> Iterator[TestClient]:
    """The second tenant."""
    with TestClient(app, headers={"Authorization": OTHER_KEY}) as c:
        yield c
