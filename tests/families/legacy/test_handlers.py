"""Legacy `/v1/api` keys, stats and conversations (`handlers`): the seed's walk-through and negative cases."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.core import sse
from tests.conftest import API_KEY
from tests.families.legacy.worldkit import INVALID_KEY, TEXT, World, conversation, upload


def test_seed_walk_through(world: World) -> None:
    """createLegacyConversation, uploadLegacyDocument, createLegacyCompletion, getLegacyConversation, listLegacyKbDocuments, listLegacyChunks, deleteLegacyDocuments: the seed's walk-through."""
    web, key = world.web, world.key
    conv = web.get("/v1/api/new_conversation", headers=key, params={"user_id": "alice"}).json()
    assert conv["code"] == 0
    assert sorted(conv["data"]) == ["dialog_id", "id", "message", "user_id"]
    assert conv["data"]["message"] == [
        {"content": "Hi! I'm your assistant, what can I do for you?", "role": "assistant"}
    ]
    doc = upload(world)
    assert doc["name"] == "more.txt"
    assert doc["kb_id"] == world.dataset_id
    assert doc["run"] == "0"
    # visible through /api/v1 as well
    listed = web.get(f"/api/v1/datasets/{world.dataset_id}/documents", headers=world.api).json()["data"]["docs"]
    assert {d["id"]: d["run"] for d in listed} == {world.doc_id: "DONE", doc["id"]: "DONE"}
    reply = web.post(
        "/v1/api/completion",
        headers=key,
        json={"conversation_id": conv["data"]["id"], "messages": [{"role": "user", "content": "What is RAGFlow?"}]},
    )
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = sse.payloads(reply.content)
    assert events[-1] == {"code": 0, "message": "", "data": True}
    final = events[-2]["data"]
    assert list(final) == ["answer", "reference", "prompt", "created_at", "id"]
    assert final["reference"] == []
    assert "RAGFlow is an open-source RAG engine." in final["answer"]
    assert len(final["id"]) == 32
    assert all(list(e["data"]) == ["answer", "reference", "audio_binary", "id"] for e in events[:-2])
    history = web.get(f"/v1/api/conversation/{conv['data']['id']}", headers=key).json()["data"]
    assert [m["role"] for m in history["message"]] == ["assistant", "user", "assistant"]
    assert history["message"][2] == {"role": "assistant", "content": final["answer"], "id": final["id"]}
    assert history["reference"] == [[]]
    assert history["round"] == 1
    assert history["source"] is None
    docs = web.post("/v1/api/list_kb_docs", headers=key, json={"kb_name": "kb", "orderby": "name"}).json()
    expected_docs = [{"doc_id": world.doc_id, "doc_name": "notes.txt"}, {"doc_id": doc["id"], "doc_name": "more.txt"}]
    assert docs == {"code": 0, "data": {"docs": expected_docs, "total": 2}, "message": "success"}
    chunks = web.post("/v1/api/list_chunks", headers=key, json={"doc_id": doc["id"]}).json()["data"]
    assert chunks == [{"content": TEXT.decode(), "doc_name": "more.txt", "image_id": ""}]
    assert web.post("/v1/api/list_chunks", headers=key, json={"doc_name": "more.txt"}).json()["data"] == chunks
    deleted = web.request("DELETE", "/v1/api/document", headers=key, json={"doc_names": ["more.txt"]}).json()
    assert deleted == {"code": 0, "data": True, "message": "success"}
    listed = web.get(f"/api/v1/datasets/{world.dataset_id}/documents", headers=world.api).json()["data"]["docs"]
    assert [d["id"] for d in listed] == [world.doc_id]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, {"code": 100, "data": None, "message": "AttributeError(\"'NoneType' object has no attribute 'split'\")"}),
        (
            {"Authorization": "ragflow-x"},
            {"code": 100, "data": None, "message": "IndexError('list index out of range')"},
        ),
        ({"Authorization": "Bearer ragflow-unknown"}, INVALID_KEY),
    ],
)
def test_legacy_key_failures(world: World, headers: dict[str, str], expected: dict[str, Any]) -> None:
    """createLegacyConversation: the inline key check's failures."""
    assert world.web.get("/v1/api/new_conversation", headers=headers).json() == expected


