"""The core: errors as values, CPython texts, ids, clock, lifecycle, text, search, SSE (stdlib and pydantic only)."""
