"""2024-10-draft converse (T24): the stream byte for byte, the JSON answer, what the session stores, the refusals."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from mockserver.core import sse
from tests.families.draft_2024_10.conftest import CHAT, parsed_document


def session(client: TestClient) -> tuple[str, str, str]:
    dataset_id, doc_id = parsed_document(client)
    chat = client.post(CHAT, json={"knowledgebases": [{"id": dataset_id}], "name": "c"}).json()["data"]["id"]
    session_id = client.post(f"{CHAT}/{chat}/session", json={"name": "new session"}).json()["data"]["id"]
    return chat, session_id, doc_id


def url(chat: str, session_id: str) -> str:
    return f"{CHAT}/{chat}/session/{session_id}/completion"


def test_streams_by_default_with_the_drafts_frames(client: TestClient) -> None:
    chat, session_id, doc_id = session(client)
    got = client.post(url(chat, session_id), json={"question": "What is the open-source RAG engine?"})
    assert got.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2
    assert (got.headers["cache-control"], got.headers["x-accel-buffering"]) == ("no-cache", "no")
    frames = sse.parse(got.content)
    assert frames[-1] == b'data:{"code": 0, "data": true}\n\n'
    events = [json.loads(sse.data_of(f)) for f in frames[:-1]]
    for frame, event in zip(frames, events, strict=False):
        assert frame == b"data:" + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"  # insertion order, ", "
        assert list(event) == ["code", "data"] and event["code"] == 0
    *partials, final = [e["data"] for e in events]
    qid = final["id"]
    assert len(qid) == 36 and qid.count("-") == 4
    for partial in partials:
        assert list(partial) == ["answer", "reference", "audio_binary", "id"] and partial["id"] == qid
    assert list(final) == ["answer", "reference", "prompt", "id"]
    assert "##0$$" in final["answer"]
    reference = final["reference"]
    assert list(reference) == ["total", "chunks", "doc_aggs"]
    assert list(reference["chunks"][0]) == [
        "chunk_id", "content_ltks", "content_with_weight", "doc_id", "docnm_kwd", "kb_id", "important_kwd", "img_id",
        "similarity", "vector_similarity", "term_similarity", "positions",
    ]  # fmt: skip
    assert reference["doc_aggs"] == [{"doc_name": "ragflow_test.txt", "doc_id": doc_id, "count": 1}]
    assert "\n\n### Query:\nWhat is the open-source RAG engine?\n\n### Elapsed\n  - Retrieval: " in final["prompt"]


def test_non_streaming_answer_and_what_the_session_keeps(client: TestClient) -> None:
    chat, session_id, _ = session(client)
    got = client.post(url(chat, session_id), json={"question": "open-source RAG engine", "stream": False})
    data = got.json()["data"]
    assert list(json.loads(got.content)["data"]) == ["answer", "audio_binary", "id", "prompt", "reference"]
    assert data["audio_binary"] is None
    listed = client.get(f"{CHAT}/{chat}/session").json()["data"][0]["messages"]
    assert [m["role"] for m in listed] == ["assistant", "user", "assistant"]
    assert listed[1] == {"content": "open-source RAG engine", "id": data["id"], "role": "user"}
    assert (listed[2]["id"], listed[2]["prompt"]) == (data["id"], data["prompt"])
    assert set(listed[2]["reference"][0]) == {
        "id", "content", "document_id", "document_name", "knowledgebase_id", "image_id", "similarity",
        "vector_similarity", "term_similarity", "positions",
    }  # fmt: skip


def test_nothing_found_streams_the_empty_response(client: TestClient) -> None:
    chat, session_id, _ = session(client)
    got = client.post(url(chat, session_id), json={"question": "zebra", "stream": True})
    frames = sse.parse(got.content)
    assert len(frames) == 2
    first = json.loads(sse.data_of(frames[0]))["data"]
    assert first["answer"] == "Sorry! 知识库中未找到相关内容！"
    assert "Sorry! 知识库中未找到相关内容！".encode() in frames[0]  # raw UTF-8, not escaped
    assert first["reference"] == {"total": 0, "chunks": [], "doc_aggs": []}


def test_refusals(client: TestClient) -> None:
    chat, session_id, _ = session(client)
    assert client.post(url(chat, session_id), json={"question": ""}).content == (
        b'{"code":102,"message":"Please input your question."}\n'
    )
    assert client.post(url(chat, "nope"), json={"question": "q"}).content == (
        b'{"code":102,"message":"Session does not exist"}\n'
    )
    assert client.post(url(chat, session_id)).content == (
        b'{"data":null,"retcode":100,"retmsg":"AttributeError(\\"\'NoneType\' object has no attribute \'get\'\\")"}\n'
    )
    invalid_json = b'{"question": "Hello!", "stream": true,}'  # the 10-11 seed's example: reaches the server as None
    assert client.post(url(chat, session_id), content=invalid_json).json()["retcode"] == 100
