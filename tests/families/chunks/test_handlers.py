"""Chunks: add, list, delete, update (reference §3) and their counters (§5)."""

from __future__ import annotations

from typing import Any

import pytest
import xxhash
from starlette.testclient import TestClient

from mockserver.core.search import count_tokens
from tests.support.knowledge import (
    API,
    TEXT,
    chunks_url,
    create_dataset,
    dataset_view,
    doc_view,
    make_pdf,
    parse,
    tenant_of,
    upload_ok,
)


@pytest.fixture
def dataset(client: TestClient) -> dict[str, Any]:
    return create_dataset(client)


@pytest.fixture
def doc(client: TestClient, dataset: dict[str, Any]) -> dict[str, Any]:
    return upload_ok(client, dataset["id"], ("notes.txt", TEXT.encode()))[0]


def _add(client: TestClient, dataset_id: str, doc_id: str, body: Any) -> Any:
    return client.post(chunks_url(dataset_id, doc_id), json=body).json()


def _list(client: TestClient, dataset_id: str, doc_id: str, **params: Any) -> Any:
    return client.get(chunks_url(dataset_id, doc_id), params=params).json()


def _delete(client: TestClient, dataset_id: str, doc_id: str, body: Any) -> Any:
    return client.request("DELETE", chunks_url(dataset_id, doc_id), json=body).json()


def _update(client: TestClient, dataset_id: str, doc_id: str, chunk_id: str, body: Any) -> Any:
    return client.put(f"{chunks_url(dataset_id, doc_id)}/{chunk_id}", json=body).json()


