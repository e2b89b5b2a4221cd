"""The call journal as data: one entry per operation call (who, what, outcome, duration) and assertion helpers."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

BODY_SUMMARY_LIMIT = 2000
"""Longest request-body summary kept per entry (characters)."""
DEFAULT_CAPACITY = 10_000
"""Entries kept per app; the oldest are dropped first."""


@dataclass(frozen=True)
class JournalEntry:
    """One recorded operation call."""

    seq: int
    operation_id: str
    method: str
    path: str
    query: str
    tenant_id: str | None
    status: int
    code: int | None
    duration_ms: float
    body: Any
    """The request body: parsed JSON when it was JSON, a short description otherwise, None when not read."""
    at: float
    """Emulator clock time of the call (epoch seconds)."""

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict (what the control plane returns)."""
        return asdict(self)


NOT_DECODED: Any = object()
"""`summarise_body(decoded=…)` when no handler decoded the body as JSON."""


def summarise_body(
    head: bytes | None, content_type: str | None, *, size: int | None = None, decoded: Any = NOT_DECODED
) -> Any:
    """Parsed JSON for JSON bodies, `<multipart N bytes>`/`<N bytes>` for others, None for none.

    `head` is the body (or its first `BODY_SUMMARY_LIMIT` bytes when `size` says it is longer); `decoded` is the
    JSON value the handler already decoded (None: not JSON). Only a short body nobody decoded is decoded here,
    and a failure to decode it just makes the summary text.
    """
    size = len(head or b"") if size is None else size
    if head is None or size == 0:
        return None
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime.startswith("multipart/"):
        return f"<{mime} {size} bytes>"
    if decoded is NOT_DECODED:
        if size > BODY_SUMMARY_LIMIT and mime.endswith("json"):
            return f"<JSON {size} bytes>"
        decoded = _short_json(head) if size <= BODY_SUMMARY_LIMIT else None
    if decoded is None:
        text = head[:BODY_SUMMARY_LIMIT].decode("utf-8", "replace")
        return text if size <= BODY_SUMMARY_LIMIT else f"{text}… <{size} bytes>"
    if size > BODY_SUMMARY_LIMIT:
        return f"<JSON {size} bytes>"
    return decoded


def _short_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


class JournalAssertionError(AssertionError):
    """A journal expectation failed (shows what was called instead)."""


class Journal:
    """Thread-safe, bounded record of operation calls for one app."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._seq = 0

    def record(self, **values: Any) -> JournalEntry:
        """Append an entry (sequence number assigned here)."""
        with self._lock:
            self._seq += 1
            entry = JournalEntry(seq=self._seq, **values)
            self._entries.append(entry)
            return entry

    def entries(
        self, operation_id: str | None = None, *, tenant_id: str | None = None, since: int = 0
    ) -> list[JournalEntry]:
        """Entries in call order, optionally only one operation, one tenant, or after sequence `since`."""
        with self._lock:
            found = list(self._entries)
        return [
            e
            for e in found
            if e.seq > since
            and (operation_id is None or e.operation_id == operation_id)
            and (tenant_id is None or e.tenant_id == tenant_id)
        ]

    def clear(self, tenant_id: str | None = None) -> int:
        """Forget every entry (or only one tenant's); returns how many were removed."""
        with self._lock:
            before = len(self._entries)
            if tenant_id is None:
                self._entries.clear()
            else:
                kept = [e for e in self._entries if e.tenant_id != tenant_id]
                self._entries.clear()
                self._entries.extend(kept)
            return before - len(self._entries)

    # -- assertions --------------------------------------------------------------------------------
    def count(self, operation_id: str, *, tenant_id: str | None = None) -> int:
        """How many times an operation was called."""
        return len(self.entries(operation_id, tenant_id=tenant_id))

    def last(self, operation_id: str | None = None, *, tenant_id: str | None = None) -> JournalEntry:
        """The most recent call (of one operation); fails clearly when there is none."""
        found = self.entries(operation_id, tenant_id=tenant_id)
        if not found:
            raise JournalAssertionError(f"{operation_id or 'no operation'} was never called; {self._seen(tenant_id)}")
        return found[-1]

    def assert_called(
        self, operation_id: str, times: int | None = None, *, tenant_id: str | None = None
    ) -> list[JournalEntry]:
        """Fail unless the operation was called (exactly `times` times when given); returns its calls."""
        found = self.entries(operation_id, tenant_id=tenant_id)
        if times is None and not found:
            raise JournalAssertionError(f"{operation_id} was never called; {self._seen(tenant_id)}")
        if times is not None and len(found) != times:
            raise JournalAssertionError(
                f"{operation_id} was called {len(found)} time(s), expected {times}; {self._seen(tenant_id)}"
            )
        return found

    def assert_not_called(self, operation_id: str, *, tenant_id: str | None = None) -> None:
        """Fail if the operation was called at all."""
        self.assert_called(operation_id, times=0, tenant_id=tenant_id)

    def _seen(self, tenant_id: str | None) -> str:
        calls = [
            f"{e.operation_id}→{e.code if e.code is not None else e.status}"
            for e in self.entries(None, tenant_id=tenant_id)
        ]
        if not calls:
            return "no calls were recorded"
        shown = ", ".join(calls[-20:])
        return f"calls recorded: {shown}" if len(calls) <= 20 else f"last 20 of {len(calls)} calls: {shown}"
