"""ragflow-mockserver: a faithful, zero-infrastructure emulator of RAGFlow's HTTP API."""

from __future__ import annotations

from mockserver.app import create_app, emulator_state
from mockserver.settings import DEFAULT_API_KEY, Settings

__version__ = "0.1.0"
__all__ = ["DEFAULT_API_KEY", "Settings", "__version__", "create_app", "emulator_state"]
