"""The official ragflow-sdk 0.19.0 manages datasets against the emulator over a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ragflow_sdk import RAGFlow

from mockserver import Settings, create_app
from mockserver.server import ThreadedServer

KEY = "ragflow-sdk-key"


@pytest.fixture(scope="module")
def rag() -> Iterator[RAGFlow]:
    with ThreadedServer(create_app(Settings.for_tests(api_keys=(KEY,)))) as server:
        yield RAGFlow(api_key=KEY, base_url=server.base_url)


def test_sdk_dataset_lifecycle(rag: RAGFlow) -> None:
    dataset = rag.create_dataset(name="sdk-kb", description="from the sdk")
    assert dataset.name == "sdk-kb"
    assert dataset.embedding_model == "BAAI/bge-large-zh-v1.5@BAAI"
    assert [d.id for d in rag.list_datasets(name="sdk-kb")] == [dataset.id]

    dataset.update({"name": "sdk-kb-renamed", "pagerank": 3})
    listed = rag.list_datasets(id=dataset.id)[0]
    assert (listed.name, listed.pagerank) == ("sdk-kb-renamed", 3)
    assert rag.get_dataset(name="sdk-kb-renamed").id == dataset.id

    rag.delete_datasets(ids=[dataset.id])
    assert rag.list_datasets() == []


def test_sdk_surfaces_the_server_messages(rag: RAGFlow) -> None:
    rag.create_dataset(name="dup")
    with pytest.raises(Exception, match="Dataset name 'dup' already exists"):
        rag.create_dataset(name="dup")
    with pytest.raises(Exception, match="You don't own the dataset nope"):
        rag.list_datasets(id="nope")
    with pytest.raises(Exception, match="Authentication error: API key is invalid!"):
        RAGFlow(api_key="wrong", base_url=rag.api_url.removesuffix("/api/v1")).list_datasets()
