"""Helpers of the legacy tests: a tenant provisioned through the web API with a dataset, a chat and its key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

TEXT = b"RAGFlow is an open-source RAG engine. It parses documents into chunks.\n\nThe emulator answers questions."
INVALID_KEY = {"code": 109, "data": False, "message": 'Authentication error: API key is invalid!"'}


@dataclass
class World:
    """A registered user's login header, API key, dataset (one parsed document), chat and chat key."""

    web: TestClient
    login: dict[str, str]
    api: dict[str, str]
    dataset_id: str
    chat_id: str
    key: dict[str, str]
    key_token: str
    doc_id: str


def upload(world: World, name: str = "more.txt", run: str = "1") -> dict[str, Any]:
    """uploadLegacyDocument into `kb` with the chat key."""
    reply = world.web.post(
        "/v1/api/document/upload", headers=world.key, data={"kb_name": "kb", "run": run}, files={"file": (name, TEXT)}
    ).json()
    assert reply["code"] == 0, reply
    data: dict[str, Any] = reply["data"]
    return data


def conversation(world: World, user_id: str = "alice") -> str:
    """createLegacyConversation with the chat key: the new conversation's id."""
    reply = world.web.get("/v1/api/new_conversation", headers=world.key, params={"user_id": user_id}).json()
    conv_id: str = reply["data"]["id"]
    return conv_id
