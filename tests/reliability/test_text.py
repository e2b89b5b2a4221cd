"""Lone surrogates (issue 16 item 4): client text such as `"\\ud800"` never breaks UTF-8 output, saves or streams.

JSON replies escape it (`ensure_ascii`, as Flask does); SSE frames (written `ensure_ascii=False`) write it as its
`\\uXXXX` escape so the stream stays valid UTF-8 SSE; the state file is saved and loads back. Where the real server
itself encodes the text to UTF-8 (the chunk id of add-chunk, the name-length check of update-document) it fails
with its UnicodeEncodeError reply — code 100, message `'utf-8'`, the text as data — and nothing changes.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from mockserver.control import snapshot
from mockserver.core import sse
from mockserver.core.jsonbytes import json_utf8
from tests.reliability.conftest import assert_responsive, state_of

LONE = "\ud800"
"""A lone surrogate (`json.dumps` sends it as the escape `"\\ud800"`, which decodes back to it)."""


def _post(client: TestClient, path: str, raw: str) -> dict[str, object]:
    response = client.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    payload: dict[str, object] = response.json()
    return payload


def _chat_and_session(client: TestClient) -> tuple[str, str]:
    chat = _post(client, "/api/v1/chats", json.dumps({"name": LONE, "dataset_ids": []}))
    assert chat["code"] == 0
    chat_id = chat["data"]["id"]  # type: ignore[index]
    session = _post(client, f"/api/v1/chats/{chat_id}/sessions", json.dumps({"name": LONE}))
    assert session["code"] == 0
    return chat_id, session["data"]["id"]  # type: ignore[index]


def test_names_with_a_lone_surrogate_list_back_escaped(app: Starlette, client: TestClient) -> None:
    """createChat, createSession, listChats: the reply bytes are ASCII with the `\\ud800` escape."""
    chat_id, _ = _chat_and_session(client)
    response = client.get("/api/v1/chats", params={"id": chat_id})
    assert b'"name":"\\ud800"' in response.content
    assert response.json()["data"][0]["name"] == "\ud800"
    assert emulator_state(app).unexpected_count == 0


def test_a_streamed_completion_stays_sse(app: Starlette, client: TestClient) -> None:
    """createChatCompletion with a lone surrogate in the question: every frame is valid UTF-8 SSE."""
    chat_id, session_id = _chat_and_session(client)
    body = json.dumps({"question": LONE, "stream": True, "session_id": session_id})
    response = client.post(f"/api/v1/chats/{chat_id}/completions", content=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = sse.parse(response.content)
    assert frames[-1] == b'data:{"code": 0, "data": true}\n\n'
    decoded = [json.loads(f[len(b"data:") :]) for f in frames]
    assert "\ud800" in decoded[0]["data"]["answer"]
    response.content.decode("utf-8")  # strict: valid UTF-8
    assert emulator_state(app).unexpected_count == 0


def test_the_state_file_saves_and_loads_back(app: Starlette, client: TestClient, tmp_path: Path) -> None:
    _chat_and_session(client)
    path = tmp_path / "state.json"
    snapshot.save(emulator_state(app), path)
    path.read_bytes().decode("utf-8")  # strict
    before = state_of(app)
    emulator_state(app).reset()
    snapshot.load(emulator_state(app), path)
    assert state_of(app) == before


def test_add_chunk_fails_as_the_server_encodes_the_chunk_id(
    app: Starlette, client: TestClient, dataset_id: str, document_id: str
) -> None:
    """addChunk: `xxhash((content + document_id).encode("utf-8"))` fails → 100 `'utf-8'`, data = the text."""
    before = state_of(app)
    payload = _post(
        client, f"/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks", json.dumps({"content": LONE})
    )
    assert payload == {"code": 100, "data": "\ud800" + document_id, "message": "'utf-8'"}
    assert state_of(app) == before
    assert emulator_state(app).unexpected_count == 0
    assert_responsive(client)


def test_update_document_fails_as_the_server_measures_the_name(
    app: Starlette, client: TestClient, dataset_id: str, document_id: str
) -> None:
    """updateDocument: `len(name.encode("utf-8"))` fails → 100 `'utf-8'`, data = the name."""
    before = state_of(app)
    response = client.put(
        f"/api/v1/datasets/{dataset_id}/documents/{document_id}",
        content=json.dumps({"name": LONE}),
        headers={"Content-Type": "application/json"},
    )
    assert response.json() == {"code": 100, "data": "\ud800", "message": "'utf-8'"}
    assert state_of(app) == before
    assert emulator_state(app).unexpected_count == 0


def test_json_utf8_escapes_only_lone_surrogates() -> None:
    assert json_utf8(json.dumps({"a": "é\ud800😀"}, ensure_ascii=False)) == '{"a": "é\\ud800😀"}'.encode()
