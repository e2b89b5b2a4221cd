"""Identifier generation in the real server's formats (UUID1 hex entity ids, UUID4 message ids, API keys)."""

from __future__ import annotations

import threading
import uuid


class IdFactory:
    """Makes entity ids (32-hex UUID1) and message ids (dashed UUID4).

    With a ``seed`` the ids are deterministic (a counter-driven UUID1 / UUID4), which golden
    transcripts and snapshot tests rely on; without one they are the real random kind.
    """

    def __init__(self, seed: int | None = None, start: int = 1) -> None:
        self.seed = seed
        self._counter = start
        self._lock = threading.Lock()

    @property
    def counter(self) -> int:
        """The counter value the next seeded id will use (a snapshot stores it; `start=` resumes from it)."""
        with self._lock:
            return self._counter

    def _next(self) -> int:
        with self._lock:
            n = self._counter
            self._counter += 1
            return n

    def entity(self) -> str:
        """A new dataset/document/chat/session/agent id: UUID1 as 32 lowercase hex characters."""
        if self.seed is None:
            return uuid.uuid1().hex
        n = self._next()
        # 60-bit UUID1 timestamp (100 ns since 1582), from a fixed 2025 instant plus the counter.
        ts = 0x1F02CF0D0000000 + n * 10_000
        node = (0x02AB_0000_0000 | (self.seed & 0xFFFF_FFFF)) & 0xFFFF_FFFF_FFFF
        fields = (ts & 0xFFFFFFFF, (ts >> 32) & 0xFFFF, (ts >> 48) & 0x0FFF, 0x80, self.seed & 0xFF, node)
        return uuid.UUID(fields=fields, version=1).hex

    def message(self) -> str:
        """A message id as completion endpoints create them: UUID4 with dashes."""
        if self.seed is None:
            return str(uuid.uuid4())
        n = self._next()
        return str(uuid.UUID(int=(self.seed << 64 | n) & ((1 << 128) - 1), version=4))

    def token(self, prefix: str = "ragflow-") -> str:
        """An API key in the server's `ragflow-<hex>` shape."""
        if self.seed is None:
            return prefix + uuid.uuid4().hex[:32]
        return prefix + uuid.UUID(int=(self.seed << 80 | self._next()), version=4).hex[:32]
