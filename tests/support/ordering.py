"""Property-test machinery for store listings: the indexed page must equal a naive full sort of every row.

A `Listing` adapts one store (how to add a row, list a page, filter, bulk-delete, and which rows a naive
reference sorts); `check_listing` replays a hypothesis-drawn script of inserts, column writes (ties, None,
`desc`, mixed types, containers), filters and bulk deletes, comparing every page with
`order_records(<reference rows in insertion order>)` paged the MySQL way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.state.backend import TenantBackend

TEXTS = st.sampled_from(["a", "A", "b", "B", "é", "É", "ab", "a ", "", "Zed", "zed", "日本", "ß", "ss"])
NUMBERS = st.one_of(st.integers(-2, 2), st.sampled_from([0.5, -0.5, 1.0, 2.5, 1e20]), st.booleans())
CONTAINERS = st.sampled_from([{}, {"a": 1}, [], [1, 2]])
COLUMN_VALUES = st.one_of(
    st.lists(st.one_of(st.none(), TEXTS), min_size=1, max_size=4),
    st.lists(st.one_of(st.none(), NUMBERS), min_size=1, max_size=4),
    st.lists(st.one_of(st.none(), TEXTS, NUMBERS), min_size=1, max_size=4),
    st.lists(st.one_of(st.none(), TEXTS, NUMBERS, CONTAINERS), min_size=1, max_size=4),
)
"""A pool of values one column draws from: text, numbers, both mixed, or with containers (all with None)."""


@dataclass
class Listing:
    """How one store is driven and referenced."""

    model_name: str
    known: Collection[str]
    columns: Callable[[Any], dict[str, Any]]
    add: Callable[[TenantBackend, int], Any]
    """Add the i-th row, returns it."""
    page: Callable[[TenantBackend, str, bool, int, int], list[Any]]
    """(orderby, desc, page, page_size) → the store's page of rows."""
    rows: Callable[[TenantBackend], list[Any]]
    """The rows the listing covers, in insertion order (the naive reference's input)."""
    delete: Callable[[TenantBackend, list[str]], Any]
    """Bulk-delete by ids."""
    free: Sequence[str]
    """Columns that may hold any value (no key or partition depends on them)."""
    texts: Sequence[str] = ()
    """Columns that a key reads (text values only)."""
    filters: dict[str, Callable[[TenantBackend, str, str, bool], list[Any]]] | None = None
    """filter name → (value, orderby, desc) → the store's filtered rows (page 1, size 1000)."""
    matches: dict[str, Callable[[Any, str], bool]] | None = None
    """filter name → whether a row matches a value (the naive reference of the filter)."""


def naive(spec: Listing, rows: list[Any], orderby: str, desc: bool, page: int, page_size: int) -> list[str]:
    """What the listing returned before indexes: a full sort, then the MySQL page."""
    ordered = order_records(rows, orderby, desc, spec.model_name, spec.columns, spec.known)
    return [r.id for r in mysql_page(ordered, page, page_size)]


@st.composite
def scripts(draw: st.DrawFn, spec: Listing) -> list[tuple[Any, ...]]:
    """A sequence of steps: add, set a column, check a page, filter, bulk delete."""
    pools = {column: draw(COLUMN_VALUES) for column in spec.free}
    steps: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["add", "add", "set", "set", "text", "check", "filter", "delete"]))
        if kind == "set" and spec.free:
            column = draw(st.sampled_from(list(spec.free)))
            steps.append(("set", draw(st.integers(0, 40)), column, draw(st.sampled_from(pools[column]))))
        elif kind == "text" and spec.texts:
            steps.append(("set", draw(st.integers(0, 40)), draw(st.sampled_from(list(spec.texts))), draw(TEXTS)))
        elif kind == "check":
            steps.append(("check", *draw(page_args(spec))))
        elif kind == "filter" and spec.filters:
            steps.append(("filter", draw(st.sampled_from(sorted(spec.filters))), draw(st.integers(0, 40)), draw(TEXTS)))
        elif kind == "delete":
            steps.append(("delete", draw(st.lists(st.integers(0, 40), max_size=3))))
        else:
            steps.append(("add",))
    steps.append(("check", *draw(page_args(spec))))
    return steps


def page_args(spec: Listing) -> st.SearchStrategy[tuple[str, bool, int, int]]:
    """(orderby, desc, page, page_size) over every column the listing accepts."""
    return st.tuples(
        st.sampled_from(sorted(spec.known)), st.booleans(), st.integers(0, 4), st.sampled_from([1, 2, 3, 5, 30])
    )


def check_listing(spec: Listing, tenant: TenantBackend, script: list[tuple[Any, ...]]) -> None:
    """Replay `script`, comparing the store with the naive reference at every check (and at every order at the end)."""
    made: list[Any] = []
    for step in script:
        live = spec.rows(tenant)
        if step[0] == "add":
            made.append(spec.add(tenant, len(made)))
        elif step[0] == "set" and live:
            setattr(live[step[1] % len(live)], step[2], step[3])
        elif step[0] == "check":
            _, orderby, desc, page, size = step
            got = [r.id for r in spec.page(tenant, orderby, desc, page, size)]
            assert got == naive(spec, live, orderby, desc, page, size), (orderby, desc, page, size)
        elif step[0] == "filter" and live and spec.filters and spec.matches:
            _, name, index, fallback = step
            value = _filter_value(live[index % len(live)], name, fallback, index)
            if not value:  # an empty filter is no filter (each store's own rule, tested with its handlers)
                continue
            wanted = [r for r in live if spec.matches[name](r, value)]
            for orderby in ("create_time", "update_time"):
                got = [r.id for r in spec.filters[name](tenant, value, orderby, True)]
                assert got == naive(spec, wanted, orderby, True, 1, 1000), (name, value)
        elif step[0] == "delete" and live:
            spec.delete(tenant, [live[i % len(live)].id for i in step[1]])
    live = spec.rows(tenant)
    for orderby in sorted(spec.known):
        for desc in (False, True):
            got = [r.id for r in spec.page(tenant, orderby, desc, 1, 1000)]
            assert got == naive(spec, live, orderby, desc, 1, 1000), (orderby, desc)


def _filter_value(row: Any, name: str, fallback: str, index: int) -> str:
    """A filter value that hits a row (its own value in another case) or, every third time, a drawn text."""
    if index % 3 == 2:
        return fallback
    value = getattr(row, name)
    return str(value).upper() if index % 2 else str(value)


def collated(column: str) -> Callable[[Any, str], bool]:
    """A name filter under MySQL collation."""
    return lambda row, value: (
        isinstance(getattr(row, column), str) and (collation_key(getattr(row, column)) == collation_key(value))
    )


def lowered(column: str) -> Callable[[Any, str], bool]:
    """An id filter compared case-insensitively."""
    return lambda row, value: str(getattr(row, column)).lower() == value.lower()
