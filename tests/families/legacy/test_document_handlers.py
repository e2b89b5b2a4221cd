"""Legacy `/v1/api` documents, chunks, retrieval and `/v1/document` files (`document_handlers`)."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.families.legacy.worldkit import TEXT, World, conversation, upload


def test_upload_failures(world: World) -> None:
    """uploadLegacyDocument: missing kb, file part or filename."""
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
    """uploadAndParseLegacyDocuments: into the conversation chat's first dataset, parsed."""
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
    """listLegacyKbDocuments: filters, pages and invalid filters."""
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
    """listLegacyChunks, getLegacyChunk, getLegacyDocumentInfos, getDocumentFile, getDocumentImage."""
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
    """deleteLegacyDocuments: nothing given, unknown documents."""
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
    """legacyRetrieval: raw chunks, embedding-model check, nothing found."""
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
