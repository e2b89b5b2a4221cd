"""Durable `serve --state-file`: every acknowledged write is in the file before its reply ends (group commit)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.control.snapshot import load, take_snapshot, write_state_bytes
from mockserver.core.jsonbytes import json_utf8
from mockserver.state.emulator import EmulatorState

log = logging.getLogger("mockserver.state_file")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that acknowledge no write (the state they advance — parse progress — is saved with the next write)."""


def stale_temp_files(path: str | Path) -> list[Path]:
    """Temp files an interrupted save of this state file left behind (`.<name>.<random>.tmp`)."""
    target = Path(path)
    if not target.parent.is_dir():
        return []
    return sorted(p for p in target.parent.glob(f".{target.name}.*.tmp") if p.is_file())


class StateFile:
    """The state file of one app: loaded at start, rewritten atomically after writes, saved at exit.

    `flush()` returns once a save that began after the call has reached the disk (fsync + atomic rename), so a
    reply sent after it survives `kill -9`. Concurrent writers share saves: while one save runs, every write that
    arrives waits for the next one, which covers them all. The snapshot is taken on the event loop (a consistent
    instant between handler steps, proportional to the state's size); encoding to JSON, writing and fsync run
    in a worker thread. A save whose JSON equals the last one written is skipped.
    """

    def __init__(self, state: EmulatorState, path: str | Path) -> None:
        self.state = state
        self.path = Path(path)
        self.requested = 0
        """Saves asked for (one per acknowledged write)."""
        self.completed = 0
        """The highest request number a finished save covers."""
        self.saves = 0
        """Saves that wrote the file (unchanged state is not rewritten)."""
        self.failures = 0
        """Saves that failed (logged; the reply still goes out)."""
        self._running: asyncio.Future[None] | None = None
        self._digest: bytes | None = None

    # -- start and exit --------------------------------------------------------------------------
    def open(self) -> bool:
        """Remove stale temp files of earlier runs, then load the file if it exists; True when state was loaded."""
        for stale in stale_temp_files(self.path):
            stale.unlink(missing_ok=True)
            log.warning("removed %s, left by an interrupted save", stale)
        if not self.path.exists():
            return False
        load(self.state, self.path)
        return True

    def save_now(self) -> None:
        """Save synchronously (at exit, when no request runs any more)."""
        self._write(self._encode(take_snapshot(self.state)))

    # -- while serving ---------------------------------------------------------------------------
    async def flush(self) -> None:
        """Return when the state as of this call is in the file."""
        self.requested += 1
        wanted = self.requested
        while self.completed < wanted:
            if self._running is None:
                self._running = asyncio.ensure_future(self._save_once())
            await asyncio.shield(self._running)

    async def _save_once(self) -> None:
        covers = self.requested
        try:
            snapshot = take_snapshot(self.state)
            await asyncio.to_thread(self._write, self._encode(snapshot))
        except Exception:  # a failed save must not break the reply; the next write tries again
            self.failures += 1
            log.exception("saving the state file %s failed", self.path)
        finally:
            self.completed = max(self.completed, covers)
            self._running = None

    @staticmethod
    def _encode(snapshot: dict[str, Any]) -> str:
        return json.dumps(snapshot, ensure_ascii=False)

    def _write(self, text: str) -> None:
        data = json_utf8(text)  # a lone surrogate in client text is written as its escape
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if digest == self._digest and self.path.exists():
            return
        write_state_bytes(self.path, data)
        self._digest = digest
        self.saves += 1


class DurableWrites:
    """ASGI middleware: the last body message of a write's reply waits for `StateFile.flush()`.

    Streams included: a streamed completion persists its turn before its final message, so the turn is saved
    before the client sees the stream end. A reply that never ends (client gone, a disconnect fault) is saved
    after the app returns."""

    def __init__(self, app: ASGIApp, state_file: StateFile) -> None:
        self.app = app
        self.state_file = state_file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in READ_METHODS:
            await self.app(scope, receive, send)
            return
        flushed = False

        async def durable_send(message: Message) -> None:
            nonlocal flushed
            if message["type"] == "http.response.body" and not message.get("more_body", False) and not flushed:
                flushed = True
                await self.state_file.flush()
            await send(message)

        try:
            await self.app(scope, receive, durable_send)
        finally:
            if not flushed:
                await self.state_file.flush()
