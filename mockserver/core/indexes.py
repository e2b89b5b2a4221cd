"""Derived indexes over a store's records: key maps, per-partition ordered columns, and cached row bytes."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Hashable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sortedcontainers import SortedList

from mockserver.core.jsonbytes import encode

R = TypeVar("R", bound="Indexed")


class Derived:
    """Marker of an index a store derives from its own state: rebuilt from that state, never serialised."""


class Indexed:
    """Base of a record kept in a `Table`: every attribute write reaches the table and drops the cached bytes.

    Nested values (dicts, lists) changed in place are not seen: stores assign a new value (or call
    `Table.touched`) after such a change.
    """

    __slots__ = ("_json", "_seq", "_table")

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        object.__setattr__(self, "_json", None)
        table: Table[Any] | None = getattr(self, "_table", None)
        if table is not None:
            table.changed(self, name)

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles carry the fields only (not the table link nor the cached bytes)."""
        return self.__dict__


def cached_json(record: Indexed, view: Callable[[Any], Any]) -> bytes:
    """The record's `view` serialised as the envelope does, computed once per change of the record."""
    cache: dict[Any, bytes] | None = getattr(record, "_json", None)
    if cache is None:
        cache = {}
        object.__setattr__(record, "_json", cache)
    found = cache.get(view)
    if found is None:
        found = cache[view] = encode(view(record))
    return found


@dataclass(frozen=True)
class Key:
    """A map of a table: `of(record)` is the record's key (None: not in the map), recomputed when `fields` change."""

    fields: tuple[str, ...]
    of: Callable[[Any], Hashable | None]


EVERY_ROW = Key((), lambda _: True)
"""A partition holding every row of a table (lists over the whole store)."""


class ColumnOrder:
    """One column of one partition in the order of `pagination.order_records` (None first, then by value, ties by
    insertion); columns holding anything but None, text or numbers — or text and numbers mixed — are not served."""

    __slots__ = ("keys", "nones", "numbers", "odd", "texts")

    def __init__(self) -> None:
        self.nones: SortedList = SortedList()
        self.texts: SortedList = SortedList()
        self.numbers: SortedList = SortedList()
        self.odd = 0
        self.keys: dict[int, tuple[str, Any]] = {}

    def add(self, seq: int, value: Any) -> None:
        """Place a record's value."""
        key: Any
        if value is None:
            kind, key = "n", seq
        elif isinstance(value, str):
            kind, key = "t", (value.lower(), seq)
        elif isinstance(value, bool | int | float) and not (isinstance(value, float) and math.isnan(value)):
            kind, key = "v", (value, seq)
        else:
            kind, key = "o", seq
        self.keys[seq] = (kind, key)
        if kind == "n":
            self.nones.add(key)
        elif kind == "t":
            self.texts.add(key)
        elif kind == "v":
            self.numbers.add(key)
        else:
            self.odd += 1

    def remove(self, seq: int) -> None:
        """Forget a record's value."""
        kind, key = self.keys.pop(seq)
        if kind == "n":
            self.nones.remove(key)
        elif kind == "t":
            self.texts.remove(key)
        elif kind == "v":
            self.numbers.remove(key)
        else:
            self.odd -= 1

    def page(self, offset: int, size: int, desc: bool) -> list[int] | None:
        """Sequence numbers of `[offset, offset + size)` in this order (reversed for `desc`), None when not served."""
        if self.odd or (self.texts and self.numbers):
            return None
        total = len(self.keys)
        start, stop = offset, min(total, offset + size)
        if start >= stop:
            return []
        if desc:
            start, stop = total - stop, total - start
        picked: list[int] = []
        base = 0
        for segment, plain in ((self.nones, True), (self.texts, False), (self.numbers, False)):
            length = len(segment)
            lo, hi = max(start - base, 0), min(stop - base, length)
            if lo < hi:
                part = segment[lo:hi]
                picked.extend(part if plain else [item[1] for item in part])
            base += length
        if desc:
            picked.reverse()
        return picked