def test_new_conversation_without_dialog(world: World) -> None:
    """createLegacyConversation with a key bound to no chat."""
    assert world.web.get("/v1/api/new_conversation", headers=world.api).json() == {
        "code": 102,
        "message": "Dialog not found",
    }


def test_conversation_needs_the_dialogs_first_key(world: World) -> None:
    """getLegacyConversation: only the dialog's first key reads it."""
    conv_id = conversation(world)
    second = world.web.post("/v1/api/new_token", headers=world.login, json={"dialog_id": world.chat_id}).json()["data"]
    reply = world.web.get(f"/v1/api/conversation/{conv_id}", headers={"Authorization": f"Bearer {second['token']}"})
    assert reply.json() == {
        "code": 109,
        "data": False,
        "message": 'Authentication error: API key is invalid for this conversation_id!"',
    }
    assert world.web.get("/v1/api/conversation/nope", headers=world.key).json() == {
        "code": 102,
        "message": "Conversation not found!",
    }


def test_other_tenant_cannot_reach_conversation(world: World, client: TestClient) -> None:
    """getLegacyConversation, createLegacyCompletion: another tenant's conversation is not found under isolation."""
    conv_id = conversation(world)
    assert client.get(f"/v1/api/conversation/{conv_id}").json() == {"code": 102, "message": "Conversation not found!"}
    body = {"conversation_id": conv_id, "messages": [{"role": "user", "content": "hi"}], "stream": False}
    assert client.post("/v1/api/completion", json=body).json() == {"code": 102, "message": "Conversation not found!"}
    assert client.headers["Authorization"] == f"Bearer {API_KEY}"


# -- keys -------------------------------------------------------------------------------------------
def test_legacy_tokens(world: World) -> None:
    """createLegacyToken, listLegacyTokens, removeLegacyTokens."""
    web, login = world.web, world.login
    assert web.post("/v1/api/new_token", headers=login, json={}).json() == {
        "code": 100,
        "data": None,
        "message": "KeyError('dialog_id')",
    }
    rows = web.get("/v1/api/token_list", headers=login, params={"dialog_id": world.chat_id}).json()["data"]
    assert [r["token"] for r in rows] == [world.key_token]
    assert rows[0]["beta"] is None
    assert web.get("/v1/api/token_list", headers=login).json()["message"] == "KeyError('canvas_id')"
    tenant_id = rows[0]["tenant_id"]
    assert web.post("/v1/api/rm", json={"tokens": []}).json() == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: tenant_id; ",
    }
    assert web.post("/v1/api/rm", json={"tokens": [], "tenant_id": "x"}).json()["code"] == 401
    removed = web.post("/v1/api/rm", headers=login, json={"tokens": [world.key_token], "tenant_id": tenant_id}).json()
    assert removed == {"code": 0, "data": True, "message": "success"}
    assert web.get("/v1/api/new_conversation", headers=world.key).json() == INVALID_KEY


def test_legacy_stats(world: World) -> None:
    """getLegacyStats: per-day usage of chat and agent conversations."""
    conversation(world, "alice")
    conversation(world, "bob")
    data = world.web.get("/v1/api/stats", headers=world.login).json()["data"]
    assert sorted(data) == ["pv", "round", "speed", "thumb_up", "tokens", "uv"]
    assert data["pv"] == [["2025-05-09", 2]]
    assert data["uv"] == [["2025-05-09", 2]]
    assert world.web.get("/v1/api/stats", headers=world.login, params={"canvas_id": "x"}).json()["data"]["pv"] == []


# -- documents --------------------------------------------------------------------------------------
