"""Tests of dialog_handlers: /v1/dialog/*, /v1/conversation/* and the streamed completion (code, message, bytes)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from starlette.testclient import TestClient

from mockserver.core import sse
from tests.families.webui.webkit import TEXT, create_kb, parsed_document

SUCCESS = {"code": 0, "data": True, "message": "success"}
PROMPT = {
    "system": "Answer from the knowledge base.\n{knowledge}",
    "prologue": "Hi! I'm your assistant, what can I do for you?",
    "parameters": [{"key": "knowledge", "optional": False}],
    "empty_response": "",
    "quote": True,
}


def make_dialog(web: TestClient, ui: dict[str, str], kb_ids: list[str], name: str = "River bot") -> dict[str, Any]:
    reply = web.post(
        "/v1/dialog/set", headers=ui, json={"name": name, "kb_ids": kb_ids, "prompt_config": PROMPT, "top_n": 6}
    ).json()
    assert reply["code"] == 0, reply
    data: dict[str, Any] = reply["data"]
    return data


def test_dialog_set_get_list_rm(web: TestClient, ui: dict[str, str]) -> None:
    """setDialog, getDialog, listDialogs, removeDialogs: rows with internal names, kb_names, soft delete."""
    kb_id = create_kb(web, ui, "rivers")
    created = make_dialog(web, ui, [kb_id])
    assert (created["name"], created["kb_ids"], created["llm_id"], created["status"]) == (
        "River bot",
        [kb_id],
        "qwen-plus@Tongyi-Qianwen",
        "1",
    )
    assert {"prompt_config", "llm_setting", "top_n", "top_k", "similarity_threshold", "icon"} <= set(created)
    got = web.get(f"/v1/dialog/get?dialog_id={created['id']}", headers=ui).json()
    assert (got["code"], got["data"]["kb_names"], got["data"]["kb_ids"]) == (0, ["rivers"], [kb_id])
    assert web.get("/v1/dialog/get?dialog_id=nope", headers=ui).json() == {
        "code": 102,
        "data": False,
        "message": "Dialog not found!",
    }
    update = {"dialog_id": created["id"], "name": "Renamed", "prompt_config": PROMPT, "kb_names": ["x"]}
    updated = web.post("/v1/dialog/set", headers=ui, json=update).json()["data"]
    assert (updated["name"], updated["kb_names"]) == ("Renamed", ["rivers"])
    assert web.post("/v1/dialog/set", headers=ui, json={**update, "dialog_id": "nope"}).json()["message"] == (
        "Dialog not found!"
    )
    unused = {"prompt_config": {**PROMPT, "parameters": [{"key": "topic", "optional": False}]}}
    assert web.post("/v1/dialog/set", headers=ui, json=unused).json() == {
        "code": 102,
        "data": False,
        "message": "Parameter 'topic' is not used",
    }
    solo = web.post("/v1/dialog/set", headers=ui, json={"prompt_config": PROMPT}).json()["data"]
    assert (solo["name"], solo["prompt_config"]["parameters"]) == ("New Dialog", [])
    assert [d["id"] for d in web.get("/v1/dialog/list", headers=ui).json()["data"]] == [solo["id"], created["id"]]
    assert web.post("/v1/dialog/rm", headers=ui, json={"dialog_ids": ["nope"]}).json() == {
        "code": 103,
        "data": False,
        "message": "Only owner of dialog authorized for this operation.",
    }
    assert web.post("/v1/dialog/rm", headers=ui, json={"dialog_ids": [solo["id"]]}).json() == SUCCESS
    assert [d["id"] for d in web.get("/v1/dialog/list", headers=ui).json()["data"]] == [created["id"]]


def test_conversation_set_get_list_rm(web: TestClient, ui: dict[str, str]) -> None:
    """setConversation keeps the UI's id (four keys), renames; getConversation adds `avatar`; list; rm."""
    dialog = make_dialog(web, ui, [])
    body = {"dialog_id": dialog["id"], "name": "first", "is_new": True, "conversation_id": "c0ffee"}
    created = web.post("/v1/conversation/set", headers=ui, json=body).json()
    assert created == {
        "code": 0,
        "data": {
            "dialog_id": dialog["id"],
            "id": "c0ffee",
            "message": [{"content": PROMPT["prologue"], "role": "assistant"}],
            "name": "first",
        },
        "message": "success",
    }
    assert web.post("/v1/conversation/set", headers=ui, json={"name": "x"}).json() == {
        "code": 100,
        "data": None,
        "message": "KeyError('is_new')",
    }
    missing = {**body, "dialog_id": "nope"}
    assert web.post("/v1/conversation/set", headers=ui, json=missing).json()["message"] == "Dialog not found"
    renamed = web.post(
        "/v1/conversation/set", headers=ui, json={"conversation_id": "c0ffee", "is_new": False, "name": "second"}
    ).json()["data"]
    assert (renamed["name"], renamed["id"]) == ("second", "c0ffee")
    got = web.get("/v1/conversation/get?conversation_id=c0ffee", headers=ui).json()["data"]
    assert (got["avatar"], got["name"], got["reference"]) == ("", "second", [])
    assert web.get("/v1/conversation/get?conversation_id=nope", headers=ui).json()["message"] == (
        "Conversation not found!"
    )
    listed = web.get(f"/v1/conversation/list?dialog_id={dialog['id']}", headers=ui).json()["data"]
    assert [c["id"] for c in listed] == ["c0ffee"]
    assert web.get("/v1/conversation/list?dialog_id=nope", headers=ui).json()["code"] == 103
    assert web.post("/v1/conversation/rm", headers=ui, json={"conversation_ids": ["nope"]}).json()["code"] == 102
    assert web.post("/v1/conversation/rm", headers=ui, json={"conversation_ids": ["c0ffee"]}).json() == SUCCESS


