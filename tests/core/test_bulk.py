"""The bulk-delete loop: everything when no ids, duplicates reported, misses named, the server's partial replies."""

from __future__ import annotations

import pytest

from mockserver.core.bulk import bulk_delete
from mockserver.core.errors import DataError


def run(rows: dict[str, str], ids: object) -> tuple[dict[str, object] | None, dict[str, str]]:
    reply = bulk_delete(ids, "thing", lambda: list(rows), rows.get, lambda row: rows.pop(row), lambda i: f"no {i}")
    return reply, rows


def test_no_ids_deletes_everything() -> None:
    assert run({"a": "a", "b": "b"}, None) == (None, {})
    assert run({"a": "a"}, []) == (None, {})


def test_partial_success_and_total_failure() -> None:
    assert run({"a": "a", "b": "b"}, ["a", "x"]) == ({"errors": ["no x"], "success_count": 1}, {"b": "b"})
    with pytest.raises(DataError, match="no x; no y"):
        run({"a": "a"}, ["x", "y"])


def test_duplicates() -> None:
    assert run({"a": "a"}, ["a", "a"]) == ({"errors": ["Duplicate thing ids: a"], "success_count": 1}, {})


def test_misses_raised_together_after_the_loop() -> None:
    """deleteDocuments, parseDocuments: with `not_found`, the found ids are acted on, then the misses fail."""
    rows = {"a": "a", "b": "b"}
    with pytest.raises(DataError, match=r"missing \['x', 'y'\]"):
        bulk_delete(
            ["x", "a", "y"], "thing", list, rows.get, rows.pop, not_found=lambda ids: DataError(f"missing {ids}")
        )
    assert rows == {"b": "b"}
    assert bulk_delete(["b", "b"], "thing", list, rows.get, rows.pop, not_found=lambda ids: DataError("")) == {
        "errors": ["Duplicate thing ids: b"],
        "success_count": 1,
    }
