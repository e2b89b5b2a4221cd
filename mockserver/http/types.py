"""Type aliases shared by the HTTP layer, the families and the control plane (as `starlette.types` does)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from mockserver.http.context import RequestContext

Handler = Callable[[RequestContext], Awaitable[Response]]
"""An operation's handler: parse the request, call the store, return an envelope (or raise a `RagflowError`)."""
Next = Callable[[RequestContext], Awaitable[Response]]
"""The rest of the interceptor chain."""
Interceptor = Callable[[RequestContext, Next], Awaitable[Response]]
"""Wraps every operation call (journal, faults, request log): `await interceptor(ctx, call_next)`."""
