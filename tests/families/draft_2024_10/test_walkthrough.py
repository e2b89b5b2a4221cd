"""2024-10-draft over a real socket: every request example of the 10-12 draft in document order (the example
bodies as written, ids substituted where the seed has placeholders), then the 10-11 variant's different row."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockserver import Settings
from mockserver.core import sse
from mockserver.server import ThreadedServer
from tests.conftest import API_KEY
from tests.support.profiles import profile_app

pytestmark = pytest.mark.slow

TEXT = b"RAGFlow is an open-source RAG engine based on deep document understanding."


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    app = profile_app(Settings.for_tests(api_keys=(API_KEY,)), "2024-10-draft")
    with ThreadedServer(app) as server:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        with httpx.Client(base_url=server.base_url, headers=headers) as client:
            yield client


def call(http: httpx.Client, method: str, url: str, body: object = None) -> dict[str, object]:
    got = http.request(method, url, json=body) if body is not None else http.request(method, url)
    payload: dict[str, object] = got.json()
    return payload


def test_the_10_12_draft_in_order(http: httpx.Client) -> None:
    created = call(http, "POST", "/api/v1/dataset",
                   {"name": "test", "chunk_count": 0, "document_count": 0, "parse_method": "naive"})  # fmt: skip
    dataset_id = created["data"]["id"]  # type: ignore[index]
    assert call(http, "DELETE", "/api/v1/dataset", {"ids": ["test_1", "test_2"]}) == {
        "code": 102,
        "message": "You don't own the dataset test_1",
    }
    tenant = created["data"]["tenant_id"]  # type: ignore[index]
    update = {"name": "test", "tenant_id": tenant, "embedding_model": "BAAI/bge-zh-v1.5", "chunk_count": 0,
              "document_count": 0, "parse_method": "naive"}  # fmt: skip
    assert call(http, "PUT", f"/api/v1/dataset/{dataset_id}", update) == {"code": 0}
    listed = call(http, "GET", "/api/v1/dataset?page=1&page_size=1024&orderby=create_time&desc=True&name=test")
    assert [d["id"] for d in listed["data"]] == [dataset_id]  # type: ignore[attr-defined]
    upload = http.post(f"/api/v1/dataset/{dataset_id}/document", files=[("file", ("test.txt", TEXT))])
    assert upload.json() == {"code": 0}
    docs = call(
        http, "GET", f"/api/v1/dataset/{dataset_id}/info?keywords=rag&page=0&page_size=10&orderby=create_time&desc=yes"
    )
    assert docs["data"]["total"] == 0  # type: ignore[index]  # "rag" is not in "test.txt"
    doc_id = call(http, "GET", f"/api/v1/dataset/{dataset_id}/info")["data"]["docs"][0]["id"]  # type: ignore[index]
    download = http.get(f"/api/v1/dataset/{dataset_id}/document/{doc_id}")
    assert download.content == TEXT
    info = {"document_id": doc_id, "document_name": "manual.txt", "thumbnail": None, "knowledgebase_id": dataset_id,
            "parser_method": "manual", "parser_config": {"chunk_token_count": 128, "delimiter": "\n!?。；！？",
            "layout_recognize": True, "task_page_size": 12}, "source_type": "local", "type": "doc",
            "created_by": tenant, "size": 0, "token_count": 0, "chunk_count": 0, "progress": 0.0,
            "progress_msg": "", "process_begin_at": None, "process_duration": 0.0}  # fmt: skip
    assert call(http, "PUT", f"/api/v1/dataset/{dataset_id}/info/{doc_id}", info) == {"code": 0}
    seed_parse = {"documents": [doc_id, "97ad64b6759811ef9fc30242ac120004"]}
    assert call(http, "POST", f"/api/v1/dataset/{dataset_id}/chunk", seed_parse)["retmsg"] == "KeyError('document_ids')"
    assert call(http, "POST", f"/api/v1/dataset/{dataset_id}/chunk", {"document_ids": [doc_id]}) == {"code": 0}
    assert call(http, "DELETE", f"/api/v1/dataset/{dataset_id}/chunk", seed_parse)["retcode"] == 100
    chunk_url = f"/api/v1/dataset/{dataset_id}/document/{doc_id}/chunk"
    chunks = call(http, "GET", chunk_url)["data"]["chunks"]  # type: ignore[index]
    chunk_id = chunks[0]["id"]  # type: ignore[index]
    assert call(http, "DELETE", chunk_url, {"chunks": [chunk_id]}) == {
        "code": 102,
        "message": "`chunk_ids` is required",
    }
    update_chunk = {"chunk_id": chunk_id, "knowledgebase_id": None, "name": "", "content": "ragflow123",
                    "important_keywords": [], "document_id": doc_id, "status": "1"}  # fmt: skip
    assert call(http, "PUT", chunk_url, update_chunk) == {"code": 0}
    insert = {"document_id": doc_id, "content": ["ragflow content", "ragflow content"]}
    assert call(http, "POST", chunk_url, insert)["retcode"] == 100
    retrieval = call(http, "GET", f"/api/v1/dataset/{dataset_id}/retrieval", {"query_text": "This is a cat."})
    assert retrieval["code"] == 0
    chat_body = {"knowledgebases": [{"avatar": None, "chunk_count": 0, "description": None, "document_count": 0,
                 "embedding_model": "", "id": dataset_id, "language": "English", "name": "Test_assistant",
                 "parse_method": "naive", "parser_config": {"pages": [[1, 1000000]]}, "permission": "me",
                 "tenant_id": "4fb0cd625f9311efba4a0242ac120006"}], "name": "new_chat_1"}  # fmt: skip
    chat = call(http, "POST", "/api/v1/chat", chat_body)["data"]
    chat_id = chat["id"]  # type: ignore[index]
    assert call(http, "PUT", f"/api/v1/chat/{chat_id}", {"name": "Test"}) == {"code": 0}
    assert call(http, "DELETE", "/api/v1/chat", {"ids": ["test_1", "test_2"]}) == {
        "code": 102,
        "message": "You don't own the chat test_1",
    }
    chats = call(
        http, "GET", "/api/v1/chat?page=1&page_size=1024&orderby=create_time&desc=True&name=Test&id=" + chat_id
    )
    assert [c["name"] for c in chats["data"]] == ["Test"]  # type: ignore[attr-defined]
    session = call(http, "POST", f"/api/v1/chat/{chat_id}/session", {"name": "new session"})["data"]
    session_id = session["id"]  # type: ignore[index]
    sessions = call(http, "GET", f"/api/v1/chat/{chat_id}/session?page=1&page_size=1024&orderby=create_time&desc=True")
    assert [s["id"] for s in sessions["data"]] == [session_id]  # type: ignore[attr-defined]
    assert call(http, "PUT", f"/api/v1/chat/{chat_id}/session/{session_id}", {"name": "Updated session"}) == {"code": 0}
    stream = http.post(
        f"/api/v1/chat/{chat_id}/session/{session_id}/completion", json={"question": "你好!", "stream": True}
    )
    assert stream.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2
    assert sse.parse(stream.content)[-1] == b'data:{"code": 0, "data": true}\n\n'
    seed_delete = call(http, "DELETE", f"/api/v1/chat/{chat_id}/session", {"ids": ["test_1", "test_2"]})
    assert seed_delete == {"code": 102, "message": "The chat doesn't own the session"}
    assert call(http, "DELETE", f"/api/v1/chat/{chat_id}/session", {"ids": [session_id]}) == {"code": 0}


def test_the_10_11_variants_delete_one_session(http: httpx.Client) -> None:
    dataset_id = call(http, "POST", "/api/v1/dataset", {"name": "kb"})["data"]["id"]  # type: ignore[index]
    chat = call(http, "POST", "/api/v1/chat", {"knowledgebases": [{"id": dataset_id}], "name": "c"})["data"]
    chat_id = chat["id"]  # type: ignore[index]
    session_id = call(http, "POST", f"/api/v1/chat/{chat_id}/session", {})["data"]["id"]  # type: ignore[index]
    assert call(http, "DELETE", f"/api/v1/chat/{chat_id}/session/{session_id}") == {"code": 0}
    assert call(http, "GET", f"/api/v1/chat/{chat_id}/session") == {"code": 102, "message": "The session doesn't exist"}
