"""Legacy `/v1/api/completion` and `/v1/api/completion_aibotk` (`completion_handlers`), with negative cases."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core import sse
from mockserver.families.agents.canvas import default_dsl
from tests.families.legacy.worldkit import INVALID_KEY, World, conversation


def test_completion_blocking_with_quote_returns_raw_chunks(world: World) -> None:
    """createLegacyCompletion with `stream: false, quote: true`: raw retrieval chunks."""
    conv_id = conversation(world)
    body = {
        "conversation_id": conv_id,
        "messages": [{"role": "user", "content": "What is RAGFlow?"}],
        "stream": False,
        "quote": True,
    }
    reply = world.web.post("/v1/api/completion", headers=world.key, json=body).json()
    assert reply["code"] == 0
    assert sorted(reply["data"]) == ["answer", "audio_binary", "created_at", "id", "prompt", "reference"]
    chunk = reply["data"]["reference"]["chunks"][0]
    raw_keys = "chunk_id content_ltks content_with_weight doc_id kb_id important_kwd image_id similarity"
    assert sorted(chunk) == sorted([*raw_keys.split(), "vector_similarity", "term_similarity", "positions", "doc_name"])
    assert "##0$$" in reply["data"]["answer"]


def test_completion_explicit_stream_true_breaks(world: World) -> None:
    """createLegacyCompletion with an explicit `stream: true`: the server's TypeError frame."""
    conv_id = conversation(world)
    body = {"conversation_id": conv_id, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    events = sse.payloads(world.web.post("/v1/api/completion", headers=world.key, json=body).content)
    message = "chat() got multiple values for argument 'stream'"
    assert events == [
        {"code": 500, "message": message, "data": {"answer": "**ERROR**: " + message, "reference": []}},
        {"code": 0, "message": "", "data": True},
    ]
    history = world.web.get(f"/v1/api/conversation/{conv_id}", headers=world.key).json()["data"]
    assert len(history["message"]) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"code": 101, "data": None, "message": "required argument are missing: conversation_id,messages; "}),
        ({"conversation_id": "x"}, {"code": 101, "data": None, "message": "required argument are missing: messages; "}),
        ({"conversation_id": "nope", "messages": []}, {"code": 102, "message": "Conversation not found!"}),
    ],
)
def test_completion_failures(world: World, body: dict[str, Any], expected: dict[str, Any]) -> None:
    """createLegacyCompletion: missing arguments, unknown conversation."""
    assert world.web.post("/v1/api/completion", headers=world.key, json=body).json() == expected


def test_completion_guard_runs_before_key(world: World) -> None:
    """createLegacyCompletion: the argument guard runs before the key check."""
    reply = world.web.post("/v1/api/completion", json={})
    assert reply.json()["code"] == 101


def test_completion_without_user_message(world: World) -> None:
    """createLegacyCompletion: no user message is Python's IndexError."""
    conv_id = conversation(world)
    body = {"conversation_id": conv_id, "messages": [{"role": "assistant", "content": "hello"}]}
    assert world.web.post("/v1/api/completion", headers=world.key, json=body).json() == {
        "code": 100,
        "data": None,
        "message": "IndexError('list index out of range')",
    }


def test_agent_key_conversation_and_broken_completion(world: World) -> None:
    """createLegacyToken, createLegacyConversation, createLegacyCompletion for an agent key."""
    agent = world.web.post("/api/v1/agents", headers=world.api, json={"title": "flow", "dsl": default_dsl([])}).json()
    assert agent["code"] == 0, agent
    agent_id = world.web.get("/api/v1/agents", headers=world.api).json()["data"][0]["id"]
    row = world.web.post("/v1/api/new_token", headers=world.login, json={"canvas_id": agent_id}).json()["data"]
    assert row["source"] == "agent"
    key = {"Authorization": f"Bearer {row['token']}"}
    conv = world.web.get("/v1/api/new_conversation", headers=key).json()["data"]
    assert conv["source"] == "agent"
    assert conv["dialog_id"] == agent_id
    body = {"conversation_id": conv["id"], "messages": [{"role": "user", "content": "hi"}]}
    assert world.web.post("/v1/api/completion", headers=key, json=body).json() == {
        "code": 100,
        "data": None,
        "message": "AssertionError('Nothing. Is it over?')",
    }


def test_completion_aibotk(world: World) -> None:
    """createLegacyAibotkCompletion: the body's key, the `{code: 200, data, msg}` reply."""
    conv_id = conversation(world)
    web = world.web
    body = {"Authorization": world.key_token, "conversation_id": conv_id, "word": "hello", "quote": False}
    reply = web.post("/v1/api/completion_aibotk", json=body).json()
    assert reply["code"] == 200
    assert reply["msg"] == "success"
    assert reply["data"][0]["type"] == 1
    assert web.post("/v1/api/completion_aibotk", json={**body, "Authorization": "nope"}).json() == INVALID_KEY
    cited = web.post("/v1/api/completion_aibotk", json={**body, "word": "What is RAGFlow?", "quote": True}).json()
    assert cited == {"code": 100, "data": None, "message": "KeyError('img_id')"}
