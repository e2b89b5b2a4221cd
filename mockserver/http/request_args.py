"""The web/legacy handlers' argument guard (`validate_request`): presence of arguments in the JSON body or form."""

from __future__ import annotations

from typing import Any

from mockserver.core.errors import ArgumentError
from mockserver.core.python_failures import not_a_container
from mockserver.http.context import RequestContext


async def require_arguments(ctx: RequestContext, *names: str) -> Any:
    """`validate_request(*names)`: presence only, in `request.json or request.form`; returns what it checked.

    Missing keys answer 101 `required argument are missing: a,b; ` (absent keys only, in the given order).
    """
    body = await ctx.json_forced()
    checked: Any = body if body else dict((await ctx.form()).items())
    if not isinstance(checked, dict | list | str):
        raise not_a_container(checked)
    missing = [name for name in names if name not in checked]
    if missing:
        raise ArgumentError(f"required argument are missing: {','.join(missing)}; ", data=None)
    return checked
