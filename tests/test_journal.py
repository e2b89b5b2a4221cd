"""The call journal: what one call records, filtering, clearing and the assertion helpers."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from mockserver.state.journal import Journal, JournalAssertionError, summarise_body
from tests.conftest import API_KEY


def test_a_call_is_recorded_with_operation_tenant_status_code_and_body(app: Starlette, client: TestClient) -> None:
    client.post("/api/v1/datasets", json={"name": "kb"})
    entry = emulator_state(app).journal.last("createDataset")
    tenant = emulator_state(app).backends.tenant_for_key(API_KEY)
    assert tenant is not None
    assert (entry.method, entry.path, entry.tenant_id) == ("POST", "/api/v1/datasets", tenant.tenant_id)
    assert (entry.status, entry.code, entry.body) == (200, 0, {"name": "kb"})
    assert entry.duration_ms >= 0


def test_error_envelopes_and_unauthenticated_calls_are_recorded(app: Starlette, anon_client: TestClient) -> None:
    anon_client.get("/api/v1/datasets", headers={"Authorization": "Bearer nope"})
    entry = emulator_state(app).journal.last()
    assert (entry.operation_id, entry.code, entry.tenant_id) == ("listDatasets", 109, None)


def test_control_plane_calls_are_not_recorded(app: Starlette, client: TestClient) -> None:
    client.get("/_emulator/journal")
    assert emulator_state(app).journal.entries() == []


def test_query_string_is_recorded(app: Starlette, client: TestClient) -> None:
    client.get("/api/v1/datasets?page=2")
    assert emulator_state(app).journal.last().query == "page=2"


def _record(journal: Journal, op: str, tenant: str | None = "t1", code: int = 0) -> None:
    journal.record(
        operation_id=op, method="GET", path="/", query="", tenant_id=tenant, status=200, code=code,
        duration_ms=0.1, body=None, at=0.0,
    )  # fmt: skip


def test_assert_called_counts_and_explains_failures() -> None:
    journal = Journal()
    _record(journal, "listDatasets")
    _record(journal, "listDatasets", tenant="t2", code=102)
    assert len(journal.assert_called("listDatasets", times=2)) == 2
    journal.assert_called("listDatasets", times=1, tenant_id="t1")
    with pytest.raises(JournalAssertionError, match=r"called 2 time\(s\), expected 3; calls recorded: listDatasets→0"):
        journal.assert_called("listDatasets", times=3)
    with pytest.raises(JournalAssertionError, match="createChat was never called"):
        journal.assert_called("createChat")
    journal.assert_not_called("createChat")
    with pytest.raises(JournalAssertionError, match="never called; no calls were recorded"):
        Journal().last("x")


def test_since_filter_and_clear_per_tenant() -> None:
    journal = Journal()
    for op in ("a", "b", "c"):
        _record(journal, op)
    _record(journal, "d", tenant="t2")
    assert [e.operation_id for e in journal.entries(since=2)] == ["c", "d"]
    assert journal.clear("t2") == 1
    assert [e.operation_id for e in journal.entries()] == ["a", "b", "c"]
    assert journal.clear() == 3


def test_capacity_drops_the_oldest() -> None:
    journal = Journal(capacity=2)
    for op in ("a", "b", "c"):
        _record(journal, op)
    assert [e.seq for e in journal.entries()] == [2, 3]


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (None, None, None),
        (b"", "application/json", None),
        (b'{"a":1}', "text/plain", {"a": 1}),
        (b"not json", None, "not json"),
        (b"--x\r\n", "multipart/form-data; boundary=x", "<multipart/form-data 5 bytes>"),
        (b'{"a":"' + b"x" * 3000 + b'"}', "application/json", "<JSON 3008 bytes>"),
    ],
)
def test_body_summary(raw: bytes | None, content_type: str | None, expected: object) -> None:
    assert summarise_body(raw, content_type) == expected
