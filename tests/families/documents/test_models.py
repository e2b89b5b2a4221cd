"""`DocumentStore` rules called directly, without HTTP: path checks, uploads, updates, bulk delete, parse runs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockserver.core.errors import ArgumentError, DataError, PythonError, ServerError
from mockserver.families.datasets.models import Dataset
from mockserver.families.documents.models import Document, DocumentStore, upload_target
from mockserver.families.documents.schemas import DocumentUpdate
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend
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


def message(error: pytest.ExceptionInfo[Exception]) -> str:
    assert isinstance(error.value, DataError | ArgumentError | PythonError)
    return error.value.message


def test_path_checks_in_each_routes_wording(store: DocumentStore, dataset: Dataset, doc: Document) -> None:
    """updateDocument, downloadDocument, listDocuments, deleteDocuments, deleteChunks: who words what."""
    assert store.owned(dataset.id, doc.id) is doc
    with pytest.raises(DataError) as error:
        store.owned("nope", doc.id)
    assert message(error) == "You don't own the dataset nope."
    with pytest.raises(DataError) as error:
        store.owned(dataset.id, "zzz")
    assert message(error) == "You don't own the document zzz."
    with pytest.raises(DataError) as error:
        store.updatable(dataset.id, "zzz")
    assert message(error) == "The dataset doesn't own the document."
    with pytest.raises(DataError) as error:
        store.download("nope", doc.id)
    assert message(error) == "You do not own the dataset nope."
    with pytest.raises(DataError) as error:
        store.in_dataset("nope")
    assert message(error) == "You don't own the dataset nope. "
    with pytest.raises(PythonError) as error:
        store.located(dataset.id, "zzz")
    assert message(error) == """LookupError("Can't find the document with ID zzz!")"""
    assert store.download(dataset.id, doc.id) == (doc, TEXT.encode())


def test_upload_documents_target_and_partial_failure(tenant: TenantBackend, dataset: Dataset) -> None:
    """uploadDocuments: another tenant's dataset only without strict isolation; failures reported together."""
    other = Backends(Settings.for_tests()).create_tenant("other")
    with pytest.raises(PythonError, match="LookupError"):
        upload_target(other, [tenant], dataset.id, strict=True)
    target, found = upload_target(other, [tenant], dataset.id, strict=False)
    assert (target, found) == (tenant.documents, dataset)
    with pytest.raises(ServerError) as error:
        target.upload_files(dataset, [("ok.txt", b"x"), ("bad.exe", b"y")], "someone")
    assert error.value.message == "bad.exe: This type of file has not been supported yet!"
    (kept,) = target.documents_of(dataset.id)
    assert (kept.name, kept.created_by, dataset.doc_num) == ("ok.txt", "someone", 1)
    assert target.upload(dataset, "OK.txt", b"z").name == "OK(1).txt"


def test_update_document_rules_in_order(store: DocumentStore, dataset: Dataset, doc: Document) -> None:
    """updateDocument: read-only counters, meta_fields, renames, parser_config merge, enabled."""
    with pytest.raises(DataError, match=re.escape("Can't change `chunk_count`.")):
        store.update(doc, DocumentUpdate(chunk_count=5))
    assert store.update(doc, DocumentUpdate(chunk_count=0, meta_fields={"k": 1})) is None
    assert doc.meta_fields == {"k": 1}
    with pytest.raises(DataError, match="meta_fields must be a dictionary"):
        store.update(doc, DocumentUpdate(meta_fields=[]))
    with pytest.raises(ArgumentError, match="The extension of file can't be changed"):
        store.update(doc, DocumentUpdate(name="a.pdf"))
    with pytest.raises(PythonError, match="'int' object has no attribute 'encode'"):
        store.update(doc, DocumentUpdate(meta_fields={"k": 2}, name=5))
    assert doc.meta_fields == {"k": 2}  # earlier effects stay
    store.upload(dataset, "b.txt", b"x")
    with pytest.raises(DataError, match=re.escape("Duplicated document name in the same dataset.")):
        store.update(doc, DocumentUpdate(name="b.txt"))
    store.update(doc, DocumentUpdate(name="c.txt", parser_config={"chunk_token_num": 64}))
    assert (doc.name, doc.parser_config["chunk_token_num"]) == ("c.txt", 64)
    assert "raptor" not in doc.parser_config
    with pytest.raises(PythonError, match=r"^AssertionError\(\)$"):
        store.update(doc, DocumentUpdate(parser_config={"layout_recognize": {"x": 1}}))
    assert store.update(doc, DocumentUpdate(enabled=0)) is True
    assert doc.status == "0"
    assert store.update(doc, DocumentUpdate(enabled="0")) is None


