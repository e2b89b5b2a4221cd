"""A tenant for the 2024-05-legacy tests: a registered user, a dataset with one parsed document, a chat and its key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from tests.families.accounts.webkit import PASSWORD

TEXT = b"RAGFlow is an open-source RAG engine. It parses documents into chunks.\n\nThe emulator answers questions."
PREFIX = "/_p/2024-05-legacy"
INVALID_KEY = {"data": False, "retcode": 109, "retmsg": 'Token is not valid!"'}
NO_SPLIT = {"data": None, "retcode": 100, "retmsg": "AttributeError(\"'NoneType' object has no attribute 'split'\")"}
ONE_WORD = {"data": None, "retcode": 100, "retmsg": "IndexError('list index out of range')"}
NOT_FOUND = {"data": None, "retcode": 100, "retmsg": "<NotFound '404: Not Found'>"}
NOT_ALLOWED = {"data": None, "retcode": 100, "retmsg": "<MethodNotAllowed '405: Method Not Allowed'>"}


@dataclass
class World:
    """Login header, API key header, the dataset `kb` (one parsed document), the chat `bot` and its v0.7 key."""

    web: TestClient
    login: dict[str, str]
    api: dict[str, str]
    dataset_id: str
    chat_id: str
    key: dict[str, str]
    doc_id: str
    base: str = ""
    """Where the profile answers: "" (selected) or `PREFIX`."""

    def url(self, path: str) -> str:
        return self.base + path


def provision(web: TestClient, base: str = "") -> World:
    """Register, log in, make the key, dataset, parsed document, chat and the chat's v0.7 key."""
    web.post("/v1/user/register", json={"nickname": "u", "email": "u@example.com", "password": PASSWORD})
    token = web.post("/v1/user/login", json={"email": "u@example.com", "password": PASSWORD}).headers["Authorization"]
    login = {"Authorization": token}
    api_key = web.post("/v1/system/new_token", headers=login).json()["data"]["token"]
    api = {"Authorization": f"Bearer {api_key}"}
    dataset_id = web.post("/api/v1/datasets", headers=api, json={"name": "kb"}).json()["data"]["id"]
    uploaded = web.post(f"/api/v1/datasets/{dataset_id}/documents", headers=api, files={"file": ("notes.txt", TEXT)})
    doc_id = uploaded.json()["data"][0]["id"]
    web.post(f"/api/v1/datasets/{dataset_id}/chunks", headers=api, json={"document_ids": [doc_id]})
    chat = web.post("/api/v1/chats", headers=api, json={"name": "bot", "dataset_ids": [dataset_id]}).json()["data"]
    made = web.post(f"{base}/v1/api/new_token", headers=login, json={"dialog_id": chat["id"]}).json()
    key = {"Authorization": f"Bearer {made['data']['token']}"}
    return World(web, login, api, dataset_id, chat["id"], key, doc_id, base)


def new_conversation(world: World, user_id: str = "alice") -> dict[str, Any]:
    """v07NewConversation's data."""
    reply = world.web.get(world.url("/v1/api/new_conversation"), headers=world.key, params={"user_id": user_id})
    body: dict[str, Any] = reply.json()
    assert body["retcode"] == 0, body
    data: dict[str, Any] = body["data"]
    return data


def stored_conversation(world: World, conversation_id: str) -> Any:
    """The shared API4Conversation row behind a conversation id."""
    for tenant in world.web.app.state.emulator.backends.tenants.values():  # type: ignore[attr-defined]
        found = tenant.agent_sessions.items.get(conversation_id)
        if found is not None:
            return found
    raise AssertionError(f"no conversation {conversation_id}")


def tenant_of(world: World) -> Any:
    """The provisioned user's tenant (the one owning the dataset)."""
    for tenant in world.web.app.state.emulator.backends.tenants.values():  # type: ignore[attr-defined]
        if tenant.datasets.get(world.dataset_id) is not None:
            return tenant
    raise AssertionError("no tenant holds the dataset")
