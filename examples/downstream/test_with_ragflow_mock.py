"""A downstream test suite using the ragflow-mockserver pytest plugin: fixture, marker, scripted answer, fault, journal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kb_client import KnowledgeBase, RagflowError


@pytest.fixture
def kb(ragflow) -> Iterator[KnowledgeBase]:
    client = KnowledgeBase(ragflow.base_url, ragflow.api_key)
    yield client
    client.close()


@pytest.mark.ragflow(world="minimal")
def test_lists_the_seeded_datasets(ragflow, kb):
    assert kb.dataset_names() == ["Notes"]
    ragflow.assert_called("listDatasets", times=1)


def test_every_test_gets_an_empty_tenant(ragflow, kb):
    assert kb.dataset_names() == []


@pytest.mark.ragflow(world="minimal")
def test_scripted_answer_is_returned(ragflow, kb):
    ragflow.script_answer("It traps heat near the ground.", match="greenhouse", times=1)
    answer, _ = kb.ask("Notes assistant", "What does the greenhouse effect do?")
    assert answer == "It traps heat near the ground."
    assert ragflow.last("createChatCompletion").body["question"] == "What does the greenhouse effect do?"


@pytest.mark.ragflow(world="minimal")
def test_grounded_answer_cites_the_document(ragflow, kb):
    answer, documents = kb.ask("Notes assistant", "How much colder would the surface be?")
    assert documents == ["greenhouse.txt"]
    assert answer


@pytest.mark.ragflow(world="minimal")
def test_streamed_answer_ends_with_the_terminator(ragflow, kb):
    ragflow.script_answer("Water vapour and carbon dioxide.", match="gases")
    events = kb.ask_streaming("Notes assistant", "Which gases absorb the heat?")
    assert events[-1] == {"code": 0, "data": True}
    assert events[-2]["data"]["answer"].endswith("Water vapour and carbon dioxide.")


def test_client_retries_once_after_an_injected_error(ragflow, kb):
    ragflow.fault("listDatasets", code=100, message="temporary failure", times=1)
    assert kb.dataset_names() == []
    ragflow.assert_called("listDatasets", times=2)
    first, second = ragflow.journal.calls("listDatasets")
    assert (first.code, second.code) == (100, 0)


def test_client_gives_up_on_a_persistent_error(ragflow, kb):
    ragflow.fault("listDatasets", code=500, message="down for maintenance")
    with pytest.raises(RagflowError, match="down for maintenance"):
        kb.dataset_names()
    ragflow.assert_called("listDatasets", times=2)


@pytest.mark.ragflow(progression="polls:2")
def test_parsing_takes_two_polls(ragflow):
    dataset = ragflow.create_dataset("Drafts")
    doc = ragflow.add_document(dataset, "draft.txt", "Parsing takes a while in this test.", parse=False)
    client = ragflow.client
    assert client.post(f"/api/v1/datasets/{dataset.id}/chunks", json={"document_ids": [doc.id]}).json() == {"code": 0}
    runs = [
        client.get(f"/api/v1/datasets/{dataset.id}/documents", params={"id": doc.id}).json()["data"]["docs"][0]["run"]
        for _ in range(3)
    ]
    assert runs == ["RUNNING", "RUNNING", "DONE"]
