"""`ParseRuns.chunk_ahead`: parseDocuments chunks in a worker thread; the store uses that work only while valid."""

from __future__ import annotations

import asyncio

import pytest

from mockserver.families.datasets.models import Dataset
from mockserver.families.documents import parsing
from mockserver.families.documents.models import Document, DocumentStore
from mockserver.state.backend import TenantBackend
from tests.support.knowledge import TEXT


@pytest.fixture
def store(tenant: TenantBackend) -> DocumentStore:
    return tenant.documents


@pytest.fixture
def dataset(tenant: TenantBackend) -> Dataset:
    return tenant.datasets.insert(name="kb")


@pytest.fixture
def doc(store: DocumentStore, dataset: Dataset) -> Document:
    return store.upload(dataset, "a.txt", TEXT.encode())


def test_chunked_ahead_gives_the_same_chunks_and_counters(
    store: DocumentStore, dataset: Dataset, doc: Document, tenant: TenantBackend
) -> None:
    """parseDocuments: the chunks and counters are those of an inline parse of the same document."""
    twin = store.upload(dataset, "b.txt", TEXT.encode())
    ahead = asyncio.run(store.chunk_ahead(dataset.id, [doc.id, doc.id, ["unhashable"], 7, "missing"]))
    assert list(ahead) == [doc.id]
    store.parse_many(dataset.id, [doc.id], ahead)
    store.parse(twin)
    assert (doc.run, doc.chunk_num, doc.token_num) == (twin.run, twin.chunk_num, twin.token_num)
    assert doc.run == "3" and doc.chunk_num > 1
    assert [c.content_with_weight for c in tenant.chunks.chunks_of(doc.id)] == [
        c.content_with_weight for c in tenant.chunks.chunks_of(twin.id)
    ]


def test_only_the_path_dataset_s_documents_are_chunked(
    store: DocumentStore, doc: Document, tenant: TenantBackend
) -> None:
    other = tenant.datasets.insert(name="other")
    assert asyncio.run(store.chunk_ahead(other.id, [doc.id])) == {}


def test_stale_work_is_not_used(
    store: DocumentStore, dataset: Dataset, doc: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document whose settings changed while it was chunked is chunked again with its current settings."""
    ahead = asyncio.run(store.chunk_ahead(dataset.id, [doc.id]))
    assert ahead[doc.id].fits(doc, store.blob(doc))
    doc.parser_config = {**doc.parser_config, "chunk_token_num": 8}
    assert not ahead[doc.id].fits(doc, store.blob(doc))
    calls: list[str] = []
    real = parsing.chunk_document

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("inline")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parsing, "chunk_document", counting)
    store.parse_many(dataset.id, [doc.id], ahead)
    assert calls == ["inline"] and doc.chunk_num > 1
