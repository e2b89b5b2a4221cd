"""How the server's handlers fail on forced-JSON bodies of the wrong shape (Python reprs, code 100)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mockserver.errors import PythonError, none_has_no_get, none_not_iterable


def _type_name(value: Any) -> str:
    return type(value).__name__


def gettable(body: Any) -> dict[str, Any]:
    """A body the handler calls `.get` on: anything but an object crashes with AttributeError."""
    if isinstance(body, dict):
        return body
    if body is None:
        raise none_has_no_get()
    raise PythonError("AttributeError", f"'{_type_name(body)}' object has no attribute 'get'")


def keyed(body: Any, keys: Iterable[str]) -> dict[str, Any]:
    """A body the handler tests with `key in body` and then indexes: wrong shapes crash as in Python."""
    if isinstance(body, dict):
        return body
    if body is None:
        raise none_not_iterable()
    if not isinstance(body, list | str):
        raise PythonError("TypeError", f"argument of type '{_type_name(body)}' is not iterable")
    if any(key in body for key in keys):
        if isinstance(body, str):
            raise PythonError("TypeError", "string indices must be integers")
        raise PythonError("TypeError", "list indices must be integers or slices, not str")
    return {}


def py_int(value: Any) -> int:
    """Python's `int(value)` on a JSON value, failing with the server's repr."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise PythonError(type(exc).__name__, str(exc)) from None


def joined(items: list[Any], separator: str) -> str:
    """`separator.join(items)`: a non-string item fails with the server's TypeError repr."""
    try:
        return separator.join(items)
    except TypeError as exc:
        raise PythonError("TypeError", str(exc)) from None


def no_attribute(value: Any, attribute: str) -> PythonError:
    """The AttributeError of calling a string method on a non-string value."""
    return PythonError("AttributeError", f"'{_type_name(value)}' object has no attribute '{attribute}'")
