"""Fixtures of the 2024-10-draft tests: the draft selected at the singular paths, a client with the seed's header."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver import Settings
from tests.conftest import API_KEY, OTHER_KEY
from tests.support.profiles import profile_app

DATASET = "/api/v1/dataset"
CHAT = "/api/v1/chat"
STAMP = {"create_date": "Fri, 09 May 2025 19:17:08 GMT", "create_time": 1746789428000}
UPDATED = {"update_date": STAMP["create_date"], "update_time": STAMP["create_time"]}
TEXT = b"RAGFlow is an open-source RAG engine. It helps with deep document understanding and accurate retrieval."


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """The emulator with 2024-10-draft answering `/api/v1/dataset…` and `/api/v1/chat…`."""
    return profile_app(settings, "2024-10-draft")


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """The seed's header: `Bearer <key>`."""
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c


@pytest.fixture
def other(app: Starlette) -> Iterator[TestClient]:
    """The second tenant."""
    with TestClient(app, headers={"Authorization": f"Bearer {OTHER_KEY}"}) as c:
        yield c


def tenant_of(client: TestClient) -> str:
    """The tenant id behind a client's key."""
    key = client.headers["authorization"].split()[-1]
    tenant: str = client.app.state.emulator.backends.token(key).tenant_id  # type: ignore[attr-defined]
    return tenant


def create_dataset(client: TestClient, name: str = "test", **extra: Any) -> str:
    """A dataset through the draft; its id."""
    body = client.post(DATASET, json={"name": name, **extra}).json()
    assert body["code"] == 0, body
    dataset_id: str = body["data"]["id"]
    return dataset_id


def upload(client: TestClient, dataset_id: str, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    """Upload through the draft (it answers no data); the documents as its list shows them."""
    body = client.post(f"{DATASET}/{dataset_id}/document", files=[("file", f) for f in files]).json()
    assert body == {"code": 0}, body
    docs: list[dict[str, Any]] = client.get(f"{DATASET}/{dataset_id}/info", params={"desc": "False"}).json()["data"][
        "docs"
    ]
    return docs


def parsed_document(client: TestClient, name: str = "test") -> tuple[str, str]:
    """A dataset with one parsed document (instant parsing in tests): (dataset id, document id)."""
    dataset_id = create_dataset(client, name)
    doc_id = upload(client, dataset_id, ("ragflow_test.txt", TEXT))[0]["id"]
    assert client.post(f"{DATASET}/{dataset_id}/chunk", json={"document_ids": [doc_id]}).json() == {"code": 0}
    return dataset_id, doc_id