def test_completion_streams_cumulative_frames_and_saves_the_turn(web: TestClient, ui: dict[str, str]) -> None:
    """completeConversation: the server's headers and frame bytes, cited reference in the UI's shape, history saved."""
    kb_id = create_kb(web, ui, "rivers")
    doc = parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    dialog = make_dialog(web, ui, [kb_id])
    new = {"dialog_id": dialog["id"], "name": "n", "is_new": True, "conversation_id": "conv1"}
    web.post("/v1/conversation/set", headers=ui, json=new)
    messages = [
        {"role": "assistant", "content": PROMPT["prologue"]},
        {"role": "user", "content": "Which river is the longest in Great Britain?", "id": "msg-1"},
    ]
    with web.stream(
        "POST", "/v1/conversation/completion", headers=ui, json={"conversation_id": "conv1", "messages": messages}
    ) as reply:
        assert reply.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2  # sic, twice
        assert (reply.headers["cache-control"], reply.headers["x-accel-buffering"]) == ("no-cache", "no")
        raw = reply.read()
    frames = sse.parse(raw)
    assert all(f.startswith(b'data:{"code": 0, "message": "", "data": ') for f in frames)
    assert frames[-1] == b'data:{"code": 0, "message": "", "data": true}\n\n'
    payloads = [json.loads(sse.data_of(f)) for f in frames[:-1]]
    answers = [p["data"]["answer"] for p in payloads]
    assert all(b.startswith(a) for a, b in itertools.pairwise(answers))
    final = payloads[-1]["data"]
    assert list(final)[-2:] == ["id", "session_id"] and (final["id"], final["session_id"]) == ("msg-1", "conv1")
    chunk = final["reference"]["chunks"][0]
    assert list(chunk)[:7] == ["id", "content", "document_id", "document_name", "dataset_id", "image_id", "positions"]
    assert (chunk["document_id"], chunk["dataset_id"]) == (doc["id"], kb_id)
    assert final["reference"]["doc_aggs"][0]["doc_id"] == doc["id"]
    stored = web.get("/v1/conversation/get?conversation_id=conv1", headers=ui).json()["data"]
    assert [m["role"] for m in stored["message"]] == ["assistant", "user", "assistant"]
    assert stored["message"][-1]["content"] == final["answer"] and stored["message"][-1]["id"] == "msg-1"
    assert stored["reference"][-1]["chunks"][0]["id"] == chunk["id"]


def test_completion_refusals(web: TestClient, ui: dict[str, str]) -> None:
    """completeConversation: MISSING, unknown conversation (JSON), `stream` false (KeyError), a `stream` key."""
    dialog = make_dialog(web, ui, [])
    web.post(
        "/v1/conversation/set",
        headers=ui,
        json={"dialog_id": dialog["id"], "name": "n", "is_new": True, "conversation_id": "c1"},
    )
    post = lambda body: web.post("/v1/conversation/completion", headers=ui, json=body)  # noqa: E731
    assert post({"messages": []}).json()["message"] == "required argument are missing: conversation_id; "
    user = [{"role": "user", "content": "hi", "id": "m"}]
    assert post({"conversation_id": "x", "messages": user}).json() == {
        "code": 102,
        "data": False,
        "message": "Conversation not found!",
    }
    assert post({"conversation_id": "c1", "messages": user, "stream": False}).json() == {
        "code": 100,
        "data": None,
        "message": "KeyError('conversation_id')",
    }
    frames = sse.parse(post({"conversation_id": "c1", "messages": user, "stream": True}).content)
    first = json.loads(sse.data_of(frames[0]))
    assert (first["code"], first["message"]) == (500, "chat() got multiple values for argument 'stream'")
    assert frames[-1] == b'data:{"code": 0, "message": "", "data": true}\n\n'


def test_sdk_chats_and_sessions_are_dialogs_and_conversations(web: TestClient, ui: dict[str, str]) -> None:
    """One state: an SDK chat is a dialog, its sessions are conversations, and a UI dialog is an SDK chat."""
    kb_id = create_kb(web, ui, "rivers")
    parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    key = web.post("/v1/system/new_token", headers=ui).json()["data"]["token"]
    sdk = {"Authorization": f"Bearer {key}"}
    chat = web.post("/api/v1/chats", headers=sdk, json={"name": "sdk chat", "dataset_ids": [kb_id]}).json()["data"]
    session = web.post(f"/api/v1/chats/{chat['id']}/sessions", headers=sdk, json={"name": "s"}).json()["data"]
    assert chat["id"] in [d["id"] for d in web.get("/v1/dialog/list", headers=ui).json()["data"]]
    listed = web.get(f"/v1/conversation/list?dialog_id={chat['id']}", headers=ui).json()["data"]
    assert [c["id"] for c in listed] == [session["id"]]
    dialog = make_dialog(web, ui, [kb_id], name="ui chat")
    names = [c["name"] for c in web.get("/api/v1/chats", headers=sdk).json()["data"]]
    assert dialog["name"] in names
