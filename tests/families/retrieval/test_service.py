"""The retrieval service called directly: the routes' ownership checks, the Dify error mapping, `retrieve`."""

from __future__ import annotations

import pytest

from mockserver.core.errors import DataError, HttpStatusError
from mockserver.families.datasets.models import Dataset
from mockserver.families.retrieval.service import (
    RetrievalQuery,
    check_documents,
    dify_retrieve,
    owned_datasets,
    retrieve,
)
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend


@pytest.fixture
def dataset(tenant: TenantBackend) -> Dataset:
    dataset = tenant.datasets.insert(name="kb")
    doc = tenant.documents.upload(dataset, "geo.txt", b"")
    tenant.chunks.add(tenant.chunks.build(doc, "Paris is the capital of France."))
    tenant.chunks.add(tenant.chunks.build(doc, "Bananas are yellow."))
    return dataset


def test_owned_datasets_and_documents(tenant: TenantBackend, dataset: Dataset) -> None:
    """retrieveChunks: every dataset the caller's with one embedding model; documents of those datasets."""
    assert owned_datasets(tenant.datasets, [dataset.id]) == [dataset]
    with pytest.raises(DataError, match=r"You don't own the dataset 7\."):
        owned_datasets(tenant.datasets, [dataset.id, 7])
    other = tenant.datasets.insert(name="other", embd_id="maidalun1020/bce-embedding-base_v1@Youdao")
    with pytest.raises(DataError, match="Datasets use different embedding models"):
        owned_datasets(tenant.datasets, [dataset.id, other.id])
    (doc,) = tenant.documents.documents_of(dataset.id)
    check_documents(tenant.documents, [dataset], [doc.id])
    with pytest.raises(DataError, match="The datasets don't own the document nope"):
        check_documents(tenant.documents, [dataset, dataset], [doc.id, "nope"])


def test_retrieve_ranks_the_matching_chunk_first(tenant: TenantBackend, dataset: Dataset) -> None:
    """retrieveChunks: the best chunk first, `total` counting the block above the threshold."""
    found = retrieve(tenant, RetrievalQuery("capital of France", [dataset.id]))
    assert found.chunks[0].content == "Paris is the capital of France."
    assert found.total >= 1
    assert retrieve(tenant, RetrievalQuery("", [dataset.id])).empty_question


def test_dify_retrieve_maps_failures_to_http_statuses(tenant: TenantBackend, dataset: Dataset) -> None:
    """difyRetrieval: unknown dataset and no index are 404s, a crash is a 500 with `str(exception)`."""
    with pytest.raises(HttpStatusError) as error:
        dify_retrieve(tenant, "q", "nope", 0.0, 5)
    assert (error.value.status(), error.value.message) == (404, "Knowledgebase not found!")
    with pytest.raises(HttpStatusError) as error:
        dify_retrieve(tenant, "q", dataset.id, 0.0, 1024)  # a window of 0 candidates
    assert (error.value.status(), error.value.message) == (500, "division by zero")
    empty = Backends(Settings.for_tests()).create_tenant()
    bare = empty.datasets.insert(name="bare")
    with pytest.raises(HttpStatusError) as error:
        dify_retrieve(empty, "q", bare.id, 0.0, 5)
    assert (error.value.status(), error.value.message) == (404, "No chunk found! Check the chunk status please!")
    assert dify_retrieve(tenant, "capital of France", dataset.id, 0.0, 5).chunks[0].document_name == "geo.txt"
