"""The web/legacy handlers' argument guard (`validate_request`) and Python-faithful body indexing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.errors import ArgumentError, PythonError

if TYPE_CHECKING:
    from mockserver.context import RequestContext


async def require_arguments(ctx: RequestContext, *names: str) -> Any:
    """`validate_request(*names)`: presence only, in `request.json or request.form`; returns what it checked.

    Missing keys answer 101 `required argument are missing: a,b; ` (absent keys only, in the given order).
    """
    body = await ctx.json_forced()
    checked: Any = body if body else dict((await ctx.form()).items())
    if not isinstance(checked, dict | list | str):
        raise PythonError("TypeError", f"argument of type '{type(checked).__name__}' is not iterable")
    missing = [name for name in names if name not in checked]
    if missing:
        raise ArgumentError(f"required argument are missing: {','.join(missing)}; ", data=None)
    return checked


def item(body: Any, key: str) -> Any:
    """`body[key]` with the exception Python 3.10 raises for a body of the wrong shape."""
    if isinstance(body, dict):
        if key not in body:
            raise PythonError("KeyError", key)
        return body[key]
    if body is None or isinstance(body, int | float | bool):
        raise PythonError("TypeError", f"'{type(body).__name__}' object is not subscriptable")
    if isinstance(body, list):
        raise PythonError("TypeError", "list indices must be integers or slices, not str")
    raise PythonError("TypeError", "string indices must be integers")


def get(body: Any, key: str, default: Any = None) -> Any:
    """`body.get(key, default)` with the AttributeError a non-dict body raises."""
    if isinstance(body, dict):
        return body.get(key, default)
    raise PythonError("AttributeError", f"'{type(body).__name__}' object has no attribute 'get'")
