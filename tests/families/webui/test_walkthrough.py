"""The web UI's whole first session over a real socket, in the UI's own request shapes: RSA-encrypted register and
login, the raw token header, multipart upload, polling the document list, the conversation stream read frame by
frame until `data: true`."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from mockserver.server import ThreadedServer
from tests.families.webui.webkit import TEXT, ui_password, web_app

pytestmark = pytest.mark.slow


def envelope(reply: httpx.Response) -> Any:
    """The UI's request wrapper: HTTP 200 JSON, `code` 0, `data` taken."""
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body["code"] == 0, body
    return body["data"]


def read_stream(client: httpx.Client, url: str, headers: dict[str, str], body: dict[str, Any]) -> list[Any]:
    """What the UI's `fetch` + EventSourceParserStream does: events as they arrive, stop at `data === true`."""
    events: list[Any] = []
    buffer = b""
    with client.stream("POST", url, headers=headers, json=body) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        for piece in reply.iter_raw():
            buffer += piece
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                assert frame.startswith(b"data:")
                event = json.loads(frame[len(b"data:") :])
                events.append(event)
                if event["data"] is True:
                    return events
    raise AssertionError(f"stream ended without the final event: {events}")


def test_ui_session_from_register_to_a_streamed_cited_answer() -> None:
    """register → login → tenant/kb lists → create kb → upload → run → poll → chunks → dialog → conversation →
    streamed answer with citations → the saved conversation."""
    app = web_app(world=None, progression="polls:2", virtual_clock=False)
    with ThreadedServer(app) as server, httpx.Client(base_url=server.base_url, timeout=10) as client:
        user = {"nickname": "frontend", "email": "dev@example.com", "password": ui_password("s3cret")}
        assert envelope(client.post("/v1/user/register", json=user))["email"] == "dev@example.com"
        login = client.post("/v1/user/login", json={"email": "dev@example.com", "password": ui_password("s3cret")})
        envelope(login)
        assert login.headers["access-control-expose-headers"] == "Authorization"
        auth = {"Authorization": login.headers["Authorization"]}

        tenant_info = envelope(client.get("/v1/user/tenant_info", headers=auth))
        assert tenant_info["llm_id"] and tenant_info["embd_id"]
        (tenant,) = envelope(client.get("/v1/tenant/list", headers=auth))
        assert tenant["role"] == "owner"
        assert envelope(client.post("/v1/kb/list?page=1&page_size=30&keywords=", headers=auth, json={}))["total"] == 0

        kb_id = envelope(client.post("/v1/kb/create", headers=auth, json={"name": "Rivers"}))["kb_id"]
        assert envelope(client.get(f"/v1/kb/detail?kb_id={kb_id}", headers=auth))["name"] == "Rivers"
        assert envelope(client.get(f"/v1/kb/{kb_id}/knowledge_graph", headers=auth)) == {"graph": {}, "mind_map": {}}

        files = [("file", ("rivers.txt", TEXT.encode(), "text/plain"))]
        (doc,) = envelope(client.post("/v1/document/upload", headers=auth, data={"kb_id": kb_id}, files=files))
        assert envelope(client.post("/v1/document/run", headers=auth, json={"doc_ids": [doc["id"]], "run": 1}))
        seen = []
        for _ in range(10):
            docs = envelope(client.post(f"/v1/document/list?kb_id={kb_id}&page=1&page_size=10", headers=auth, json={}))
            seen.append(docs["docs"][0]["run"])
            if seen[-1] == "3":
                break
        assert seen[0] == "1" and seen[-1] == "3", seen
        assert docs["docs"][0]["progress"] == 1.0 and docs["docs"][0]["chunk_num"] > 0
        chunks = envelope(
            client.post("/v1/chunk/list", headers=auth, json={"doc_id": doc["id"], "page": 1, "size": 30})
        )
        assert chunks["total"] == docs["docs"][0]["chunk_num"]

        prompt = {
            "system": "Use the knowledge base.\n{knowledge}",
            "prologue": "Hello! Ask me about rivers.",
            "parameters": [{"key": "knowledge", "optional": False}],
            "empty_response": "",
            "quote": True,
        }
        dialog = envelope(
            client.post(
                "/v1/dialog/set", headers=auth, json={"name": "River bot", "kb_ids": [kb_id], "prompt_config": prompt}
            )
        )
        assert [d["id"] for d in envelope(client.get("/v1/dialog/list", headers=auth))] == [dialog["id"]]
        conversation_id = uuid.uuid4().hex
        new = {"dialog_id": dialog["id"], "name": "Rivers?", "is_new": True, "conversation_id": conversation_id}
        created = envelope(client.post("/v1/conversation/set", headers=auth, json=new))
        assert created["id"] == conversation_id and created["message"][0]["content"] == prompt["prologue"]

        messages = [
            {"role": "assistant", "content": prompt["prologue"]},
            {"role": "user", "content": "Which river is the longest in Great Britain?", "id": uuid.uuid4().hex},
        ]
        body = {"conversation_id": conversation_id, "messages": messages}
        events = read_stream(client, "/v1/conversation/completion", auth, body)
        answers = [e["data"] for e in events[:-1]]
        assert all(e["code"] == 0 and e["message"] == "" for e in events)
        assert answers and all(a["session_id"] == conversation_id for a in answers)
        cited = answers[-1]["reference"]
        assert "Severn" in cited["chunks"][0]["content"] and cited["doc_aggs"][0]["doc_name"] == "rivers.txt"
        assert "##0$$" in answers[-1]["answer"]

        saved = envelope(client.get(f"/v1/conversation/get?conversation_id={conversation_id}", headers=auth))
        assert [m["role"] for m in saved["message"]] == ["assistant", "user", "assistant"]
        assert saved["message"][-1]["content"] == answers[-1]["answer"]
        assert saved["reference"][-1]["chunks"][0]["document_name"] == "rivers.txt"
        assert client.get("/v1/canvas/list", headers=auth).json() == {
            "code": 100,
            "data": None,
            "message": "<NotFound '404: Not Found'>",
        }
