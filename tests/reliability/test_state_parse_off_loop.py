"""parseDocuments chunks in a worker thread: other clients are served while a document parses (issue 16 item 7)."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.families.documents import parsing
from mockserver.server import ThreadedServer
from tests.conftest import API_KEY

pytestmark = pytest.mark.slow
HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def test_a_simple_get_is_answered_while_a_parse_is_running(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    entered = threading.Event()
    real = parsing.chunk_all

    def held(inputs: Any) -> Any:
        entered.set()
        assert release.wait(30), "the GET below never got an answer: the event loop was blocked"
        return real(inputs)

    monkeypatch.setattr(parsing, "chunk_all", held)
    with (
        ThreadedServer(create_app(Settings.for_tests(api_keys=(API_KEY,)))) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS, timeout=30) as client,
    ):
        dataset = client.post("/api/v1/datasets", json={"name": "kb"}).json()["data"]["id"]
        files = {"file": ("a.txt", b"Glaciers carve valleys.\nRivers carry sediment.\n")}
        doc = client.post(f"/api/v1/datasets/{dataset}/documents", files=files).json()["data"][0]["id"]
        replies: list[Any] = []
        parse = threading.Thread(
            target=lambda: replies.append(
                client.post(f"/api/v1/datasets/{dataset}/chunks", json={"document_ids": [doc]}).json()
            )
        )
        parse.start()
        assert entered.wait(30)
        listed = httpx.get(f"{server.base_url}/api/v1/datasets", headers=HEADERS, timeout=30).json()
        assert listed["code"] == 0 and [d["id"] for d in listed["data"]] == [dataset]
        assert replies == [], "the parse is still running"
        release.set()
        parse.join(30)
        assert replies == [{"code": 0}]
        docs = client.get(f"/api/v1/datasets/{dataset}/documents").json()["data"]["docs"]
        assert (docs[0]["run"], docs[0]["chunk_count"]) == ("DONE", 1)


def test_a_dataset_deleted_while_its_documents_parse_answers_as_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    entered = threading.Event()
    real = parsing.chunk_all

    def held(inputs: Any) -> Any:
        entered.set()
        release.wait(30)
        return real(inputs)

    monkeypatch.setattr(parsing, "chunk_all", held)
    with (
        ThreadedServer(create_app(Settings.for_tests(api_keys=(API_KEY,)))) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS, timeout=30) as client,
    ):
        dataset = client.post("/api/v1/datasets", json={"name": "kb"}).json()["data"]["id"]
        files = {"file": ("a.txt", b"Glaciers carve valleys.\n")}
        doc = client.post(f"/api/v1/datasets/{dataset}/documents", files=files).json()["data"][0]["id"]
        replies: list[Any] = []
        parse = threading.Thread(
            target=lambda: replies.append(
                client.post(f"/api/v1/datasets/{dataset}/chunks", json={"document_ids": [doc]}).json()
            )
        )
        parse.start()
        assert entered.wait(30)
        deleted = httpx.request(
            "DELETE", f"{server.base_url}/api/v1/datasets", json={"ids": [dataset]}, headers=HEADERS
        ).json()
        assert deleted == {"code": 0}
        release.set()
        parse.join(30)
        assert replies == [{"code": 102, "message": f"You don't own the dataset {dataset}."}]
