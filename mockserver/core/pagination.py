"""Query parameters shared by list endpoints: Python-int pages, MySQL-style paging, ordering, `desc`."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from mockserver.core.errors import DataError, MySQLError
from mockserver.core.indexes import Indexed, Table
from mockserver.core.python_failures import invalid_int_literal, no_class_attribute

T = TypeVar("T")
R = TypeVar("R", bound=Indexed)


def python_int(raw: str | None, default: int) -> int:
    """`int(request.args.get(name, default))`: a non-integer crashes with the server's ValueError repr."""
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid_int_literal(raw) from None


def page_numbers(query: Mapping[str, str]) -> tuple[int, int]:
    """`page` (default 1), then `page_size` (default 30), each `int()`-ed as the server's list routes read them."""
    return python_int(query.get("page"), 1), python_int(query.get("page_size"), 30)


def mysql_offset(page: int, page_size: int) -> int:
    """Peewee `paginate(page, page_size)`'s offset on MySQL: page 0 acts as 1, negatives are a SQL syntax error."""
    offset = (page - 1 if page > 0 else page) * page_size
    if page_size < 0 or offset < 0:
        bad = page_size if page_size < 0 else offset
        raise MySQLError(
            1064,
            "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server "
            f"version for the right syntax to use near '{bad}' at line 1",
        )
    return offset


def mysql_page(items: Sequence[T], page: int, page_size: int) -> list[T]:
    """Peewee `paginate(page, page_size)` on MySQL: page 0 acts as 1, negatives are a SQL syntax error."""
    offset = mysql_offset(page, page_size)
    return list(items[offset : offset + page_size])


def strict_desc(raw: str | None) -> bool:
    """Dataset lists: `true`/`false` in any case, default true, anything else is a 102 error."""
    if raw is None:
        return True
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise DataError("desc should be true or false")
    return lowered == "true"


def loose_desc(raw: str | None) -> bool:
    """Most other lists: only the exact strings `False`/`false` mean ascending."""
    return raw not in ("False", "false")


def collation_key(text: str) -> str:
    """MySQL `utf8mb4_unicode_ci` equality: case-, accent- and trailing-space-insensitive."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().rstrip(" ")


def order_records(
    records: list[T],
    orderby: str,
    desc: bool,
    model_name: str,
    columns: Callable[[T], dict[str, Any]],
    known: Collection[str],
) -> list[T]:
    """Sort by a column; an unknown column is the server's AttributeError on the model class."""
    if orderby not in known:
        raise no_class_attribute(model_name, orderby)

    def value_key(value: Any) -> tuple[int, Any]:
        if value is None:
            return (0, "")
        if isinstance(value, str):
            return (1, value.lower())
        if isinstance(value, bool | int | float):
            return (1, value)
        return (1, str(value))

    # Ties keep insertion order (newest last), so `desc` lists the newest of equal rows first.
    keyed = [(value_key(columns(r)[orderby]), seq, r) for seq, r in enumerate(records)]
    try:
        keyed.sort(key=lambda item: (item[0], item[1]), reverse=desc)
    except TypeError:  # mixed column types: fall back to text order
        keyed.sort(key=lambda item: (str(item[0][1]), item[1]), reverse=desc)
    return [record for _, _, record in keyed]


def table_page(
    table: Table[R],
    part: Any,
    *,
    orderby: str,
    desc: bool,
    page: int,
    page_size: int,
    model_name: str,
    known: Collection[str],
) -> list[R]:
    """`mysql_page(order_records(<the partition's records>, ...))` from the table's ordered index, O(log n + page)
    (a column the index does not serve — containers, mixed text and numbers — takes the full sort)."""
    if orderby not in known:
        raise no_class_attribute(model_name, orderby)
    offset = mysql_offset(page, page_size)
    found = table.page(part, orderby, desc, offset, page_size)
    if found is None:
        ordered = order_records(table.members(part), orderby, desc, model_name, _getter(orderby), known)
        found = ordered[offset : offset + page_size]
    return found


def _getter(column: str) -> Callable[[Any], dict[str, Any]]:
    return lambda record: {column: getattr(record, column)}