class Table(Generic[R]):
    """A store's records by id (the store's own `items` dict, which stays the snapshot's state) plus derived maps:
    `keys` (name → `Key`, for O(1) lookups and uniqueness) and a `partition` whose members can be listed in any
    column's order (built on first use, kept up to date afterwards). Writes go through `put`/`pop`."""

    def __init__(
        self, items: Callable[[], MutableMapping[str, R]], keys: dict[str, Key], partition: Key | None = None
    ) -> None:
        self._items = items
        self._specs = keys
        self._partition = partition
        self._watch: dict[str, list[str]] = {}
        for name, spec in keys.items():
            for f in spec.fields:
                self._watch.setdefault(f, []).append(name)
        self._part_fields = frozenset(partition.fields if partition is not None else ())
        self._source: MutableMapping[str, R] | None = None
        self._reset()

    def _reset(self) -> None:
        self.rows: dict[int, R] = {}
        self._next = 0
        self._maps: dict[str, dict[Hashable, dict[int, None]]] = {name: {} for name in self._specs}
        self._key_of: dict[str, dict[int, Hashable]] = {name: {} for name in self._specs}
        self._parts: dict[Hashable, dict[int, None]] = {}
        self._part_of: dict[int, Hashable] = {}
        self._unsorted: set[Hashable] = set()
        self._orders: dict[Hashable, dict[str, ColumnOrder]] = {}

    # -- keeping in step with the store's dict ----------------------------------------------------
    def sync(self) -> MutableMapping[str, R]:
        """The store's dict, re-indexed first when it was replaced (snapshot restore) or written around the table."""
        items = self._items()
        if items is not self._source or len(items) != len(self.rows):
            self._reset()
            self._source = items
            for record in items.values():
                self._index(record)
        return items

    def put(self, key: str, record: R) -> None:
        """`items[key] = record`, indexed (an existing row under `key` is replaced and keeps no position)."""
        items = self.sync()
        old = items.pop(key, None)
        if old is not None:
            self._unindex(old)
        items[key] = record
        self._index(record)

    def pop(self, key: str) -> R | None:
        """Remove and return the row under `key`."""
        items = self.sync()
        record = items.pop(key, None)
        if record is not None:
            self._unindex(record)
        return record

    def touched(self, record: R) -> None:
        """A nested value of the record changed in place: drop its cached bytes."""
        object.__setattr__(record, "_json", None)

    # -- queries ------------------------------------------------------------------------------
    def find(self, name: str, key: Hashable) -> list[R]:
        """Records whose `name` key is `key`, in insertion order."""
        self.sync()
        bucket = self._maps[name].get(key)
        if not bucket:
            return []
        return [self.rows[s] for s in (bucket if len(bucket) == 1 else sorted(bucket))]

    def first(self, name: str, key: Hashable) -> R | None:
        """The earliest record whose `name` key is `key`."""
        self.sync()
        bucket = self._maps[name].get(key)
        return self.rows[min(bucket)] if bucket else None

    def members(self, part: Hashable) -> list[R]:
        """The partition's records in insertion order."""
        self.sync()
        bucket = self._parts.get(part)
        if not bucket:
            return []
        seqs: Iterable[int] = sorted(bucket) if part in self._unsorted else bucket
        return [self.rows[s] for s in seqs]

    def count(self, part: Hashable) -> int:
        """How many records the partition holds."""
        self.sync()
        return len(self._parts.get(part, ()))

    def page(self, part: Hashable, column: str, desc: bool, offset: int, size: int) -> list[R] | None:
        """One page of the partition ordered by `column` (see `ColumnOrder`); None when the column is not served."""
        self.sync()
        orders = self._orders.setdefault(part, {})
        order = orders.get(column)
        if order is None:
            order = orders[column] = ColumnOrder()
            for seq in self._parts.get(part, ()):
                order.add(seq, getattr(self.rows[seq], column))
        seqs = order.page(offset, size, desc)
        return None if seqs is None else [self.rows[s] for s in seqs]

    # -- maintenance -----------------------------------------------------------------------------
    def _index(self, record: R) -> None:
        seq = self._next
        self._next += 1
        object.__setattr__(record, "_table", self)
        object.__setattr__(record, "_seq", seq)
        self.rows[seq] = record
        for name, spec in self._specs.items():
            self._link(name, seq, spec.of(record))
        if self._partition is not None:
            self._enter(seq, record, self._partition.of(record))

    def _unindex(self, record: R) -> None:
        seq: int = record._seq  # type: ignore[attr-defined]
        for name in self._specs:
            self._unlink(name, seq)
        self._leave(seq)
        del self.rows[seq]
        object.__setattr__(record, "_table", None)

    def _link(self, name: str, seq: int, key: Hashable | None) -> None:
        if key is not None:
            self._maps[name].setdefault(key, {})[seq] = None
            self._key_of[name][seq] = key

    def _unlink(self, name: str, seq: int) -> None:
        key = self._key_of[name].pop(seq, None)
        if key is not None:
            bucket = self._maps[name][key]
            del bucket[seq]
            if not bucket:
                del self._maps[name][key]

    def _enter(self, seq: int, record: R, part: Hashable | None) -> None:
        if part is None:
            return
        bucket = self._parts.setdefault(part, {})
        if bucket and next(reversed(bucket)) > seq:
            self._unsorted.add(part)
        bucket[seq] = None
        self._part_of[seq] = part
        for column, order in self._orders.get(part, {}).items():
            order.add(seq, getattr(record, column))

    def _leave(self, seq: int) -> None:
        part = self._part_of.pop(seq, None)
        if part is None:
            return
        bucket = self._parts[part]
        del bucket[seq]
        if not bucket:
            del self._parts[part]
            self._unsorted.discard(part)
        for order in self._orders.get(part, {}).values():
            order.remove(seq)

    def changed(self, record: R, field: str) -> None:
        """A record's attribute was written (called by `Indexed.__setattr__`): move it in the affected maps."""
        seq: int = getattr(record, "_seq", -1)
        if self.rows.get(seq) is not record:
            return  # a copy of a row, or a row the table forgot
        for name in self._watch.get(field, ()):
            key = self._specs[name].of(record)
            if self._key_of[name].get(seq) != key:
                self._unlink(name, seq)
                self._link(name, seq, key)
        if field in self._part_fields and self._partition is not None:
            part = self._partition.of(record)
            if self._part_of.get(seq) != part:
                self._leave(seq)
                self._enter(seq, record, part)
                return
        orders = self._orders.get(self._part_of.get(seq))
        if orders:
            order = orders.get(field)
            if order is not None:
                order.remove(seq)
                order.add(seq, getattr(record, field))


