"""Hostile-input helpers: the state a test must find unchanged, and a responsiveness probe."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from mockserver.control.snapshot import take_snapshot
from tests.support.knowledge import create_dataset, parse, upload_ok


def state_of(app: Starlette) -> Any:
    """Everything the app holds (tenants and their records), to compare before and after an attack."""
    return take_snapshot(emulator_state(app))


def assert_responsive(client: TestClient) -> None:
    """The server still answers an ordinary call."""
    response = client.get("/api/v1/datasets")
    assert response.status_code == 200
    assert response.json()["code"] == 0


@pytest.fixture
def dataset_id(client: TestClient) -> str:
    """A dataset of the first tenant."""
    return str(create_dataset(client, "hostile")["id"])


@pytest.fixture
def document_id(client: TestClient, dataset_id: str) -> str:
    """A parsed text document in `dataset_id`."""
    doc = upload_ok(client, dataset_id, ("notes.txt", b"Saturn takes about 29 years to orbit the Sun."))[0]
    parse(client, dataset_id, doc["id"])
    return str(doc["id"])
