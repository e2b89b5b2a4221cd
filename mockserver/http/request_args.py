"""The web/legacy handlers' argument guard (`validate_request`): presence of arguments in the JSON body or form."""

from __future__ import annotations

from typing import Any

from mockserver.core.errors import ArgumentError, WerkzeugError
from mockserver.core.python_failures import not_a_container
from mockserver.http.bodies import loads, off_loop
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


async def flask_get_json(ctx: RequestContext) -> Any:
    """Flask's plain `request.get_json()` (the web list routes): a JSON content type and a valid body, or the
    Werkzeug error the global handler renders (415 / 400 reprs, code 100)."""
    content_type = ctx.request.headers.get("content-type") or ""
    mime = content_type.split(";", 1)[0].strip().lower()
    if not (mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))):
        raise WerkzeugError("UnsupportedMediaType", 415, "Unsupported Media Type")
    raw = await ctx.body()
    try:
        return await off_loop(await ctx.read(), loads, raw)  # too deep: the RecursionError reply, as the server
    except ValueError:
        raise WerkzeugError("BadRequest", 400, "Bad Request") from None


def query_arg(ctx: RequestContext, name: str) -> str:
    """`request.args[name]`: an absent key is Werkzeug's BadRequestKeyError (code 100 through the global handler)."""
    value = ctx.query.get(name)
    if value is None:
        raise WerkzeugError("BadRequestKeyError", 400, "Bad Request")
    return value
