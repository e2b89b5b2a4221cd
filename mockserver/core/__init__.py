"""The core: errors as values, CPython-failure texts, ids, clock, lifecycle, text analysis, search, SSE frames (stdlib and pydantic only)."""
