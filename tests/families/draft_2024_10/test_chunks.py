"""2024-10-draft chunk and retrieval routes (T11–T15, X2, X3): the seed's requests, the exact bytes, the negatives."""

from __future__ import annotations

import hashlib

from starlette.testclient import TestClient

from tests.families.draft_2024_10.conftest import DATASET, TEXT, create_dataset, parsed_document, upload
from tests.support.profiles import wire


def chunk_url(dataset_id: str, doc_id: str) -> str:
    return f"{DATASET}/{dataset_id}/document/{doc_id}/chunk"


def test_list_chunks_with_the_seeds_request(client: TestClient) -> None:
    dataset_id, doc_id = parsed_document(client)
    got = client.get(chunk_url(dataset_id, doc_id))
    data = got.json()["data"]
    chunk = data["chunks"][0]
    expected_chunk = {"available_int": 1, "content": TEXT.decode(), "docnm_kwd": "ragflow_test.txt",
                      "document_id": doc_id, "id": chunk["id"], "image_id": "", "important_keywords": [],
                      "positions": [""]}  # fmt: skip
    assert got.content == wire({"code": 0, "data": {"chunks": [expected_chunk], "doc": data["doc"], "total": 1}})
    assert set(data["doc"]) >= {"chunk_num", "kb_id", "parser_id", "token_num"}  # internal names, as the code sent
    assert (data["doc"]["chunk_num"], data["doc"]["run"]) == (1, "3")


def test_list_chunks_shows_each_chunk_once(client: TestClient) -> None:
    """DOC≠CODE: 6329427ad5 answered r1, r1, r2, …; the draft documents one entry per chunk."""
    dataset_id, doc_id = parsed_document(client)
    for text in ("second chunk", "third chunk"):
        client.post(chunk_url(dataset_id, doc_id), json={"content": text})
    data = client.get(chunk_url(dataset_id, doc_id)).json()["data"]
    assert (len(data["chunks"]), data["total"]) == (3, 3)
    assert len({c["id"] for c in data["chunks"]}) == 3
    assert client.get(chunk_url(dataset_id, doc_id), params={"limit": 2, "offset": 2}).json()["data"]["total"] == 3


