"""ragflow-mockserver: a faithful, zero-infrastructure emulator of RAGFlow's HTTP API."""

from __future__ import annotations

from typing import Any

from mockserver.settings import DEFAULT_API_KEY, Settings
from mockserver.version import __version__

__all__ = ["DEFAULT_API_KEY", "Settings", "__version__", "create_app", "emulator_state"]

_FROM_APP = frozenset({"create_app", "emulator_state"})


def __getattr__(name: str) -> Any:
    """`from mockserver import create_app`: the app (and Starlette) load on first use, so a store imports alone."""
    if name in _FROM_APP:
        from mockserver import app

        return getattr(app, name)
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
