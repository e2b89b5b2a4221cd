"""How `serve` and `ThreadedServer` run uvicorn so slow or hostile clients cannot exhaust the process.

- **Header-read timeout**: uvicorn arms no timer before a request's headers have arrived (its keep-alive timer
  only starts after a response and any byte cancels it), so a client that sends half a request holds its socket
  forever. `GuardedH11Protocol` closes a connection that has no request in progress `header_timeout` seconds
  after it opened or after its last response, however slowly it trickles bytes.
- **Connection cap**: past `max_connections` open connections (kept below the file-descriptor limit, which is
  raised to its hard maximum) a new connection gets a bare 503 and is closed at once, so accepting never fails
  with EMFILE; uvicorn's `limit_concurrency` answers 503 to requests past it.
- **Log rate limiting**: `RateLimitFilter` lets each message template through `burst` times a `window` and then
  counts what it drops (a flood of identical EMFILE tracebacks was 66 MB in 10 s).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from mockserver.serve_limits import ServeLimits

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

FD_RESERVE = 64
"""File descriptors left for everything but client sockets (state file, spooled bodies, logs)."""
BUSY_REPLY = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def raise_fd_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard one; returns the soft limit now in force (0 if unknown)."""
    if resource is None:
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return int(soft) if soft != resource.RLIM_INFINITY else 0


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header-read deadline and a connection cap (see the module docstring)."""

    header_timeout: float = ServeLimits.header_timeout
    max_connections: int = ServeLimits.max_connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.write(BUSY_REPLY)
            transport.close()
            return
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _serving(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _header_timed_out(self) -> None:
        self._header_deadline = None
        if not self._serving() and not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self._serving():
            self._cancel_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)


def guarded_protocol(limits: ServeLimits) -> type[GuardedH11Protocol]:
    """A `GuardedH11Protocol` class bound to these limits (uvicorn instantiates the class it is given)."""
    fd_limit = raise_fd_limit()
    cap = limits.max_connections if fd_limit <= FD_RESERVE else min(limits.max_connections, fd_limit - FD_RESERVE)
    attributes = {"header_timeout": limits.header_timeout, "max_connections": cap}
    return type("GuardedH11Protocol", (GuardedH11Protocol,), attributes)


class RateLimitFilter(logging.Filter):
    """Let each (logger, message template) through `burst` times per `window` seconds; count the rest and say so
    on the next record that passes."""

    MAX_KEYS = 1024

    def __init__(self, burst: int = 10, window: float = 60.0) -> None:
        super().__init__()
        self.burst = burst
        self.window = window
        self._seen: dict[tuple[str, str], list[float]] = {}
        """key → [window start, passed in window, suppressed since last pass]."""

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        entry = self._seen.get(key)
        if entry is None or now - entry[0] >= self.window:
            if len(self._seen) >= self.MAX_KEYS:
                self._seen.clear()
            suppressed = 0 if entry is None else int(entry[2])
            self._seen[key] = [now, 1, 0]
            if suppressed:
                record.msg = f"{record.msg} [{suppressed} similar messages suppressed]"
            return True
        if entry[1] < self.burst:
            entry[1] += 1
            return True
        entry[2] += 1
        return False


def install_log_rate_limit(burst: int = 10, window: float = 60.0) -> RateLimitFilter:
    """Put one `RateLimitFilter` on every handler of the root logger (uvicorn, asyncio and the emulator log there)."""
    limiter = RateLimitFilter(burst, window)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig()
    for handler in root.handlers:
        handler.addFilter(limiter)
    return limiter


def uvicorn_config(app: ASGIApp, limits: ServeLimits, **options: Any) -> uvicorn.Config:
    """A uvicorn `Config` with the limits: guarded protocol, keep-alive timeout, concurrency limit."""
    return uvicorn.Config(
        app,
        http=guarded_protocol(limits),
        timeout_keep_alive=max(1, round(limits.keep_alive_timeout)),
        limit_concurrency=limits.limit_concurrency,
        access_log=False,
        **options,
    )
