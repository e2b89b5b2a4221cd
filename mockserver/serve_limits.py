"""`ServeLimits`: the connection limits of a served emulator, as data (importing it loads no server)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeLimits:
    """Connection limits of a served emulator (the `serve` flags of the same names)."""

    header_timeout: float = 10.0
    """Seconds a connection may take to send a request's headers (from connect, or from its last response)."""
    keep_alive_timeout: float = 5.0
    """uvicorn's `timeout_keep_alive`: idle seconds before a kept-alive connection is closed."""
    limit_concurrency: int = 4096
    """uvicorn's `limit_concurrency`: past this many connections or tasks, requests get 503 (uvicorn counts idle
    and half-sent connections too, so it is not set below `max_connections`: those are cut by the timeouts)."""
    max_connections: int = 4096
    """Open connections accepted at once (capped below the file-descriptor limit); more are closed at once."""
