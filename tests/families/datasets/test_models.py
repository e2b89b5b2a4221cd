"""`DatasetStore` rules called directly, without HTTP: create, update, list filters, bulk delete and its cascade."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.errors import ArgumentError, DataError, PythonError
from mockserver.core.validation import validate_model
from mockserver.families.datasets.models import Dataset, DatasetStore
from mockserver.families.datasets.schemas import CreateDatasetBody, UpdateDatasetBody
from mockserver.state.backend import TenantBackend


@pytest.fixture
def store(tenant: TenantBackend) -> DatasetStore:
    return tenant.datasets


def create(store: DatasetStore, **body: Any) -> Dataset:
    return store.create(validate_model(CreateDatasetBody, body))


def update(store: DatasetStore, dataset: Dataset, **body: Any) -> None:
    store.update(dataset.id, validate_model(UpdateDatasetBody, {**body, "dataset_id": dataset.id}))


def test_create_dataset_defaults_and_unique_name(store: DatasetStore) -> None:
    """createDataset: the tenant's embedding model, the method's parser_config, names unique under collation."""
    dataset = create(store, name="kb", chunk_method="qa")
    assert (dataset.embd_id, dataset.parser_id) == (store.tenant.embd_id, "qa")
    assert dataset.parser_config == {"raptor": {"use_raptor": False}}
    assert store.get(dataset.id.upper()) is dataset
    with pytest.raises(DataError, match="Dataset name 'KB' already exists"):
        create(store, name="KB")


def test_create_dataset_embedding_model_must_be_known_and_authorised(store: DatasetStore) -> None:
    """createDataset: an unknown model is unsupported, a catalog model without a key is unauthorised."""
    with pytest.raises(ArgumentError, match=r"Unsupported model: <nope@Nowhere>"):
        create(store, name="a", embedding_model="nope@Nowhere")
    with pytest.raises(ArgumentError, match=r"Unauthorized model: <text-embedding-3-small@OpenAI>"):
        create(store, name="a", embedding_model="text-embedding-3-small@OpenAI")
    store.tenant.configured_models.add("text-embedding-3-small@OpenAI")
    assert create(store, name="a", embedding_model="text-embedding-3-small@OpenAI").embd_id.endswith("@OpenAI")


def test_update_dataset_rules(store: DatasetStore) -> None:
    """updateDataset: nothing sent, unknown id, deep-merged parser_config, method change, renames, locked model."""
    dataset = create(store, name="kb")
    other = create(store, name="other")
    with pytest.raises(ArgumentError, match="No properties were modified"):
        update(store, dataset)
    update(store, dataset, parser_config={"raptor": {"use_raptor": True}})
    assert dataset.parser_config["raptor"]["use_raptor"] is True
    assert dataset.parser_config["chunk_token_num"] == 128
    update(store, dataset, chunk_method="table")
    assert (dataset.parser_id, dataset.parser_config) == ("table", {})
    update(store, dataset, name="KB")
    assert dataset.name == "KB"
    with pytest.raises(DataError, match="Dataset name 'other' already exists"):
        update(store, dataset, name="other")
    dataset.chunk_num = 2
    with pytest.raises(DataError, match=r"When chunk_num \(2\) > 0, embedding_model must remain"):
        update(store, dataset, embedding_model="BAAI/bge-small-en-v1.5@BAAI")
    store.remove(other)
    with pytest.raises(DataError, match=f"lacks permission for dataset '{other.id}'"):
        update(store, other, name="x")


def test_list_datasets_filters_are_checked_before_paging(store: DatasetStore) -> None:
    """listDatasets: an `id` or `name` filter naming no dataset is a 102; the listing filters and pages."""
    a, b = create(store, name="a"), create(store, name="b")
    with pytest.raises(DataError, match="You don't own the dataset zzz"):
        store.check_filters("zzz", None)
    with pytest.raises(DataError, match="You don't own the dataset nobody"):
        store.check_filters(None, "nobody")
    store.check_filters(a.id.upper(), "B")
    listed = store.listing(dataset_id=None, name=None, page=1, page_size=1, orderby="name", desc=False)
    assert listed == [a]
    assert store.listing(dataset_id=b.id, name=None, page=1, page_size=30, orderby="create_time", desc=True) == [b]


def test_delete_datasets_partial_duplicates_and_everything(store: DatasetStore) -> None:
    """deleteDatasets: misses and duplicates among the partial results; falsy ids delete every dataset."""
    a, b = create(store, name="a"), create(store, name="b")
    create(store, name="c")
    assert store.delete_many([a.id, "nope"]) == {"errors": ["You don't own the dataset nope"], "success_count": 1}
    assert store.delete_many([b.id, b.id]) == {"errors": [f"Duplicate dataset ids: {b.id}"], "success_count": 1}
    with pytest.raises(DataError, match="You don't own the dataset x; You don't own the dataset 5"):
        store.delete_many(["x", 5])
    with pytest.raises(PythonError, match="object is not iterable"):
        store.delete_many(7)
    assert store.delete_many(None) is None
    assert store.items == {}


def test_delete_datasets_cascades_through_the_dependents(tenant: TenantBackend) -> None:
    """deleteDatasets: documents, chunks, index entries and stored bytes of the dataset go with it."""
    dataset = tenant.datasets.insert(name="kb")
    kept = tenant.datasets.insert(name="kept")
    doc = tenant.documents.upload(dataset, "a.txt", b"alpha beta gamma")
    tenant.documents.upload(kept, "b.txt", b"delta")
    tenant.chunks.add(tenant.chunks.build(doc, "alpha beta gamma"))
    tenant.datasets.remove(dataset)
    assert tenant.documents.find(doc.id) is None
    assert tenant.chunks.count_of(doc.id) == 0
    assert len(tenant.index) == 0
    assert all(key[0] != dataset.id for key in tenant.documents.blobs)
    assert [d.name for d in tenant.documents.documents_of(kept.id)] == ["b.txt"]


def test_owned_and_count(store: DatasetStore) -> None:
    """The checks and counters other stores use: the default and a route's own wording; counters touch."""
    dataset = create(store, name="kb")
    assert store.owned(dataset.id) is dataset
    with pytest.raises(DataError, match=r"^You don't own the dataset x\.$"):
        store.owned("x")
    with pytest.raises(DataError, match=r"^custom$"):
        store.owned("x", "custom")
    clock: Any = store.tenant.clock
    clock.advance(5)
    store.count(dataset, 3, 40)
    assert (dataset.chunk_num, dataset.token_num) == (3, 40)
    assert dataset.update_time > dataset.create_time
    store.count(None, 1, 1)


def test_check_askable(tenant: TenantBackend) -> None:
    """askDatasets: only the tenant's own datasets with parsed chunks may be asked."""
    parsed = tenant.datasets.insert(name="parsed", chunk_num=2)
    empty = tenant.datasets.insert(name="empty")
    tenant.datasets.check_askable([parsed.id])
    with pytest.raises(DataError, match=f"^The dataset {empty.id} doesn't own parsed file$"):
        tenant.datasets.check_askable([parsed.id, empty.id])
    with pytest.raises(DataError, match=r"^You don't own the dataset \['x'\]\.$"):
        tenant.datasets.check_askable([["x"]])
