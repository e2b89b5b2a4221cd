"""Bounded text fields (the server's VARCHAR widths) and bounded work for repeated ids (issue 16 item 12)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient


def too_long(column: str) -> dict[str, Any]:
    return {"code": 100, "data": f"Data too long for column '{column}' at row 1", "message": "1406"}


def test_names_longer_than_their_varchar_are_the_server_s_1406(client: TestClient) -> None:
    long_name = "n" * 256
    assert client.post("/api/v1/chats", json={"name": long_name, "dataset_ids": []}).json() == too_long("name")
    assert client.get("/api/v1/chats").json()["data"] == []
    chat = client.post("/api/v1/chats", json={"name": "c" * 255, "dataset_ids": []}).json()["data"]["id"]
    assert client.put(f"/api/v1/chats/{chat}", json={"name": "x" * 10_000_000}).json() == too_long("name")
    assert client.get("/api/v1/chats").json()["data"][0]["name"] == "c" * 255
    sessions = f"/api/v1/chats/{chat}/sessions"
    assert client.post(sessions, json={"name": long_name}).json() == too_long("name")
    assert client.post(sessions, json={"name": "s", "user_id": "u" * 256}).json() == too_long("user_id")
    session = client.post(sessions, json={"name": "s"}).json()["data"]["id"]
    assert client.put(f"{sessions}/{session}", json={"name": long_name}).json() == too_long("name")
    assert [s["name"] for s in client.get(sessions).json()["data"]] == ["s"]
    agent = {"title": long_name, "dsl": {"components": {}}}
    assert client.post("/api/v1/agents", json=agent).json() == too_long("title")
    assert client.get("/api/v1/agents").json()["data"] == []


def test_repeated_dataset_ids_and_a_huge_top_k_answer_as_one_id_would(client: TestClient) -> None:
    dataset = client.post("/api/v1/datasets", json={"name": "kb"}).json()["data"]["id"]
    text = "".join(f"Glaciers carve valleys, part {i}.\n" for i in range(300)).encode()
    doc = client.post(f"/api/v1/datasets/{dataset}/documents", files={"file": ("g.txt", text)}).json()["data"][0]
    client.post(f"/api/v1/datasets/{dataset}/chunks", json={"document_ids": [doc["id"]]})
    single = client.post("/api/v1/retrieval", json={"question": "glaciers", "dataset_ids": [dataset]}).json()
    assert single["code"] == 0 and single["data"]["total"] > 0
    repeated = {"question": "glaciers", "dataset_ids": [dataset] * 100_000}
    assert client.post("/api/v1/retrieval", json=repeated).json() == single
    huge = {"question": "glaciers", "dataset_ids": [dataset], "top_k": 10**11}
    assert client.post("/api/v1/retrieval", json=huge).json() == single
    missing = {"question": "glaciers", "dataset_ids": [dataset] * 1000 + ["nope"]}
    assert client.post("/api/v1/retrieval", json=missing).json() == {
        "code": 102,
        "message": "You don't own the dataset nope.",
    }