# -- add --------------------------------------------------------------------------------------------
def test_add_chunk(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """addChunk: the 8-key reply, stripped content, cleaned questions, counters up."""
    did, xid = dataset["id"], doc["id"]
    body = _add(client, did, xid, {"content": "  Alpha beta ", "important_keywords": ["k"], "questions": [" q? ", " "]})
    chunk = body["data"]["chunk"]
    assert sorted(chunk) == [
        "content",
        "create_time",
        "create_timestamp",
        "dataset_id",
        "document_id",
        "id",
        "important_keywords",
        "questions",
    ]
    assert chunk["id"] == xxhash.xxh64(("  Alpha beta " + xid).encode()).hexdigest()
    assert (chunk["content"], chunk["important_keywords"], chunk["questions"]) == ("  Alpha beta ", ["k"], ["q?"])
    assert chunk["create_time"] == "2025-05-09 19:17:08"
    assert isinstance(chunk["create_timestamp"], float)
    tokens = count_tokens("notes.txt") + count_tokens("q?")
    view = doc_view(client, did, xid)
    assert (view["chunk_count"], view["token_count"]) == (1, tokens)
    assert (dataset_view(client, did)["chunk_count"], dataset_view(client, did)["token_num"]) == (1, tokens)
    # the same content again overwrites the chunk but counts again (server behaviour)
    _add(client, did, xid, {"content": "  Alpha beta "})
    assert doc_view(client, did, xid)["chunk_count"] == 2
    assert _list(client, did, xid)["data"]["total"] == 1


def test_add_chunk_errors(
    client: TestClient, other_client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """addChunk: errors."""
    did, xid = dataset["id"], doc["id"]
    assert _add(other_client, did, xid, {"content": "x"}) == {
        "code": 102,
        "message": f"You don't own the dataset {did}.",
    }
    assert _add(client, did, "nope", {"content": "x"}) == {"code": 102, "message": "You don't own the document nope."}
    assert client.post(chunks_url(did, xid), content=b"").json() == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'NoneType' object has no attribute 'get'\")",
    }
    assert _add(client, did, xid, {}) == {"code": 102, "message": "`content` is required"}
    assert _add(client, did, xid, {"content": "  "}) == {"code": 102, "message": "`content` is required"}
    assert _add(client, did, xid, {"content": "x", "important_keywords": "k"}) == {
        "code": 102,
        "message": "`important_keywords` is required to be a list",
    }
    assert _add(client, did, xid, {"content": "x", "questions": "q"}) == {
        "code": 102,
        "message": "`questions` is required to be a list",
    }
    assert _add(client, did, xid, {"content": 5})["message"] == (
        "TypeError(\"unsupported operand type(s) for +: 'int' and 'str'\")"
    )
    assert _add(client, did, xid, {"content": None})["message"] == (
        "TypeError(\"unsupported operand type(s) for +: 'NoneType' and 'str'\")"
    )
    assert _add(client, did, xid, {"content": "x", "important_keywords": [1]})["message"] == (
        "TypeError('sequence item 0: expected str instance, int found')"
    )
    assert doc_view(client, did, xid)["chunk_count"] == 0


# -- list -------------------------------------------------------------------------------------------
def test_list_chunks(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """listChunks: empty before parsing, the 10-key chunks and the document object after."""
    did, xid = dataset["id"], doc["id"]
    assert _list(client, did, xid, page=0) == {
        "code": 0,
        "data": {"chunks": [], "doc": doc_view(client, did, xid), "total": 0},
    }
    parse(client, did, xid)
    body = _list(client, did, xid)["data"]
    assert body["total"] == len(body["chunks"]) > 1
    assert sorted(body["chunks"][0]) == [
        "available",
        "content",
        "dataset_id",
        "docnm_kwd",
        "document_id",
        "id",
        "image_id",
        "important_keywords",
        "positions",
        "questions",
    ]
    first = body["chunks"][0]
    assert first["content"].startswith("Paragraph 0:")
    assert (first["available"], first["image_id"], first["positions"], first["docnm_kwd"]) == (
        True,
        "",
        [],
        "notes.txt",
    )
    assert len(body["doc"]) == 24
    assert body["doc"]["run"] == "DONE"
    assert _list(client, did, xid, id="")["data"]["total"] == body["total"]
    one = _list(client, did, xid, id=first["id"])["data"]
    assert (one["total"], one["chunks"][0]["id"]) == (1, first["id"])
    assert _list(client, did, xid, id="nope") == {"code": 404, "message": f"Chunk not found: {did}/nope"}
    assert _list(client, did, xid, page=0)["message"] == "ValueError('Search does not support negative slicing.')"
    assert _list(client, did, xid, page="x")["message"] == "ValueError(\"invalid literal for int() with base 10: 'x'\")"
    paged = _list(client, did, xid, page=2, page_size=1)["data"]
    assert paged["chunks"][0]["id"] == body["chunks"][1]["id"]


def test_list_chunks_page_size_zero_returns_ten(
    client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """listChunks: page size zero returns ten."""
    did, xid = dataset["id"], doc["id"]
    for i in range(12):
        _add(client, did, xid, {"content": f"chunk number {i}"})
    body = _list(client, did, xid, page_size=0)["data"]
    assert (body["total"], len(body["chunks"])) == (12, 10)


def test_list_chunks_keywords_highlight(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """listChunks: keywords highlight."""
    did, xid = dataset["id"], doc["id"]
    _add(client, did, xid, {"content": "Zebras live in Africa."})
    _add(client, did, xid, {"content": "Penguins live in Antarctica."})
    body = _list(client, did, xid, keywords="zebras")["data"]
    assert body["total"] == 1
    assert "<em>" in body["chunks"][0]["content"]
    assert _list(client, did, xid, keywords="giraffe")["data"]["total"] == 0


def test_list_chunks_pdf_positions(client: TestClient, dataset: dict[str, Any]) -> None:
    """listChunks: pdf positions."""
    did = dataset["id"]
    xid = upload_ok(client, did, ("paper.pdf", make_pdf("Photosynthesis converts light")))[0]["id"]
    parse(client, did, xid)
    chunk = _list(client, did, xid)["data"]["chunks"][0]
    assert "Photosynthesis" in chunk["content"]
    assert chunk["positions"][0][0] == 1
    assert len(chunk["positions"][0]) == 5


# -- delete -----------------------------------------------------------------------------------------
def _two_chunks(client: TestClient, did: str, xid: str) -> tuple[str, str]:
    a = _add(client, did, xid, {"content": "first chunk"})["data"]["chunk"]["id"]
    b = _add(client, did, xid, {"content": "second chunk"})["data"]["chunk"]["id"]
    return a, b


def test_delete_chunks(
    client: TestClient, other_client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """deleteChunks: ownership, unknown document, partial and duplicate ids, counters down."""
    did, xid = dataset["id"], doc["id"]
    a, b = _two_chunks(client, did, xid)
    tokens = doc_view(client, did, xid)["token_count"]
    assert _delete(other_client, did, xid, {"chunk_ids": [a]}) == {
        "code": 102,
        "message": f"You don't own the dataset {did}.",
    }
    assert _delete(client, did, "nope", {"chunk_ids": [a]}) == {
        "code": 100,
        "data": None,
        "message": 'LookupError("Can\'t find the document with ID nope!")',
    }
    assert client.request("DELETE", chunks_url(did, xid), content=b"").json()["message"] == (
        "TypeError(\"argument of type 'NoneType' is not iterable\")"
    )
    assert _delete(client, did, xid, {"chunk_ids": [a, "zz"]}) == {
        "code": 102,
        "message": "rm_chunk deleted chunks 1, expect 2",
    }
    view = doc_view(client, did, xid)
    assert (view["chunk_count"], view["token_count"]) == (1, tokens - 1)
    assert _delete(client, did, xid, {"chunk_ids": [b, b]}) == {
        "code": 0,
        "data": {"errors": [f"Duplicate chunk ids: {b}"], "success_count": 1},
    }
    view = doc_view(client, did, xid)
    assert (view["chunk_count"], view["token_count"]) == (0, tokens - 2)
    assert dataset_view(client, did)["chunk_count"] == 0


def test_delete_chunks_without_ids_deletes_then_crashes(
    client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """deleteChunks: without ids deletes then crashes."""
    did, xid = dataset["id"], doc["id"]
    _two_chunks(client, did, xid)
    assert _delete(client, did, xid, {}) == {
        "code": 100,
        "data": None,
        "message": "UnboundLocalError(\"local variable 'duplicate_messages' referenced before assignment\")",
    }
    assert _list(client, did, xid)["data"]["total"] == 0
    assert doc_view(client, did, xid)["chunk_count"] == 0


def test_delete_chunks_empty_list_wipes_the_tenant_index(client: TestClient, dataset: dict[str, Any]) -> None:
    """deleteChunks: empty list wipes the tenant index."""
    did = dataset["id"]
    first, second = upload_ok(client, did, ("a.txt", b"x"), ("b.txt", b"y"))
    _two_chunks(client, did, first["id"])
    _add(client, did, second["id"], {"content": "elsewhere"})
    assert _delete(client, did, first["id"], {"chunk_ids": []}) == {"code": 0}
    assert not tenant_of(client).chunks.items
    assert doc_view(client, did, first["id"])["chunk_count"] == -1
    assert doc_view(client, did, second["id"])["chunk_count"] == 1  # stale, as on the server
    assert dataset_view(client, did)["chunk_count"] == 0


# -- update -----------------------------------------------------------------------------------------
def test_update_chunk(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """updateChunk: sent fields replace the stored ones, the rest stays."""
    did, xid = dataset["id"], doc["id"]
    cid = _add(client, did, xid, {"content": "old text", "important_keywords": ["k"]})["data"]["chunk"]["id"]
    before = doc_view(client, did, xid)
    assert _update(client, did, xid, cid, {"content": "walrus tusks", "questions": [" why? ", ""]}) == {"code": 0}
    assert _update(client, did, xid, cid, {"available": False}) == {"code": 0}
    chunk = _list(client, did, xid, id=cid)["data"]["chunks"][0]
    assert (chunk["content"], chunk["questions"], chunk["important_keywords"], chunk["available"]) == (
        "walrus tusks",
        ["why?"],
        ["k"],
        False,
    )
    assert _list(client, did, xid, keywords="walrus")["data"]["total"] == 1
    after = doc_view(client, did, xid)
    assert (after["chunk_count"], after["token_count"]) == (before["chunk_count"], before["token_count"])


def test_update_chunk_errors(
    client: TestClient, other_client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """updateChunk: errors."""
    did, xid = dataset["id"], doc["id"]
    cid = _add(client, did, xid, {"content": "x"})["data"]["chunk"]["id"]
    assert _update(client, did, xid, "nope", {}) == {"code": 102, "message": "Can't find this chunk nope"}
    assert _update(other_client, did, xid, cid, {}) == {"code": 102, "message": f"Can't find this chunk {cid}"}
    assert _update(client, "zz", xid, cid, {}) == {"code": 102, "message": "You don't own the dataset zz."}
    assert _update(client, did, "zz", cid, {}) == {"code": 102, "message": "You don't own the document zz."}
    assert client.put(f"{chunks_url(did, xid)}/{cid}", content=b"").json()["message"] == (
        "TypeError(\"argument of type 'NoneType' is not iterable\")"
    )
    assert _update(client, did, xid, cid, {"important_keywords": "k"}) == {
        "code": 102,
        "message": "`important_keywords` should be a list",
    }
    assert _update(client, did, xid, cid, {"questions": "q"}) == {
        "code": 102,
        "message": "`questions` should be a list",
    }
    assert _update(client, did, xid, cid, {"available": "x"})["message"] == (
        "ValueError(\"invalid literal for int() with base 10: 'x'\")"
    )


@pytest.mark.parametrize(
    ("field", "items", "message"),
    [
        ("important_keywords", [1], "TypeError('sequence item 0: expected str instance, int found')"),
        ("important_keywords", ["a", None], "TypeError('sequence item 1: expected str instance, NoneType found')"),
        ("questions", [1], "TypeError('sequence item 0: expected str instance, int found')"),
        ("questions", ["a", 2.5], "TypeError('sequence item 1: expected str instance, float found')"),
        ("questions", [{"q": 1}], "TypeError('sequence item 0: expected str instance, dict found')"),
    ],
)
def test_add_and_update_chunk_join_the_lists_as_sent(
    client: TestClient, dataset: dict[str, Any], doc: dict[str, Any], field: str, items: list[Any], message: str
) -> None:
    """addChunk, updateChunk: `" ".join(important_keywords)` and `"\\n".join(questions)` fail on a non-string."""
    did, xid = dataset["id"], doc["id"]
    failure = {"code": 100, "data": None, "message": message}
    assert _add(client, did, xid, {"content": "x", field: items}) == failure
    cid = _add(client, did, xid, {"content": "y"})["data"]["chunk"]["id"]
    assert _update(client, did, xid, cid, {field: items}) == failure
    assert doc_view(client, did, xid)["chunk_count"] == 1


def test_update_chunk_of_qa_document(client: TestClient, dataset: dict[str, Any]) -> None:
    """updateChunk: a Q&A document's content must split into question and answer."""
    did = dataset["id"]
    xid = upload_ok(client, did, ("faq.txt", b"What?\tThat."))[0]["id"]
    client.put(f"{API}/datasets/{did}/documents/{xid}", json={"chunk_method": "qa"})
    cid = _add(client, did, xid, {"content": "seed"})["data"]["chunk"]["id"]
    assert _update(client, did, xid, cid, {"content": "single"}) == {
        "code": 102,
        "message": "Q&A must be separated by TAB/ENTER key.",
    }
    assert _update(client, did, xid, cid, {"content": "Q: Why?\nA: Because."}) == {"code": 0}
    assert _list(client, did, xid, id=cid)["data"]["chunks"][0]["content"] == "Question: Why?\tAnswer: Because."
    assert _update(client, did, xid, cid, {"content": "问题：为什么\n回答：因为"}) == {"code": 0}
    assert _list(client, did, xid, id=cid)["data"]["chunks"][0]["content"] == "问题：为什么\t回答：因为"
