"""Tests of chunk_handlers: /v1/chunk/* (code, message, shape)."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.families.webui.webkit import KB_OWNER_ONLY, TEXT, create_kb, parsed_document, upload

SUCCESS = {"code": 0, "data": True, "message": "success"}
CHUNK_KEYS = {
    "available_int",
    "chunk_id",
    "content_with_weight",
    "doc_id",
    "docnm_kwd",
    "image_id",
    "important_kwd",
    "positions",
    "question_kwd",
}


def test_list_get_and_their_refusals(web: TestClient, ui: dict[str, str]) -> None:
    """listWebChunks, getWebChunk: internal names, the document row, keyword highlight, unknown ids."""
    kb_id = create_kb(web, ui)
    row = parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    post = lambda path, body: web.post(path, headers=ui, json=body).json()  # noqa: E731
    reply = post("/v1/chunk/list", {"doc_id": row["id"]})
    assert (reply["code"], reply["message"], reply["data"]["total"]) == (0, "success", row["chunk_num"])
    assert set(reply["data"]["chunks"][0]) == CHUNK_KEYS
    assert reply["data"]["doc"]["id"] == row["id"]
    marked = post("/v1/chunk/list", {"doc_id": row["id"], "keywords": "Severn"})["data"]["chunks"]
    assert marked and "<em>" in marked[0]["content_with_weight"]
    assert post("/v1/chunk/list", {}) == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: doc_id; ",
    }
    assert post("/v1/chunk/list", {"doc_id": "nope"}) == {"code": 102, "data": False, "message": "Tenant not found!"}
    chunk_id = reply["data"]["chunks"][0]["chunk_id"]
    stored = web.get(f"/v1/chunk/get?chunk_id={chunk_id}", headers=ui).json()["data"]
    assert (stored["id"], stored["kb_id"], stored["doc_id"], stored["available_int"]) == (chunk_id, kb_id, row["id"], 1)
    assert not [k for k in stored if k.endswith(("_vec", "_tks", "_ltks"))]
    assert web.get("/v1/chunk/get?chunk_id=nope", headers=ui).json() == {
        "code": 102,
        "data": False,
        "message": "Chunk not found!",
    }


def test_document_knowledge_graph_is_empty(web: TestClient, ui: dict[str, str]) -> None:
    """getDocumentKnowledgeGraph: both maps empty (no GraphRAG); `doc_id` is required."""
    doc = upload(web, ui, create_kb(web, ui), "a.txt", "hello")
    graph = web.get(f"/v1/chunk/knowledge_graph?doc_id={doc['id']}", headers=ui).json()
    assert graph == {"code": 0, "data": {"graph": {}, "mind_map": {}}, "message": "success"}
    assert (
        web.get("/v1/chunk/knowledge_graph", headers=ui).json()["message"] == "<BadRequestKeyError '400: Bad Request'>"
    )


def test_no_chunk_index_yet(web: TestClient, ui: dict[str, str]) -> None:
    """listWebChunks on a tenant that never indexed a chunk: `No chunk found!`."""
    doc = upload(web, ui, create_kb(web, ui), "a.txt", "hello")
    assert web.post("/v1/chunk/list", headers=ui, json={"doc_id": doc["id"]}).json() == {
        "code": 102,
        "data": False,
        "message": "No chunk found!",
    }


def test_create_set_switch_rm_keep_counters(web: TestClient, ui: dict[str, str]) -> None:
    """createWebChunk, setWebChunk, switchWebChunks, removeWebChunks: effects and the server's counter rules."""
    kb_id = create_kb(web, ui)
    row = parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    post = lambda path, body: web.post(path, headers=ui, json=body).json()  # noqa: E731
    assert post("/v1/chunk/create", {"doc_id": row["id"], "content_with_weight": "x", "important_kwd": "a"}) == {
        "code": 102,
        "data": False,
        "message": "`important_kwd` is required to be a list",
    }
    made = post("/v1/chunk/create", {"doc_id": row["id"], "content_with_weight": "The Tyne flows past Newcastle."})
    assert made["code"] == 0 and len(made["data"]["chunk_id"]) == 16
    chunk_id = made["data"]["chunk_id"]
    kb = web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=ui).json()["data"]
    assert kb["chunk_num"] == row["chunk_num"] + 1
    change = {"doc_id": row["id"], "chunk_id": chunk_id, "content_with_weight": "The Tyne.", "question_kwd": ["q?"]}
    assert post("/v1/chunk/set", change) == SUCCESS
    stored = web.get(f"/v1/chunk/get?chunk_id={chunk_id}", headers=ui).json()["data"]
    assert (stored["content_with_weight"], stored["question_kwd"]) == ("The Tyne.", ["q?"])
    assert post("/v1/chunk/set", {**change, "important_kwd": "k"})["message"] == "`important_kwd` should be a list"
    switch = {"chunk_ids": [chunk_id], "available_int": 0, "doc_id": row["id"]}
    assert post("/v1/chunk/switch", switch) == SUCCESS
    assert web.get(f"/v1/chunk/get?chunk_id={chunk_id}", headers=ui).json()["data"]["available_int"] == 0
    assert post("/v1/chunk/switch", {**switch, "doc_id": "nope"}) == {
        "code": 102,
        "data": False,
        "message": "Document not found!",
    }
    before = web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=ui).json()["data"]
    assert post("/v1/chunk/rm", {"chunk_ids": [chunk_id, "ghost"], "doc_id": row["id"]}) == SUCCESS
    after = web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=ui).json()["data"]
    assert (after["chunk_num"], after["token_num"]) == (before["chunk_num"] - 2, before["token_num"] - 1)


def test_retrieval_test_uses_the_sdk_engine_with_internal_names(web: TestClient, ui: dict[str, str]) -> None:
    """webRetrievalTest: ranked chunks with `chunk_id`/`content_with_weight`/`kb_id`, doc_aggs, refusals."""
    kb_id = create_kb(web, ui)
    row = parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    reply = web.post("/v1/chunk/retrieval_test", headers=ui, json={"kb_id": kb_id, "question": "Severn Wales"}).json()
    assert (reply["code"], reply["message"]) == (0, "success")
    data = reply["data"]
    assert data["total"] >= 1 and data["labels"] is None
    assert data["doc_aggs"] == [{"doc_name": "rivers.txt", "doc_id": row["id"], "count": len(data["chunks"])}]
    first = data["chunks"][0]
    assert {"chunk_id", "content_with_weight", "doc_id", "docnm_kwd", "kb_id", "similarity"} <= set(first)
    assert "Severn" in first["content_with_weight"] and first["kb_id"] == kb_id
    assert (
        web.post("/v1/chunk/retrieval_test", headers=ui, json={"kb_id": "x", "question": "q"}).json() == KB_OWNER_ONLY
    )
    assert web.post("/v1/chunk/retrieval_test", headers=ui, json={"question": "q"}).json()["code"] == 101
