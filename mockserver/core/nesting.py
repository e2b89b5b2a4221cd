"""A nesting cap for client JSON the emulator keeps: deeper values are refused before anything is stored."""

from __future__ import annotations

import json
from typing import Any

from mockserver.core.errors import PythonError
from mockserver.core.python_failures import from_exception

MAX_STORED_DEPTH = 100
"""Levels of arrays/objects a decoded client value may have (a body's own object is level 1). Real settings
(`parser_config`, `meta_fields`, chat `prompt`/`llm`, an agent DSL) stay far below; a deeper value would be
kept and then fail every later copy, listing and state-file save (recursive code on a 1,000-frame stack)."""

TOO_DEEP = "maximum recursion depth exceeded"
"""The text of the RecursionError the server's recursive code raises on a value that deep (docs/quirks.md)."""


def too_deep() -> PythonError:
    """The global handler's reply for the RecursionError: code 100, `RecursionError('maximum recursion …')`."""
    return PythonError("RecursionError", TOO_DEEP)


def depth_of(value: Any, limit: int = MAX_STORED_DEPTH) -> int:
    """How many levels of lists/dicts `value` has, counted without recursion; stops once past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list | tuple))
    return deepest


def check_nesting(value: Any, limit: int = MAX_STORED_DEPTH) -> Any:
    """`value` itself when at most `limit` levels deep, else the RecursionError reply."""
    if depth_of(value, limit) > limit:
        raise too_deep()
    return value


def loads_bounded(raw: str | bytes, limit: int = MAX_STORED_DEPTH) -> Any:
    """`json.loads` of client JSON with the nesting cap; a syntax error stays ValueError (the caller decides),
    a nesting past the decoder's own limit is the decoder's RecursionError reply."""
    try:
        value = json.loads(raw)
    except RecursionError as exc:  # the decoder's own limit: its text, as the server's global handler shows it
        raise from_exception(exc) from None
    return check_nesting(value, limit)
