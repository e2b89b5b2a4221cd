"""2024-05-legacy over a real socket: every example request of the seed in document order, as a client written
from that document sends it (the key as `Authorization: Bearer <key>`, the seed's methods and parameters)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockserver.app import create_app
from mockserver.core import sse
from mockserver.server import ThreadedServer
from mockserver.settings import Settings
from tests.families.accounts.webkit import PASSWORD
from tests.families.legacy_2024_05.worldkit import PREFIX, TEXT

pytestmark = pytest.mark.slow


@pytest.fixture(params=["selected", "prefixed"])
def base(request: pytest.FixtureRequest) -> Iterator[tuple[httpx.Client, str]]:
    """A real server; the profile at `/v1/api` (selected) or under `/_p/2024-05-legacy` (prefixed)."""
    selected = request.param == "selected"
    app = create_app(Settings.for_tests(legacy_profile="2024-05-legacy" if selected else "current"))
    with ThreadedServer(app) as server, httpx.Client(base_url=server.base_url) as client:
        yield client, ("" if selected else PREFIX)


def provision(http: httpx.Client, base: str) -> tuple[dict[str, str], dict[str, str], str]:
    """What a user did in the web UI first: a dataset `kb` with a parsed `notes.txt`, a chat, its Chat Bot API key."""
    http.post("/v1/user/register", json={"nickname": "u", "email": "u@example.com", "password": PASSWORD})
    login = {"Authorization": http.post("/v1/user/login", json={"email": "u@example.com", "password": PASSWORD}).headers["Authorization"]}  # fmt: skip
    api = {"Authorization": "Bearer " + http.post("/v1/system/new_token", headers=login).json()["data"]["token"]}
    dataset_id = http.post("/api/v1/datasets", headers=api, json={"name": "kb"}).json()["data"]["id"]
    doc_id = http.post(f"/api/v1/datasets/{dataset_id}/documents", headers=api, files={"file": ("notes.txt", TEXT)}).json()["data"][0]["id"]  # fmt: skip
    http.post(f"/api/v1/datasets/{dataset_id}/chunks", headers=api, json={"document_ids": [doc_id]})
    chat_id = http.post("/api/v1/chats", headers=api, json={"name": "bot", "dataset_ids": [dataset_id]}).json()["data"]["id"]  # fmt: skip
    token = http.post(f"{base}/v1/api/new_token", headers=login, json={"dialog_id": chat_id}).json()["data"]["token"]
    return {"Authorization": f"Bearer {token}"}, api, doc_id


def test_every_seed_example_in_order(base: tuple[httpx.Client, str]) -> None:
    http, prefix = base
    key, _, doc_id = provision(http, prefix)
    v1 = f"{prefix}/v1"

    # Create conversation: GET /api/new_conversation?user_id=…
    created = http.get(f"{v1}/api/new_conversation", headers=key, params={"user_id": "user-1"}).json()
    assert created["retcode"] == 0 and created["retmsg"] == "success"
    conversation_id = created["data"]["id"]
    assert created["data"]["message"][0]["role"] == "assistant" and created["data"]["reference"] == []

    # Get conversation history: GET /api/conversation/<id>
    history = http.get(f"{v1}/api/conversation/{conversation_id}", headers=key).json()
    assert history["retcode"] == 0 and history["data"]["id"] == conversation_id

    # Get answer: POST /api/completion with the seed's messages (streamed: stream omitted)
    with http.stream(
        "POST",
        f"{v1}/api/completion",
        headers=key,
        json={"conversation_id": conversation_id, "messages": [{"role": "user", "content": "What is RAGFlow?"}]},
    ) as streamed:
        assert streamed.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2
        raw = b"".join(streamed.iter_bytes())
    events = sse.payloads(raw)
    assert events[-1] == {"retcode": 0, "retmsg": "", "data": True}
    answer = events[-2]["data"]
    assert answer["reference"]["chunks"][0]["doc_name"] == "notes.txt" and answer["answer"]
    blocking = http.post(
        f"{v1}/api/completion",
        headers=key,
        json={
            "conversation_id": conversation_id,
            "messages": [{"role": "user", "content": "How are you doing!"}],
            "stream": False,
        },
    ).json()
    assert blocking["retcode"] == 0 and set(blocking["data"]) == {"answer", "reference"}
    after = http.get(f"{v1}/api/conversation/{conversation_id}").json()["data"]
    assert after["round"] == 2
    assert [m["role"] for m in after["message"]] == ["assistant", "user", "assistant", "user", "assistant"]

    # Get document content or image: GET /api/document/get/<id> (by document id)
    content = http.get(f"{v1}/api/document/get/{doc_id}", headers=key)
    assert content.status_code == 200 and content.content == TEXT

    # Upload file: POST /api/document/upload (file, kb_name, parser_id, run)
    uploaded = http.post(
        f"{v1}/api/document/upload",
        headers=key,
        data={"kb_name": "kb", "parser_id": "naive", "run": "1"},
        files={"file": ("readme.txt", b"readme " * 100)},
    ).json()
    assert uploaded["retcode"] == 0 and uploaded["data"]["name"] == "readme.txt" and uploaded["data"]["run"] == "0"

    # Get document chunks: GET /api/list_chunks (the seed's method) by doc_name, then doc_id
    by_name = http.get(f"{v1}/api/list_chunks", headers=key, params={"doc_name": "notes.txt"}).json()
    assert by_name["retcode"] == 0 and by_name["data"][0]["doc_name"] == "notes.txt"
    by_id = http.get(f"{v1}/api/list_chunks", headers=key, params={"doc_id": doc_id}).json()
    assert by_id == by_name

    # Get document list: POST /api/list_kb_docs
    listed = http.post(
        f"{v1}/api/list_kb_docs",
        headers=key,
        data={"kb_name": "kb", "page": "1", "page_size": "15", "orderby": "create_time", "desc": "True"},
    ).json()
    assert listed["retcode"] == 0 and [d["doc_name"] for d in listed["data"]["docs"]] == ["readme.txt", "notes.txt"]
    assert listed["data"]["total"] == 2

    # Delete documents: DELETE /api/document by name and by id
    gone = http.request("DELETE", f"{v1}/api/document", headers=key, json={"doc_names": ["readme.txt"]}).json()
    assert gone == {"data": True, "retcode": 0, "retmsg": "success"}
    gone = http.request("DELETE", f"{v1}/api/document", headers=key, json={"doc_ids": [doc_id]}).json()
    assert gone == {"data": True, "retcode": 0, "retmsg": "success"}
    empty = http.post(f"{v1}/api/list_kb_docs", headers=key, data={"kb_name": "kb"}).json()
    assert empty["data"] == {"docs": [], "total": 0}
