"""Shared request helpers: the duplicate-id helper and the bulk-operation reply."""

from __future__ import annotations

import pytest

from mockserver.core.errors import DataError, PythonError
from mockserver.core.validation import check_duplicate_ids, partial_result


def test_check_duplicate_ids() -> None:
    assert check_duplicate_ids(["a", "b", "a"], "chunk") == (["a", "b"], ["Duplicate chunk ids: a"])
    assert check_duplicate_ids("ab", "dataset") == (["a", "b"], [])
    with pytest.raises(PythonError, match="'int' object is not iterable"):
        check_duplicate_ids(3, "dataset")


def test_partial_result() -> None:
    assert partial_result([], [], 2) is None
    assert partial_result(["x"], [], 1) == {"errors": ["x"], "success_count": 1}
    assert partial_result([], ["Duplicate chunk ids: a"], 1) == {
        "errors": ["Duplicate chunk ids: a"],
        "success_count": 1,
    }
    with pytest.raises(DataError, match=r"^x; y$"):
        partial_result(["x", "y"], ["d"], 0)
    with pytest.raises(DataError, match=r"^d1;d2$"):
        partial_result([], ["d1", "d2"], 0)
