"""Golden tests of the byte format: spliced and cached rows give exactly the plain `json.dumps` bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.indexes import Indexed, Table, cached_json
from mockserver.core.jsonbytes import JSONRows, encode, encode_payload

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["日本語", "é", "\u2028", "\x00", "\"'\\", "emoji 😀", "ß"]
)
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.1, 1e20, 1e-7, -0.0, 2.5, 1 / 3])
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | FLOATS | TEXT
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8
)
ROWS = st.dictionaries(TEXT, VALUES, max_size=6)


def plain(value: Any) -> bytes:
    """The reference: the JSON provider's settings, applied to the whole value at once."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@settings(max_examples=100, deadline=None)
@given(ROWS)
def test_encode_is_the_plain_dumps(row: dict[str, Any]) -> None:
    assert encode(row) == plain(row)


@settings(max_examples=80, deadline=None)
@given(st.lists(ROWS, max_size=5), st.dictionaries(TEXT, VALUES, max_size=3), st.integers(0, 2))
def test_spliced_rows_equal_the_plain_body(rows: list[dict[str, Any]], extra: dict[str, Any], depth: int) -> None:
    spliced: Any = JSONRows([encode(r) for r in rows])
    whole: Any = rows
    for level in range(depth):  # data, then data.docs
        key = "docs" if level else "data"
        spliced = {**extra, key: spliced}
        whole = {**extra, key: whole}
    envelope = {"code": 0, "data": spliced} if depth == 0 else {"code": 0, **spliced}
    expected = {"code": 0, "data": whole} if depth == 0 else {"code": 0, **whole}
    assert encode_payload(envelope) == plain(expected)


@dataclass
class Row(Indexed):
    """A record with a scalar and a nested column."""

    id: str
    label: Any
    nested: dict[str, Any]

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "nested": self.nested}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), VALUES, st.booleans()), max_size=12))
def test_cached_bytes_follow_every_change(writes: list[tuple[int, Any, bool]]) -> None:
    items: dict[str, Row] = {}
    table: Table[Row] = Table(lambda: items, {})
    for i in range(5):
        table.put(str(i), Row(str(i), None, {}))
    for index, value, nested in writes:
        record = items[str(index)]
        assert cached_json(record, Row.view) == plain(record.view())
        if nested:  # an in-place change of a nested value, announced with `touched`
            record.nested["k"] = value
            table.touched(record)
        else:
            record.label = value
        assert cached_json(record, Row.view) == plain(record.view())
