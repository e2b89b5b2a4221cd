"""Shared list helpers: Python-int parsing, MySQL paging, desc flavours, ordering, collation."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pytest

from mockserver.core.errors import DataError, MySQLError, PythonError
from mockserver.core.pagination import (
    collation_key,
    loose_desc,
    mysql_page,
    order_records,
    page_numbers,
    python_int,
    strict_desc,
)


def test_python_int() -> None:
    assert python_int(None, 30) == 30
    assert python_int(" 7 ", 1) == 7
    assert python_int("1_0", 1) == 10
    with pytest.raises(PythonError, match="invalid literal"):
        python_int("1.5", 1)


def test_mysql_page() -> None:
    items = list(range(10))
    assert mysql_page(items, 1, 3) == [0, 1, 2]
    assert mysql_page(items, 0, 3) == [0, 1, 2]
    assert mysql_page(items, 4, 3) == [9]
    assert mysql_page(items, 2, 0) == []
    with pytest.raises(MySQLError):
        mysql_page(items, -1, 3)
    with pytest.raises(MySQLError):
        mysql_page(items, 1, -3)


def test_desc_flavours() -> None:
    assert strict_desc(None) and strict_desc("TRUE") and not strict_desc("False")
    with pytest.raises(DataError, match="desc should be true or false"):
        strict_desc("0")
    assert loose_desc(None) and loose_desc("0") and loose_desc("no")
    assert not loose_desc("False") and not loose_desc("false")


@dataclass
class Row:
    name: str
    size: int | None


def test_order_records_ties_keep_insertion_order_and_unknown_columns_crash() -> None:
    rows = [Row("b", 1), Row("a", 1), Row("C", None)]
    known = {"name", "size"}
    assert [r.name for r in order_records(rows, "name", False, "Doc", asdict, known)] == ["a", "b", "C"]
    assert [r.name for r in order_records(rows, "size", True, "Doc", asdict, known)] == ["a", "b", "C"]
    with pytest.raises(PythonError, match="type object 'Doc' has no attribute 'x'"):
        order_records([], "x", True, "Doc", asdict, known)


def test_collation_key() -> None:
    assert collation_key("Café ") == collation_key("cafe")
    assert collation_key(" a") != collation_key("a")


def test_page_numbers_are_read_page_first() -> None:
    """Every list route reads `page` then `page_size` with `int()`: the first bad one is the crash reported."""
    assert page_numbers({}) == (1, 30)
    assert page_numbers({"page": "2", "page_size": "5"}) == (2, 5)
    with pytest.raises(PythonError, match="'x'"):
        page_numbers({"page": "x", "page_size": "y"})
