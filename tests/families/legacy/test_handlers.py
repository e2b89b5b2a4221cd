"""Legacy `/v1/api`: the seed's walk-through over the shared tenant state, and the reference's negative cases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.core import sse
from tests.conftest import API_KEY
from tests.families.accounts.test_handlers import PASSWORD

TEXT = b"RAGFlow is an open-source RAG engine. It parses documents into chunks.\n\nThe emulator answers questions."
INVALID_KEY = {"code": 109, "data": False, "message": 'Authentication error: API key is invalid!"'}


@dataclass
class World:
    web: TestClient
    login: dict[str, str]
    api: dict[str, str]
    dataset_id: str
    chat_id: str
    key: dict[str, str]
    key_token: str
    doc_id: str


@pytest.fixture
def world(app: Starlette) -> Iterator[World]:
    with TestClient(app) as web:
        web.post("/v1/user/register", json={"nickname": "u", "email": "u@example.com", "password": PASSWORD})
        token = web.post("/v1/user/login", json={"email": "u@example.com", "password": PASSWORD}).headers[
            "Authorization"
        ]
        login = {"Authorization": token}
        api_key = web.post("/v1/system/new_token", headers=login).json()["data"]["token"]
        api = {"Authorization": f"Bearer {api_key}"}
        dataset_id = web.post("/api/v1/datasets", headers=api, json={"name": "kb"}).json()["data"]["id"]
        files = {"file": ("notes.txt", TEXT)}
        doc = web.post("/v1/api/document/upload", headers=api, data={"kb_name": "kb", "run": "1"}, files=files).json()
        chat = web.post("/api/v1/chats", headers=api, json={"name": "bot", "dataset_ids": [dataset_id]}).json()
        legacy = web.post("/v1/api/new_token", headers=login, json={"dialog_id": chat["data"]["id"]}).json()["data"]
        yield World(
            web,
            login,
            api,
            dataset_id,
            chat["data"]["id"],
            {"Authorization": f"Bearer {legacy['token']}"},
            legacy["token"],
            doc["data"]["id"],
        )


def upload(world: World, name: str = "more.txt", run: str = "1") -> dict[str, Any]:
    reply = world.web.post(
        "/v1/api/document/upload", headers=world.key, data={"kb_name": "kb", "run": run}, files={"file": (name, TEXT)}
    ).json()
    assert reply["code"] == 0, reply
    data: dict[str, Any] = reply["data"]
    return data


def conversation(world: World, user_id: str = "alice") -> str:
    reply = world.web.get("/v1/api/new_conversation", headers=world.key, params={"user_id": user_id}).json()
    conv_id: str = reply["data"]["id"]
    return conv_id


def test_seed_walk_through(world: World) -> None:
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


def test_completion_blocking_with_quote_returns_raw_chunks(world: World) -> None:
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
    assert world.web.post("/v1/api/completion", headers=world.key, json=body).json() == expected


def test_completion_guard_runs_before_key(world: World) -> None:
    reply = world.web.post("/v1/api/completion", json={})
    assert reply.json()["code"] == 101


def test_completion_without_user_message(world: World) -> None:
    conv_id = conversation(world)
    body = {"conversation_id": conv_id, "messages": [{"role": "assistant", "content": "hello"}]}
    assert world.web.post("/v1/api/completion", headers=world.key, json=body).json() == {
        "code": 100,
        "data": None,
        "message": "IndexError('list index out of range')",
    }


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
    assert world.web.get("/v1/api/new_conversation", headers=headers).json() == expected


def test_new_conversation_without_dialog(world: World) -> None:
    assert world.web.get("/v1/api/new_conversation", headers=world.api).json() == {
        "code": 102,
        "message": "Dialog not found",
    }


def test_conversation_needs_the_dialogs_first_key(world: World) -> None:
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
    conv_id = conversation(world)
    assert client.get(f"/v1/api/conversation/{conv_id}").json() == {"code": 102, "message": "Conversation not found!"}
    body = {"conversation_id": conv_id, "messages": [{"role": "user", "content": "hi"}], "stream": False}
    assert client.post("/v1/api/completion", json=body).json() == {"code": 102, "message": "Conversation not found!"}
    assert client.headers["Authorization"] == f"Bearer {API_KEY}"


def test_agent_key_conversation_and_broken_completion(world: World) -> None:
    agent = world.web.post("/api/v1/agents", headers=world.api, json={"title": "flow", "dsl": _dsl()}).json()
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


def _dsl() -> dict[str, Any]:
    from mockserver.families.agents.canvas import default_dsl

    return default_dsl([])


# -- keys -------------------------------------------------------------------------------------------
def test_legacy_tokens(world: World) -> None:
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
    conversation(world, "alice")
    conversation(world, "bob")
    data = world.web.get("/v1/api/stats", headers=world.login).json()["data"]
    assert sorted(data) == ["pv", "round", "speed", "thumb_up", "tokens", "uv"]
    assert data["pv"] == [["2025-05-09", 2]]
    assert data["uv"] == [["2025-05-09", 2]]
    assert world.web.get("/v1/api/stats", headers=world.login, params={"canvas_id": "x"}).json()["data"]["pv"] == []


# -- documents --------------------------------------------------------------------------------------
def test_upload_failures(world: World) -> None:
    web, key = world.web, world.key
    assert web.post(
        "/v1/api/document/upload", headers=key, data={"x": "1"}, files={"file": ("a.txt", b"x")}
    ).json() == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: kb_name; ",
    }
    no_kb = web.post("/v1/api/document/upload", headers=key, data={"kb_name": "nope"}, files={"file": ("a.txt", b"x")})
    assert no_kb.json() == {"code": 102, "message": "Can't find this knowledgebase!"}
    no_file = web.post("/v1/api/document/upload", headers=key, data={"kb_name": "kb"}, files={"other": ("a.txt", b"x")})
    assert no_file.json() == {"code": 101, "data": False, "message": "No file part!"}
    bad = web.post("/v1/api/document/upload", headers=key, data={"kb_name": "kb"}, files={"file": ("a.exe", b"x")})
    assert bad.json() == {"code": 102, "message": "This type of file has not been supported yet!"}


def test_upload_and_parse(world: World) -> None:
    conv_id = conversation(world)
    reply = world.web.post(
        "/v1/api/document/upload_and_parse",
        headers=world.key,
        data={"conversation_id": conv_id},
        files={"file": ("more.txt", TEXT)},
    ).json()
    assert reply["code"] == 0
    (doc_id,) = reply["data"]
    assert world.web.post("/v1/api/list_chunks", headers=world.key, json={"doc_id": doc_id}).json()["data"]
    unknown = world.web.post(
        "/v1/api/document/upload_and_parse",
        headers=world.key,
        data={"conversation_id": "nope"},
        files={"file": ("a.txt", b"x")},
    )
    assert unknown.json() == {"code": 100, "data": None, "message": "AssertionError('Conversation not found!')"}


def test_list_kb_docs_filters_and_errors(world: World) -> None:
    first, second = upload(world, "a.txt", run="0"), upload(world, "b.txt", run="0")
    web, key = world.web, world.key
    body = {"kb_name": "kb", "page_size": 1, "page": 2, "desc": False, "orderby": "name"}
    page = web.post("/v1/api/list_kb_docs", headers=key, json=body).json()
    assert page["data"] == {"docs": [{"doc_id": second["id"], "doc_name": "b.txt"}], "total": 3}
    assert first["run"] == "0"
    found = web.post("/v1/api/list_kb_docs", headers=key, json={"kb_name": "kb", "keywords": "B"}).json()["data"]
    assert found["docs"] == [{"doc_id": second["id"], "doc_name": "b.txt"}]
    assert web.post("/v1/api/list_kb_docs", headers=key, json={"kb_name": "x"}).json() == {
        "code": 102,
        "message": "Can't find this knowledgebase!",
    }
    assert web.post("/v1/api/list_kb_docs", headers=key, json={"kb_name": "kb", "status": ["9"]}).json() == {
        "code": 102,
        "message": "Invalid filter status conditions: 9",
    }
    assert web.post("/v1/api/list_kb_docs", headers=key, json={"kb_name": "kb", "types": ["x", "y"]}).json() == {
        "code": 102,
        "message": "Invalid filter conditions: x, y types",
    }


def test_chunks_infos_and_files(world: World) -> None:
    doc = {"id": world.doc_id}
    web, key = world.web, world.key
    assert web.post("/v1/api/list_chunks", headers=key, json={}).json() == {
        "code": 0,
        "data": False,
        "message": "Can't find doc_name or doc_id",
    }
    chunk_id = web.get(f"/api/v1/datasets/{world.dataset_id}/documents/{doc['id']}/chunks", headers=world.api).json()[
        "data"
    ]["chunks"][0]["id"]
    chunk = web.get(f"/v1/api/get_chunk/{chunk_id}", headers=key).json()["data"]
    assert chunk["content_with_weight"] == TEXT.decode()
    assert not any(k.endswith(("_tks", "_ltks", "_vec")) for k in chunk)
    assert web.get("/v1/api/get_chunk/nope", headers=key).json() == {
        "code": 100,
        "data": None,
        "message": "Exception('Chunk not found')",
    }
    infos = web.post("/v1/api/document/infos", headers=key, json={"doc_ids": [doc["id"], "nope"]}).json()["data"]
    assert [d["id"] for d in infos] == [doc["id"]]
    assert web.post("/v1/api/document/infos", headers=key, json={}).json()["code"] == 101
    raw = web.get(f"/v1/document/get/{doc['id']}")
    assert raw.content == TEXT
    assert raw.headers["content-type"] == "application/txt"
    assert web.get("/v1/document/get/nope").json() == {"code": 102, "message": "Document not found!"}
    assert web.get("/v1/document/image/no-dash-ok-not").json() == {"code": 102, "message": "Image not found."}


def test_delete_documents_failures(world: World) -> None:
    doc = upload(world, "gone.txt")
    web, key = world.web, world.key
    assert web.request("DELETE", "/v1/api/document", headers=key, json={}).json() == {
        "code": 0,
        "data": False,
        "message": "Can't find doc_names or doc_ids",
    }
    reply = web.request("DELETE", "/v1/api/document", headers=key, json={"doc_ids": [doc["id"], "nope"]}).json()
    assert reply == {"code": 102, "message": "Document not found!"}
    assert web.post("/v1/api/list_kb_docs", headers=key, json={"kb_name": "kb"}).json()["data"]["total"] == 1


def test_legacy_retrieval(world: World, client: TestClient) -> None:
    empty = client.post("/api/v1/datasets", json={"name": "empty"}).json()["data"]["id"]
    assert client.post("/v1/api/retrieval", json={"kb_id": [empty], "question": "x"}).json() == {
        "code": 102,
        "data": False,
        "message": "No chunk found! Check the chunk status please!",
    }
    web, key = world.web, world.key
    found = web.post("/v1/api/retrieval", headers=key, json={"kb_id": [world.dataset_id], "question": "RAGFlow"}).json()
    assert found["data"]["total"] == 1
    assert found["data"]["chunks"][0]["docnm_kwd"] == "notes.txt"
    assert "vector" not in found["data"]["chunks"][0]
    assert web.post("/v1/api/retrieval", headers=key, json={"kb_id": ["nope"], "question": "x"}).json() == {
        "code": 109,
        "data": False,
        "message": 'Knowledge bases use different embedding models or does not exist."',
    }
    assert web.post("/v1/api/retrieval", headers=key, json={"kb_id": []}).json()["code"] == 101


def test_completion_aibotk(world: World) -> None:
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
