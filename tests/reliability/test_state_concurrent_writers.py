"""Concurrent writers over a real socket: a hypothesis state machine whose every step is a burst of parallel
requests (creates with colliding names, uploads racing dataset deletions, parses, document deletions); after
each burst the invariants hold: counters equal rows, names are unique, nothing is orphaned (issue 16)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.core.pagination import collation_key
from mockserver.server import ThreadedServer
from mockserver.state.backend import TenantBackend
from tests.conftest import API_KEY

pytestmark = pytest.mark.slow
HEADERS = {"Authorization": f"Bearer {API_KEY}"}
NAMES = st.sampled_from(["alpha", "Alpha", "beta", "gamma", "delta "])
TEXT = b"Glaciers carve valleys.\nRivers carry sediment to the sea.\n"
LARGE = b"".join(b"Line %d: glaciers carve valleys and rivers carry sediment to the sea.\n" % i for i in range(16_000))
"""Past the 1 MB in-memory limit of a multipart part: read from a spool file, so the upload awaits its bytes.
Every line differs: pieces with equal text get one chunk id, so the server's `chunk_num` (pieces inserted) would
exceed the chunk rows, which is faithful but not the invariant checked here."""


class ConcurrentWriters(RuleBasedStateMachine):
    """One emulator on a real socket; each rule sends its requests from parallel threads and waits for all."""

    def __init__(self) -> None:
        super().__init__()
        self.app = create_app(Settings.for_tests(api_keys=(API_KEY,), max_file_num_per_user=12))
        self.server = ThreadedServer(self.app).start()
        self.client = httpx.Client(base_url=self.server.base_url, headers=HEADERS, timeout=30)
        self.pool = ThreadPoolExecutor(8)
        self.acknowledged_datasets: set[str] = set()

    def teardown(self) -> None:
        self.pool.shutdown()
        self.client.close()
        self.server.stop()

    @property
    def tenant(self) -> TenantBackend:
        tenant = emulator_state(self.app).backends.tenant_for_key(API_KEY)
        assert tenant is not None
        return tenant

    def burst(self, calls: list[tuple[str, str, dict[str, Any]]]) -> list[Any]:
        def send(call: tuple[str, str, dict[str, Any]]) -> Any:
            method, path, kwargs = call
            reply = self.client.request(method, path, **kwargs)
            assert reply.status_code == 200, reply.text
            return reply.json()

        return list(self.pool.map(send, calls))

    def dataset_ids(self) -> list[str]:
        return list(self.tenant.datasets.items)

    @rule(names=st.lists(NAMES, min_size=1, max_size=6))
    def create_datasets(self, names: list[str]) -> None:
        replies = self.burst([("POST", "/api/v1/datasets", {"json": {"name": n}}) for n in names])
        created = [r["data"]["id"] for r in replies if r["code"] == 0]
        assert len(created) <= len({collation_key(n) for n in names}), "one name, one dataset"
        self.acknowledged_datasets.update(created)

    @rule(uploads=st.integers(1, 6), delete=st.booleans(), large=st.booleans(), data=st.data())
    def upload_while_deleting(self, uploads: int, delete: bool, large: bool, data: st.DataObject) -> None:
        ids = self.dataset_ids()
        if not ids:
            return
        target = data.draw(st.sampled_from(ids))
        calls = [
            (
                "POST",
                f"/api/v1/datasets/{target}/documents",
                {"files": {"file": (f"f{i}.txt", LARGE if large else TEXT)}},
            )
            for i in range(uploads)
        ]
        if delete:
            calls.insert(uploads // 2, ("DELETE", "/api/v1/datasets", {"json": {"ids": [target]}}))
        for reply in self.burst(calls):
            assert reply["code"] in (0, 100, 102, 500), reply

    @rule(data=st.data())
    def parse_and_delete_documents(self, data: st.DataObject) -> None:
        docs = list(self.tenant.documents.items.values())
        if not docs:
            return
        picked = data.draw(st.lists(st.sampled_from(docs), min_size=1, max_size=4, unique_by=lambda d: d.id))
        calls: list[tuple[str, str, dict[str, Any]]] = []
        for doc in picked:
            if data.draw(st.booleans()):
                calls.append(("POST", f"/api/v1/datasets/{doc.kb_id}/chunks", {"json": {"document_ids": [doc.id]}}))
            else:
                calls.append(("DELETE", f"/api/v1/datasets/{doc.kb_id}/documents", {"json": {"ids": [doc.id]}}))
        self.burst(calls)

    @invariant()
    def counters_equal_rows(self) -> None:
        tenant = self.tenant
        for dataset in tenant.datasets.items.values():
            docs = tenant.documents.documents_of(dataset.id)
            assert dataset.doc_num == len(docs)
            for doc in docs:
                assert doc.chunk_num == len(tenant.chunks.chunks_of(doc.id))

    @invariant()
    def names_are_unique(self) -> None:
        tenant = self.tenant
        names = [collation_key(d.name) for d in tenant.datasets.items.values()]
        assert len(names) == len(set(names))
        for dataset_id in tenant.datasets.items:
            doc_names = [d.name for d in tenant.documents.documents_of(dataset_id)]
            assert len(doc_names) == len(set(doc_names))

    @invariant()
    def nothing_is_orphaned(self) -> None:
        tenant = self.tenant
        live = set(tenant.datasets.items)
        assert {d.kb_id for d in tenant.documents.items.values()} <= live
        assert {key[0] for key in tenant.documents.blobs} <= live
        assert {c.doc_id for c in tenant.chunks.items.values()} <= set(tenant.documents.items)
        listed = sum(len(tenant.documents.documents_of(i)) for i in live)
        assert listed == len(tenant.documents.items), "the per-user file limit counts only reachable documents"


ConcurrentWriters.TestCase.settings = settings(
    max_examples=8, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck)
)
test_concurrent_writers = ConcurrentWriters.TestCase
