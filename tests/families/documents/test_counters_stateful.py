"""Counters under random operation sequences: a hypothesis state machine against a model of §5.

The real server's counters are not always sums of what exists (a re-parse does not reduce the dataset
counters, a chunk deletion takes one token off whatever the count). The model applies the reference's
§5 arithmetic; the invariants check the emulator against it, check that document counters equal the
chunks that exist, and that datasets untouched by those two quirks hold exact sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.core.search import count_tokens
from mockserver.state.backend import TenantBackend
from tests.support.knowledge import API, chunks_url, tenant_of

WORDS = ("river", "mountain", "solar", "engine", "library", "garden", "protein", "orbit", "harbor", "violin")


@dataclass
class ModelDoc:
    dataset: str
    name: str
    chunks: int = 0
    tokens: int = 0
    running: bool = False


@dataclass
class ModelDataset:
    chunks: int = 0
    tokens: int = 0
    docs: set[str] = field(default_factory=set)
    exact: bool = True


class CounterMachine(RuleBasedStateMachine):
    """Random uploads, parses, chunk adds/deletes, document and dataset deletes.

    Operations: createDataset, uploadDocuments, parseDocuments, listDocuments, stopParsingDocuments, addChunk,
    deleteChunks, deleteDocuments, deleteDatasets.
    """

    def __init__(self) -> None:
        super().__init__()
        app = create_app(Settings.for_tests(api_keys=("counter-key",)))
        self.client = TestClient(app, headers={"Authorization": "Bearer counter-key"}).__enter__()
        self.tenant: TenantBackend = tenant_of(self.client)
        self.datasets: dict[str, ModelDataset] = {}
        self.docs: dict[str, ModelDoc] = {}
        self.serial = 0

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    # -- rules ---------------------------------------------------------------------------------------
    @rule()
    def create_dataset(self) -> None:
        """createDataset."""
        body = self.client.post(f"{API}/datasets", json={"name": f"kb{self._next()}"}).json()
        self.datasets[body["data"]["id"]] = ModelDataset()

    @precondition(lambda self: self.datasets)
    @rule(data=st.data(), lines=st.lists(st.sampled_from(WORDS), min_size=0, max_size=40))
    def upload(self, data: st.DataObject, lines: list[str]) -> None:
        """uploadDocuments."""
        dataset_id = data.draw(st.sampled_from(sorted(self.datasets)))
        text = "\n".join(f"{word} note {i}" for i, word in enumerate(lines))
        parts = [("file", (f"doc{self._next()}.txt", text.encode()))]
        body = self.client.post(f"{API}/datasets/{dataset_id}/documents", files=parts).json()
        doc = body["data"][0]
        self.docs[doc["id"]] = ModelDoc(dataset_id, doc["name"])
        self.datasets[dataset_id].docs.add(doc["id"])

    @precondition(lambda self: any(not d.running for d in self.docs.values()))
    @rule(data=st.data(), slow=st.booleans())
    def parse(self, data: st.DataObject, slow: bool) -> None:
        """parseDocuments."""
        doc_id = data.draw(st.sampled_from(sorted(k for k, d in self.docs.items() if not d.running)))
        model = self.docs[doc_id]
        self.tenant.documents.set_progression(doc_id, "polls:1" if slow else "immediate")
        body = self.client.post(f"{API}/datasets/{model.dataset}/chunks", json={"document_ids": [doc_id]}).json()
        assert body == {"code": 0}
        if model.chunks or model.tokens:
            self.datasets[model.dataset].exact = False
        model.chunks = model.tokens = 0  # the dataset keeps its counters (server behaviour)
        model.running = True
        self._settle(doc_id, before=set())

    @precondition(lambda self: any(d.running for d in self.docs.values()))
    @rule(data=st.data())
    def poll(self, data: st.DataObject) -> None:
        """listDocuments (one poll)."""
        doc_id = data.draw(st.sampled_from(sorted(k for k, d in self.docs.items() if d.running)))
        model = self.docs[doc_id]
        before = set(self.tenant.chunks.ordered_ids(doc_id))
        body = self.client.get(f"{API}/datasets/{model.dataset}/documents", params={"id": doc_id}).json()
        assert body["code"] == 0
        self._settle(doc_id, before)

    @precondition(lambda self: any(d.running for d in self.docs.values()))
    @rule(data=st.data())
    def stop(self, data: st.DataObject) -> None:
        """stopParsingDocuments."""
        doc_id = data.draw(st.sampled_from(sorted(k for k, d in self.docs.items() if d.running)))
        model = self.docs[doc_id]
        body = self.client.request(
            "DELETE", f"{API}/datasets/{model.dataset}/chunks", json={"document_ids": [doc_id]}
        ).json()
        assert body == {"code": 0}
        model.running = False
        if model.chunks:
            self.datasets[model.dataset].exact = False
        model.chunks = 0

    @precondition(lambda self: self.docs)
    @rule(data=st.data(), questions=st.booleans())
    def add_chunk(self, data: st.DataObject, questions: bool) -> None:
        """addChunk."""
        doc_id = data.draw(st.sampled_from(sorted(self.docs)))
        model = self.docs[doc_id]
        content = f"manual chunk {self._next()} about {data.draw(st.sampled_from(WORDS))}"
        asked = [f"what about {content}?"] if questions else []
        body = self.client.post(chunks_url(model.dataset, doc_id), json={"content": content, "questions": asked}).json()
        assert body["code"] == 0
        cost = count_tokens(model.name) + count_tokens("\n".join(asked) if asked else content)
        self._count(model, 1, cost)

    @precondition(lambda self: any(self.tenant.chunks.count_of(d) for d in self.docs))
    @rule(data=st.data())
    def delete_chunks(self, data: st.DataObject) -> None:
        """deleteChunks."""
        doc_id = data.draw(st.sampled_from(sorted(d for d in self.docs if self.tenant.chunks.count_of(d))))
        model = self.docs[doc_id]
        existing = self.tenant.chunks.ordered_ids(doc_id)
        chosen = data.draw(st.lists(st.sampled_from(existing), min_size=1, unique=True))
        body = self.client.request("DELETE", chunks_url(model.dataset, doc_id), json={"chunk_ids": chosen}).json()
        assert body == {"code": 0}
        self._count(model, -len(chosen), -1)
        self.datasets[model.dataset].exact = False

    @precondition(lambda self: self.docs)
    @rule(data=st.data())
    def delete_document(self, data: st.DataObject) -> None:
        """deleteDocuments."""
        doc_id = data.draw(st.sampled_from(sorted(self.docs)))
        model = self.docs.pop(doc_id)
        body = self.client.request("DELETE", f"{API}/datasets/{model.dataset}/documents", json={"ids": [doc_id]})
        assert body.json() == {"code": 0}
        dataset = self.datasets[model.dataset]
        dataset.docs.discard(doc_id)
        dataset.chunks -= model.chunks
        dataset.tokens -= model.tokens

    @precondition(lambda self: self.datasets)
    @rule(data=st.data())
    def delete_dataset(self, data: st.DataObject) -> None:
        """deleteDatasets."""
        dataset_id = data.draw(st.sampled_from(sorted(self.datasets)))
        body = self.client.request("DELETE", f"{API}/datasets", json={"ids": [dataset_id]}).json()
        assert body == {"code": 0}
        for doc_id in self.datasets.pop(dataset_id).docs:
            del self.docs[doc_id]

    # -- model helpers -------------------------------------------------------------------------------
    def _count(self, model: ModelDoc, chunks: int, tokens: int) -> None:
        model.chunks += chunks
        model.tokens += tokens
        dataset = self.datasets[model.dataset]
        dataset.chunks += chunks
        dataset.tokens += tokens

    def _settle(self, doc_id: str, before: set[str]) -> None:
        """When the emulator finished the run, credit the chunks it produced (read from the store)."""
        model = self.docs[doc_id]
        if self.tenant.documents.items[doc_id].run != "3":
            return
        model.running = False
        produced = [c for c in self.tenant.chunks.chunks_of(doc_id) if c.id not in before]
        tokens = (
            count_tokens(model.name) + sum(count_tokens(c.content_with_weight) for c in produced) if produced else 0
        )
        self._count(model, len(produced), tokens)

    # -- invariants ----------------------------------------------------------------------------------
    @invariant()
    def counters_follow_the_model(self) -> None:
        for dataset_id, expected in self.datasets.items():
            dataset = self.tenant.datasets.get(dataset_id)
            assert dataset is not None
            assert dataset.doc_num == len(expected.docs) == len(self.tenant.documents.documents_of(dataset_id))
            assert (dataset.chunk_num, dataset.token_num) == (expected.chunks, expected.tokens)
        for doc_id, expected_doc in self.docs.items():
            doc = self.tenant.documents.items[doc_id]
            assert (doc.chunk_num, doc.token_num) == (expected_doc.chunks, expected_doc.tokens)

    @invariant()
    def document_chunk_counts_equal_existing_chunks(self) -> None:
        for doc_id in self.docs:
            assert self.tenant.documents.items[doc_id].chunk_num == self.tenant.chunks.count_of(doc_id)
        assert len(self.tenant.chunks.items) == len(self.tenant.index)
        assert {c.doc_id for c in self.tenant.chunks.items.values()} <= set(self.docs)

    @invariant()
    def untouched_datasets_hold_exact_sums(self) -> None:
        for dataset_id, expected in self.datasets.items():
            if not expected.exact:
                continue
            dataset = self.tenant.datasets.get(dataset_id)
            assert dataset is not None
            docs = self.tenant.documents.documents_of(dataset_id)
            assert dataset.chunk_num == sum(self.tenant.chunks.count_of(d.id) for d in docs)
            assert dataset.token_num == sum(d.token_num for d in docs)


TestCounters = CounterMachine.TestCase
TestCounters.settings = settings(
    max_examples=15, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