def test_list_chunks_before_any_index_exists(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    doc_id = upload(client, dataset_id, ("a.txt", TEXT))[0]["id"]
    assert client.get(chunk_url(dataset_id, doc_id)).content == b'{"code":102,"message":"No chunk found!"}\n'


def test_list_chunks_rejections(client: TestClient) -> None:
    dataset_id, _ = parsed_document(client)
    assert client.get(chunk_url("nope", "x")).content == b'{"code":102,"message":"You don\'t own the dataset nope."}\n'
    assert (
        client.get(chunk_url(dataset_id, "x")).content == b'{"code":102,"message":"You don\'t own the document x."}\n'
    )


def test_add_chunk(client: TestClient) -> None:
    dataset_id, doc_id = parsed_document(client)
    url = chunk_url(dataset_id, doc_id)
    seed_body = {"document_id": "97ad64b6759811ef9fc30242ac120004", "content": ["ragflow content", "ragflow content"]}
    assert client.post(url, json=seed_body).content == (
        b'{"data":null,"retcode":100,"retmsg":"TypeError(\'can only concatenate list (not \\"str\\") to list\')"}\n'
    )
    got = client.post(url, json={"content": "ragflow content", "important_kwd": ["k"]})
    chunk = got.json()["data"]["chunk"]
    assert chunk["id"] == hashlib.md5(f"ragflow content{doc_id}".encode()).hexdigest()
    expected = {"content": "ragflow content", "create_time": "2025-05-09 19:17:08", "create_timestamp": chunk["create_timestamp"],
                "dataset_id": [dataset_id], "document_id": doc_id, "id": chunk["id"], "important_keywords": ["k"]}  # fmt: skip
    assert got.content == wire({"code": 0, "data": {"chunk": expected}})
    assert client.post(url, json={"content": ""}).content == b'{"code":102,"message":"`content` is required"}\n'
    listed = client.get(url).json()["data"]
    assert listed["doc"]["chunk_num"] == 2
    assert [c["important_keywords"] for c in listed["chunks"] if c["id"] == chunk["id"]] == ["k"]  # tab-joined


def test_update_chunk_as_the_seed_documents(client: TestClient) -> None:
    dataset_id, doc_id = parsed_document(client)
    url = chunk_url(dataset_id, doc_id)
    chunk_id = client.get(url).json()["data"]["chunks"][0]["id"]
    body = {"chunk_id": chunk_id, "knowledgebase_id": None, "name": "", "content": "ragflow123",
            "important_keywords": [], "document_id": doc_id, "status": "1"}  # fmt: skip
    assert client.put(url, json=body).content == b'{"code":0}\n'
    assert client.get(url).json()["data"]["chunks"][0]["content"] == "ragflow123"
    assert client.put(url, json={"content": "x"}).content == b'{"code":102,"message":"`chunk_id` is required"}\n'
    assert client.put(url, json={"chunk_id": "d87fb0b7212c15c18d0831677552d7de"}).content == (
        b'{"code":102,"message":"Chunk d87fb0b7212c15c18d0831677552d7de not found"}\n'
    )
    by_path = f"{url}/{chunk_id}"
    assert client.put(by_path, json={"content": "again", "available": False}).content == b'{"code":0}\n'
    assert client.get(url).json()["data"]["chunks"][0]["available_int"] == "0"
    assert client.put(f"{url}/nope", json={}).content == b'{"code":102,"message":"Chunk nope not found"}\n'


def test_delete_chunks(client: TestClient) -> None:
    dataset_id, doc_id = parsed_document(client)
    url = chunk_url(dataset_id, doc_id)
    chunk_id = client.get(url).json()["data"]["chunks"][0]["id"]
    assert client.request("DELETE", url, json={"chunks": [chunk_id]}).content == (
        b'{"code":102,"message":"`chunk_ids` is required"}\n'
    )
    assert client.request("DELETE", url, json={"chunk_ids": ["nope"]}).content == (
        b'{"data":null,"retcode":100,"retmsg":"AttributeError(\\"\'str\' object has no attribute \'args\'\\")"}\n'
    )
    tokens = client.get(f"{DATASET}/{dataset_id}/info").json()["data"]["docs"][0]["token_count"]
    assert client.request("DELETE", url, json={"chunk_ids": [chunk_id]}).content == b'{"code":0}\n'
    doc = client.get(f"{DATASET}/{dataset_id}/info").json()["data"]["docs"][0]
    assert (doc["chunk_count"], doc["token_count"]) == (0, tokens - 1)  # one token off, whatever the count (sic)


def test_dataset_retrieval_with_the_seeds_request(client: TestClient) -> None:
    dataset_id, doc_id = parsed_document(client)
    url = f"{DATASET}/{dataset_id}/retrieval"
    assert client.request("GET", url, json={"query_text": "This is a cat."}).json() == {
        "code": 0,
        "data": {"chunks": [], "doc_aggs": [], "total": 0},
    }
    found = client.request("GET", url, json={"query_text": "open-source RAG engine"}).json()["data"]
    assert (found["total"], found["doc_aggs"]) == (1, [{"count": 1, "doc_id": doc_id, "doc_name": "ragflow_test.txt"}])
    assert set(found["chunks"][0]) == {
        "content", "content_ltks", "document_id", "document_keyword", "highlight", "id", "img_id",
        "important_keywords", "kb_id", "positions", "similarity", "term_similarity", "vector_similarity",
    }  # fmt: skip
    assert client.request("GET", url, json={}).content == b'{"code":102,"message":"`question` is required."}\n'


def test_retrieval_undocumented(client: TestClient) -> None:
    dataset_id, _ = parsed_document(client)
    url = "/api/v1/retrieval"
    assert (
        client.request("GET", url, json={"question": "x"}).content
        == b'{"code":102,"message":"`datasets` is required."}\n'
    )
    assert client.request("GET", url, json={"datasets": "nope", "question": "x"}).content == (
        b'{"code":102,"message":"You don\'t own the dataset nope."}\n'
    )
    got = client.request(
        "GET", url, params={"highlight": "false"}, json={"datasets": dataset_id, "question": "RAG engine"}
    )
    assert "highlight" not in got.json()["data"]["chunks"][0]
    assert (
        client.post(url, json={"question": "x", "dataset_ids": [dataset_id]}).json()["code"] == 0
    )  # current POST stays