class DueQueue:
    """Keys due at an instant (a heap with lazy invalidation): `pop_due(now)` gives the keys whose time has come,
    in the order they were first scheduled; a key is scheduled again after each pop if it still has a next time."""

    def __init__(self) -> None:
        self.source: object | None = None
        """The state the queue was built from (its owner rebuilds the queue when that was replaced)."""
        self._heap: list[tuple[float, int, Hashable]] = []
        self._due: dict[Hashable, tuple[float, int]] = {}
        self._first: dict[Hashable, int] = {}
        self._counter = 0

    def schedule(self, key: Hashable, at: float | None) -> None:
        """`key` is due at `at` (None: never; it leaves the queue)."""
        if at is None:
            self._due.pop(key, None)
            self._first.pop(key, None)
            return
        self._counter += 1
        self._first.setdefault(key, self._counter)
        entry = (at, self._counter)
        self._due[key] = entry
        heapq.heappush(self._heap, (at, self._counter, key))

    def pop_due(self, now: float) -> list[Hashable]:
        """Remove and return the keys due at `now` or earlier, in first-scheduled order."""
        found: list[Hashable] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            at, counter, key = heapq.heappop(heap)
            if self._due.get(key) == (at, counter):
                del self._due[key]
                found.append(key)
        found.sort(key=lambda k: self._first.get(k, 0))
        return found

    def clear(self) -> None:
        """Forget every key."""
        self._heap.clear()
        self._due.clear()
        self._first.clear()
