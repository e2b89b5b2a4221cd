"""Deeply nested client JSON is refused before it is stored: no poisoned state (issue 16 item 3)."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from mockserver.core.nesting import MAX_STORED_DEPTH

REFUSED = {"code": 100, "data": None, "message": "RecursionError('maximum recursion depth exceeded')"}


def nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"k": value}
    return value


def test_a_900_deep_parser_config_is_refused_and_the_dataset_stays_usable(client: TestClient) -> None:
    dataset = client.post("/api/v1/datasets", json={"name": "kb"}).json()["data"]["id"]
    files = {"file": ("a.txt", b"Glaciers carve valleys.\n")}
    doc = client.post(f"/api/v1/datasets/{dataset}/documents", files=files).json()["data"][0]["id"]
    path = f"/api/v1/datasets/{dataset}/documents/{doc}"
    before = client.get(f"/api/v1/datasets/{dataset}/documents").json()
    for body in (
        {"parser_config": nested(900)},
        {"meta_fields": nested(MAX_STORED_DEPTH)},
        {"parser_config": {"raptor": nested(MAX_STORED_DEPTH)}},
    ):
        assert client.put(path, json=body).json() == REFUSED
    assert client.get(f"/api/v1/datasets/{dataset}/documents").json() == before
    assert client.put(path, json={"meta_fields": nested(20)}).json()["code"] == 0
    assert client.get("/_emulator/snapshot").json()["code"] == 0


def test_deep_values_are_refused_on_every_kind_of_stored_setting(client: TestClient) -> None:
    deep = nested(MAX_STORED_DEPTH + 5)
    assert client.post("/api/v1/datasets", json={"name": "d", "parser_config": deep}).json() == REFUSED
    assert client.post("/api/v1/chats", json={"name": "c", "dataset_ids": [], "prompt": deep}).json() == REFUSED
    assert client.post("/api/v1/agents", json={"title": "a", "dsl": deep}).json() == REFUSED
    assert client.post("/api/v1/agents", json={"title": "a", "dsl": json.dumps(deep)}).json() == REFUSED
    for listing in ("/api/v1/datasets", "/api/v1/chats", "/api/v1/agents"):
        assert client.get(listing).json()["data"] == []