def test_update_document_chunk_method_resets_the_run(store: DocumentStore, dataset: Dataset, doc: Document) -> None:
    """updateDocument: a new chunk method clears the parse (counters, chunks); the same one stops the update."""
    store.parse(doc)
    assert doc.chunk_num > 0 and dataset.chunk_num == doc.chunk_num
    assert store.update(doc, DocumentUpdate(chunk_method="naive", enabled=0)) is None
    assert doc.status == "1"  # the update returned before `enabled`
    with pytest.raises(DataError, match="`chunk_method` nope doesn't exist"):
        store.update(doc, DocumentUpdate(chunk_method="nope"))
    store.update(doc, DocumentUpdate(chunk_method="qa"))
    assert (doc.parser_id, doc.run, doc.chunk_num, doc.token_num) == ("qa", "0", 0, 0)
    assert (dataset.chunk_num, dataset.token_num) == (0, 0)
    assert store.tenant.chunks.count_of(doc.id) == 0


def test_delete_documents_misses_fail_after_the_rest(store: DocumentStore, dataset: Dataset, doc: Document) -> None:
    """deleteDocuments: found ids are deleted, then the misses fail together; falsy ids delete the dataset's."""
    other = store.upload(dataset, "b.txt", b"x")
    with pytest.raises(DataError, match=r"Documents not found: \['x1', 'x2'\]"):
        store.delete_many(dataset.id, ["x1", doc.id, "x2"])
    assert store.find(doc.id) is None
    assert dataset.doc_num == 1
    assert store.delete_many(dataset.id, None) is None
    assert store.find(other.id) is None and store.documents_of(dataset.id) == []


def test_parse_and_stop_documents(store: DocumentStore, dataset: Dataset, doc: Document) -> None:
    """parseDocuments, stopParsingDocuments: the bulk loops, their duplicate and miss rules, the run's states."""
    store.set_progression(doc.id, "polls:2")
    assert store.parse_many(dataset.id, [doc.id, doc.id]) == {
        "errors": [f"Duplicate document ids: {doc.id}"],
        "success_count": 1,
    }
    assert doc.run == "1"
    with pytest.raises(DataError, match="Can't parse document that is currently being processed"):
        store.parse_many(dataset.id, [doc.id])
    with pytest.raises(DataError, match=re.escape("You don't own the document x.")):
        store.stop_many(dataset.id, ["x", doc.id])
    assert store.stop_many(dataset.id, [doc.id]) is None
    assert (doc.run, doc.progress, doc.chunk_num) == ("2", 0.0, 0)
    with pytest.raises(DataError, match=r"Documents not found: \['x'\]"):
        store.parse_many(dataset.id, ["x"])


def test_parse_runs_advance_by_polls(store: DocumentStore, dataset: Dataset, doc: Document) -> None:
    """listChunks, listDocuments: each read counts one poll (`settle` does not); the run ends in chunks and counters."""
    store.set_progression(doc.id, "polls:2")
    store.parse(doc)
    store.settle()
    assert doc.run == "1"
    store.poll(doc.id)
    store.poll(doc.id)
    assert doc.run == "1"  # the first two reads show RUNNING, the next one DONE
    store.poll(doc.id)
    assert doc.run == "3"
    assert doc.chunk_num == store.tenant.chunks.count_of(doc.id) == dataset.chunk_num > 0
    assert doc.token_num == dataset.token_num > 0


def test_list_documents_filters_and_checks(store: DocumentStore, dataset: Dataset, doc: Document) -> None:
    """listDocuments: unknown `id`/`name` filters are 102s; keywords match names; total counts before paging."""
    store.upload(dataset, "b.txt", b"x")
    with pytest.raises(DataError, match=re.escape("You don't own the document zzz.")):
        store.check_listing(dataset.id, "zzz", None)
    with pytest.raises(DataError, match=re.escape("You don't own the document c.txt.")):
        store.check_listing(dataset.id, None, "c.txt")
    store.check_listing(dataset.id, doc.id, "A.TXT")
    found: Any = store.listing(
        dataset.id, doc_id=None, name=None, keywords="B", page=1, page_size=30, orderby="name", desc=False
    )
    assert ([d.name for d in found[0]], found[1]) == (["b.txt"], 1)
