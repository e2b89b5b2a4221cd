"""ragflow-mockserver: a faithful, zero-infrastructure emulator of RAGFlow's HTTP API."""

from __future__ import annotations

from mockserver.app import create_app, emulator_state
from mockserver.settings import DEFAULT_API_KEY, Settings
from mockserver.version import __version__

__all__ = ["DEFAULT_API_KEY", "Settings", "__version__", "create_app", "emulator_state"]
