"""Crashes of the knowledge routes: CPython 3.10 texts `core.python_failures` lacks yet, a search-client error."""

from __future__ import annotations

from mockserver.core.errors import PythonError


def unbound_local(name: str) -> PythonError:
    """Reading a local never assigned: 3.10's `UnboundLocalError` text (3.11 rewords it)."""
    return PythonError("UnboundLocalError", f"local variable '{name}' referenced before assignment")


def negative_slicing() -> PythonError:
    """The document store client's `ValueError` for a search window starting before 0."""
    return PythonError("ValueError", "Search does not support negative slicing.")
