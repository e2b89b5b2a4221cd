"""Malformed bodies on every writing route of both dataset-era profiles: always the server's envelope, never an
exception the emulator did not mean (the app's `unexpected` list stays empty), and no poisoned state after."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from tests.conftest import API_KEY

BODIES = [b"", b"[]", b"[1]", b'"s"', b"5", b"null", b"{}", b'{"name": 5}', b'{"name": ["x"]}', b'{"ids": "abc"}',
          b'{"ids": [1, null]}', b'{"doc_ids": 5}', b'{"document_ids": [5]}', b'{"chunk_ids": [5]}', b'{"content": 5}',
          b'{"knowledgebases": [5]}', b'{"llm": 5}', b'{"prompt": [1]}', b'{"question": ["q"], "stream": false}',
          b'{"parser_config": 5}', b'{"parser_method": 5}', b'{"token_num": "s"}', b'{"similarity_threshold": null}',
          b'{"chunk_method": ["a"], "template_type": 1}', b'{"enable": {"a": 1}}', b'{"datasets": 5, "question": "q"}',
          b'{"messages": 1}', b'{"dialog_id": 5}', b'{"name": "z", "knowledgebases": [], "prompt_config": 5}',
          b'{"top_n": "s"}', b'{"kb_ids": 5}', b'{"similarity_threshold": "s"}', b'{"llm_setting": [1]}']  # fmt: skip


def _routes(client: TestClient, profile: str) -> list[tuple[str, str]]:
    if profile == "2024-06-dataset":
        ds = client.post("/api/v1/dataset", json={"name": "kb"}).json()["data"]["dataset_id"]
        doc = client.post(f"/api/v1/dataset/{ds}/documents", files=[("file", ("a.txt", b"x"))]).json()["data"][0]["id"]
        base = f"/api/v1/dataset/{ds}"
        return [("POST", "/api/v1/dataset"), ("PUT", base), ("PUT", f"{base}/documents/{doc}"),
                ("POST", f"{base}/documents/status"), ("DELETE", f"{base}/documents/status")]  # fmt: skip
    ds = client.post("/api/v1/dataset", json={"name": "kb"}).json()["data"]["id"]
    client.post(f"/api/v1/dataset/{ds}/document", files=[("file", ("a.txt", b"hello RAG world"))])
    doc = client.get(f"/api/v1/dataset/{ds}/info").json()["data"]["docs"][0]["id"]
    client.post(f"/api/v1/dataset/{ds}/chunk", json={"document_ids": [doc]})
    chat = client.post("/api/v1/chat", json={"knowledgebases": [{"id": ds}], "name": "c"}).json()["data"]["id"]
    sid = client.post(f"/api/v1/chat/{chat}/session", json={}).json()["data"]["id"]
    base, chunks = f"/api/v1/dataset/{ds}", f"/api/v1/dataset/{ds}/document/{doc}/chunk"
    return [("POST", "/api/v1/dataset"), ("DELETE", "/api/v1/dataset"), ("PUT", base), ("DELETE", f"{base}/document"),
            ("PUT", f"{base}/info/{doc}"), ("POST", f"{base}/chunk"), ("DELETE", f"{base}/chunk"), ("DELETE", chunks),
            ("PUT", chunks), ("POST", chunks), ("GET", f"{base}/retrieval"), ("GET", "/api/v1/retrieval"),
            ("POST", "/api/v1/chat"), ("PUT", f"/api/v1/chat/{chat}"), ("POST", f"/api/v1/chat/{chat}/session"),
            ("DELETE", f"/api/v1/chat/{chat}/session"), ("PUT", f"/api/v1/chat/{chat}/session/{sid}"),
            ("POST", f"/api/v1/chat/{chat}/session/{sid}/completion"), ("DELETE", "/api/v1/chat")]  # fmt: skip


@pytest.mark.parametrize("profile", ["2024-06-dataset", "2024-10-draft"])
def test_malformed_bodies_get_envelopes_and_leave_the_state_usable(settings: Settings, profile: str) -> None:
    app = create_app(replace(settings, profile=profile))
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as client:
        routes = _routes(client, profile)
        for method, path in routes:
            for body in BODIES:
                got = client.request(method, path, content=body, headers={"Content-Type": "application/json"})
                kind = got.headers["content-type"]
                assert got.status_code == 200 and kind.startswith(("application/json", "text/event-stream")), path
        for path in ("/api/v1/datasets", "/api/v1/chats", "/api/v1/dataset"):
            assert client.get(path).status_code == 200
        assert list(app.state.emulator.unexpected) == []
