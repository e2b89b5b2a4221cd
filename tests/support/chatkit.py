"""Helpers shared by the chat, session and completion tests: parsed datasets, chats and sessions over HTTP."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.support.knowledge import API, create_dataset, parse, upload_ok

RIVERS = (
    b"The Nile is the longest river in Africa. It flows north through Egypt into the Mediterranean Sea.\n\n"
    b"The Amazon carries more water than any other river on Earth. It crosses Brazil from the Andes.\n\n"
    b"The Danube flows through ten countries of Europe before it reaches the Black Sea."
)
MOUNTAINS = (
    b"Mount Everest is the highest mountain on Earth, on the border of Nepal and China.\n\n"
    b"K2 is the second highest mountain and is much harder to climb than Everest."
)


def parsed_dataset(client: TestClient, name: str = "geo", *files: tuple[str, bytes]) -> str:
    """A dataset whose documents are uploaded and parsed (immediate progression); returns its id."""
    dataset_id: str = create_dataset(client, name)["id"]
    docs = upload_ok(client, dataset_id, *(files or (("rivers.txt", RIVERS), ("mountains.txt", MOUNTAINS))))
    assert parse(client, dataset_id, *(d["id"] for d in docs))["code"] == 0
    return dataset_id


def create_chat(client: TestClient, name: str = "geo-chat", dataset_ids: list[str] | None = None, **extra: Any) -> Any:
    """POST /chats and return the JSON body (not asserted)."""
    return client.post(f"{API}/chats", json={"name": name, "dataset_ids": dataset_ids or [], **extra}).json()


def chat_ok(client: TestClient, name: str = "geo-chat", dataset_ids: list[str] | None = None, **extra: Any) -> str:
    """Create a chat, assert success, return its id."""
    body = create_chat(client, name, dataset_ids, **extra)
    assert body["code"] == 0, body
    chat_id: str = body["data"]["id"]
    return chat_id


def session_ok(client: TestClient, chat_id: str, **body: Any) -> dict[str, Any]:
    """Create a session, assert success, return it."""
    reply = client.post(f"{API}/chats/{chat_id}/sessions", json=body).json()
    assert reply["code"] == 0, reply
    session: dict[str, Any] = reply["data"]
    return session


def sessions_of(client: TestClient, chat_id: str, **params: Any) -> list[dict[str, Any]]:
    """GET the sessions of a chat (asserted)."""
    reply = client.get(f"{API}/chats/{chat_id}/sessions", params=params).json()
    assert reply["code"] == 0, reply
    found: list[dict[str, Any]] = reply["data"]
    return found
