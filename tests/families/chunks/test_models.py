"""`ChunkStore` rules and the chunk request values, called directly without HTTP."""

from __future__ import annotations

import re

import pytest

from mockserver.core.errors import DataError, NotFoundError, PythonError
from mockserver.families.chunks.models import ChunkStore, chunk_id
from mockserver.families.chunks.schemas import ChunkUpdate, NewChunk, chunk_ids_sent
from mockserver.families.datasets.models import Dataset
from mockserver.families.documents.models import Document
from mockserver.state.backend import TenantBackend


@pytest.fixture
def store(tenant: TenantBackend) -> ChunkStore:
    return tenant.chunks


@pytest.fixture
def dataset(tenant: TenantBackend) -> Dataset:
    return tenant.datasets.insert(name="kb")


@pytest.fixture
def doc(tenant: TenantBackend, dataset: Dataset) -> Document:
    return tenant.documents.upload(dataset, "a.txt", b"")


def add(store: ChunkStore, doc: Document, content: str, **body: object) -> str:
    return store.add_to(doc, NewChunk.from_body({"content": content, **body})).id


def test_chunk_id_is_xxhash64_of_content_and_document() -> None:
    """addChunk: the chunk id is xxHash64 of content + document id (same content, same id)."""
    assert chunk_id("hello", "doc") == chunk_id("hello", "doc")
    assert len(chunk_id("hello", "doc")) == 16
    assert chunk_id("hello", "doc") != chunk_id("hello", "doc2")


def test_add_chunk_counts_on_document_and_dataset(store: ChunkStore, dataset: Dataset, doc: Document) -> None:
    """addChunk: one chunk more on the document and its dataset, tokens of name + embedded text."""
    cid = add(store, doc, "alpha beta", questions=[" why? ", " "], important_keywords=["k"])
    chunk = store.get(cid)
    assert chunk is not None and (chunk.question_kwd, chunk.important_kwd) == (["why?"], ["k"])
    assert (doc.chunk_num, dataset.chunk_num) == (1, 1)
    assert doc.token_num == dataset.token_num == store.token_cost(doc, chunk) > 0


def test_add_chunk_body_checks_and_crashes() -> None:
    """addChunk: `content` required, lists checked, a non-string content or keyword crashes as on the server."""
    with pytest.raises(DataError, match="`content` is required"):
        NewChunk.from_body({"content": "  "})
    with pytest.raises(DataError, match="`questions` is required to be a list"):
        NewChunk.from_body({"content": "x", "questions": "q"})
    with pytest.raises(PythonError) as error:
        NewChunk.from_body({"content": 5})
    assert error.value.message == "TypeError(\"unsupported operand type(s) for +: 'int' and 'str'\")"
    with pytest.raises(PythonError, match="expected str instance, int found"):
        NewChunk.from_body({"content": "x", "important_keywords": [1]})
    with pytest.raises(PythonError, match="'list' object has no attribute 'get'"):
        NewChunk.from_body([])


def test_list_chunks_by_id_order_and_keywords(store: ChunkStore, doc: Document) -> None:
    """listChunks: one chunk by id (any of the tenant's), the document's page, keyword matches marked."""
    assert store.listing(doc, wanted=None, keywords="", page=1, page_size=30) == ([], 0)
    first = add(store, doc, "the walrus swims")
    add(store, doc, "a penguin waddles")
    with pytest.raises(NotFoundError, match=f"Chunk not found: {doc.kb_id}/nope"):
        store.listing(doc, wanted="nope", keywords="", page=1, page_size=30)
    assert store.listing(doc, wanted=first, keywords="", page=1, page_size=30)[1] == 1
    listed, total = store.listing(doc, wanted=None, keywords="", page=1, page_size=1)
    assert (len(listed), total) == (1, 2)
    marked, total = store.listing(doc, wanted=None, keywords="walrus", page=1, page_size=30)
    assert total == 1 and "<em>walrus</em>" in str(marked[0]["content"])


def test_update_chunk_keeps_what_was_not_sent(store: ChunkStore, doc: Document) -> None:
    """updateChunk: sent fields replace the chunk's; a Q&A document's content must split in two."""
    chunk = store.existing(add(store, doc, "old", important_keywords=["k"]))
    store.update(doc, chunk, ChunkUpdate.from_body({"questions": [" q "], "available": "0"}))
    assert (chunk.content_with_weight, chunk.important_kwd, chunk.question_kwd, chunk.available_int) == (
        "old",
        ["k"],
        ["q"],
        0,
    )
    doc.parser_id = "qa"
    with pytest.raises(DataError, match=re.escape("Q&A must be separated by TAB/ENTER key.")):
        store.update(doc, chunk, ChunkUpdate(content="just one part"))
    store.update(doc, chunk, ChunkUpdate(content="Why?\tBecause."))
    assert chunk.content_with_weight == "Question: Why?\tAnswer: Because."
    with pytest.raises(PythonError, match="expected string or bytes-like object"):
        ChunkUpdate.from_body({"content": 3})
    with pytest.raises(DataError, match="Can't find this chunk nope"):
        store.existing("nope")


def test_delete_chunks_three_behaviours(
    tenant: TenantBackend, store: ChunkStore, dataset: Dataset, doc: Document
) -> None:
    """deleteChunks: listed ids (misses are a 102 after the deletion), `[]` wipes the tenant, absent crashes."""
    a, b = add(store, doc, "one"), add(store, doc, "two")
    tokens = doc.token_num
    assert store.delete_listed(dataset.id, doc, [a, a]) == {"errors": [f"Duplicate chunk ids: {a}"], "success_count": 1}
    assert (doc.chunk_num, doc.token_num, dataset.chunk_num) == (1, tokens - 1, 1)
    with pytest.raises(DataError, match="rm_chunk deleted chunks 1, expect 2"):
        store.delete_listed(dataset.id, doc, [b, "nope"])
    assert store.get(b) is None
    other = tenant.documents.upload(tenant.datasets.insert(name="other"), "b.txt", b"")
    add(store, other, "three")
    assert store.delete_listed(dataset.id, doc, []) is None
    assert store.items == {}
    add(store, doc, "four")
    with pytest.raises(PythonError, match="UnboundLocalError"):
        store.delete_unlisted(dataset.id, doc)
    assert store.count_of(doc.id) == 0
    assert chunk_ids_sent({}) == (False, None)
    assert chunk_ids_sent({"chunk_ids": None}) == (True, None)
