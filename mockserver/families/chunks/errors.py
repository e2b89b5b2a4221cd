"""CPython 3.10 failure texts the knowledge families need and `core.python_failures` lacks yet (to move there)."""

from __future__ import annotations

from mockserver.core.errors import PythonError


def expected_string() -> PythonError:
    """`re`/the tokenizer on a non-string: `TypeError('expected string or bytes-like object')` (3.12 adds the type)."""
    return PythonError("TypeError", "expected string or bytes-like object")


def unbound_local(name: str) -> PythonError:
    """Reading a local never assigned: 3.10's `UnboundLocalError` text (3.11 rewords it)."""
    return PythonError("UnboundLocalError", f"local variable '{name}' referenced before assignment")
