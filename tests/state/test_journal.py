"""`Journal`: assertion helpers, since filter, per-tenant clear, capacity and body summaries (no HTTP)."""

from __future__ import annotations

import pytest

from mockserver.state.journal import Journal, JournalAssertionError, summarise_body


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
