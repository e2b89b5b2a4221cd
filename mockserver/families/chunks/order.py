"""The list order of each document's chunks (page, top, newest first, insertion), kept sorted as chunks change."""

from __future__ import annotations

from typing import Any, Protocol

from sortedcontainers import SortedList

from mockserver.core.indexes import Derived

_LAST = float("inf")


class Positioned(Protocol):
    """What the order reads of a chunk."""

    id: str
    page_num_int: list[int] | None
    top_int: list[int] | None
    create_timestamp_flt: float


def order_key(chunk: Positioned, seq: int) -> tuple[Any, ...]:
    """A chunk's place in its document's list: first page, first top, newest first, then insertion."""
    page = min(chunk.page_num_int) if chunk.page_num_int else _LAST
    top = min(chunk.top_int) if chunk.top_int else _LAST
    return (page, top, -chunk.create_timestamp_flt, seq, chunk.id)


class DocumentOrders(Derived):
    """Per document, its chunks' keys in a sorted list (built on a document's first listing, then maintained):
    a page costs O(log n + page), a write O(log n)."""

    def __init__(self) -> None:
        self._orders: dict[str, SortedList] = {}
        self._keys: dict[str, tuple[Any, ...]] = {}
        self._source: object | None = None

    def sync(self, source: object) -> DocumentOrders:
        """Forget every order when the store's per-document map was replaced (snapshot restore)."""
        if source is not self._source:
            self._orders.clear()
            self._keys.clear()
            self._source = source
        return self

    def built(self, doc_id: str) -> bool:
        """Whether the document's order exists (else it is built from all its chunks on first use)."""
        return doc_id in self._orders

    def build(self, doc_id: str, keys: list[tuple[Any, ...]]) -> None:
        """Start a document's order from every chunk's key."""
        self._orders[doc_id] = SortedList(keys)
        for key in keys:
            self._keys[key[-1]] = key

    def place(self, doc_id: str, chunk: Positioned, seq: int) -> None:
        """A chunk was added or rewritten: (re)insert it where its key now sorts (no-op if not built)."""
        order = self._orders.get(doc_id)
        if order is None:
            return
        key = order_key(chunk, seq)
        old = self._keys.get(chunk.id)
        if old == key:
            return
        if old is not None:
            order.discard(old)
        order.add(key)
        self._keys[chunk.id] = key

    def drop(self, doc_id: str, chunk_id: str) -> None:
        """A chunk left the document."""
        key = self._keys.pop(chunk_id, None)
        order = self._orders.get(doc_id)
        if order is not None and key is not None:
            order.discard(key)
            if not order:
                del self._orders[doc_id]

    def ids(self, doc_id: str, start: int = 0, stop: int | None = None) -> list[str]:
        """Chunk ids of `[start, stop)` of a built document's list."""
        order = self._orders.get(doc_id)
        if order is None:
            return []
        return [key[-1] for key in order[start:stop]]

    def size(self, doc_id: str) -> int:
        """How many chunks a built document's list holds."""
        order = self._orders.get(doc_id)
        return 0 if order is None else len(order)
