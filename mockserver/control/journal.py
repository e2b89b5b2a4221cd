"""The journal interceptor: records every emulated-API call into the app's `Journal`."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.http.context import RequestContext
from mockserver.http.types import Next
from mockserver.state.emulator import EmulatorState
from mockserver.state.journal import BODY_SUMMARY_LIMIT, summarise_body

log = logging.getLogger("mockserver")

_URL_SPECIAL = re.compile(r"[?#\\\t\r\n]")
"""Characters Starlette's URL escapes or `urlsplit` drops or splits on (such paths take the URL object)."""
_HOST_SPECIAL = re.compile(rb"[/?#\\\t\r\n]")
"""Host-header bytes that would move the split between netloc and path."""


def _plain_host(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key == b"host":
            return _HOST_SPECIAL.search(value) is None
    return True


def path_and_query(request: Request) -> tuple[str, str]:
    """`request.url.path` and `request.url.query`, without building the URL when the scope's parts are plain."""
    scope = request.scope
    path: str = scope["path"]
    raw: bytes = scope.get("query_string", b"")
    plain = not path.startswith("//") and not _URL_SPECIAL.search(path) and b"#" not in raw
    if plain and raw.isascii() and _plain_host(scope["headers"]):
        query = raw.decode()
        if not _URL_SPECIAL.search(query):
            return path, query
    return request.url.path, request.url.query


def _summary(ctx: RequestContext) -> object:
    body = ctx.read_body
    if body is None:
        return None
    head = body.head(BODY_SUMMARY_LIMIT)
    return summarise_body(head, ctx.request.headers.get("content-type"), size=body.size, decoded=ctx.decoded_json)


async def journal_interceptor(ctx: RequestContext, call_next: Next) -> Response:
    """Interceptor recording every emulated-API call (the control plane's own calls are not recorded)."""
    if ctx.is_control_plane:
        return await call_next(ctx)
    started = time.perf_counter()
    at = ctx.state.clock.now()
    response = await call_next(ctx)
    code = getattr(response, "code", None)
    path, query = path_and_query(ctx.request)
    ctx.state.journal.record(
        operation_id=ctx.operation.operation_id,
        method=ctx.request.method,
        path=path,
        query=query,
        tenant_id=ctx.caller_tenant_id(),
        status=response.status_code,
        code=code if isinstance(code, int) else None,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        body=_summary(ctx),
        at=at,
    )
    return response


UNKNOWN_ROUTE = "unknownRoute"
"""The journal's operation id for a request no route of the spec matched (no spec operation has it)."""


def unknown_route_recorder(state: EmulatorState, not_found: ASGIApp) -> ASGIApp:
    """The router's default, wrapped: every request to an unknown route is logged (warning) and journaled."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await not_found(scope, receive, send)
            return
        started = time.perf_counter()
        at = state.clock.now()
        reply: dict[str, Any] = {"status": 0, "body": b""}

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                reply["status"] = message["status"]
            elif message["type"] == "http.response.body":
                reply["body"] += message.get("body", b"")
            await send(message)

        await not_found(scope, receive, watched)
        method, path = scope["method"], scope["path"]
        log.warning(
            "unknown route %s %s -> %s (not in the spec; `ragflow-mock routes` lists them)",
            method,
            path,
            reply["status"],
        )
        try:
            code = json.loads(reply["body"]).get("code")
        except (ValueError, AttributeError):
            code = None
        state.journal.record(
            operation_id=UNKNOWN_ROUTE,
            method=method,
            path=path,
            query=scope.get("query_string", b"").decode("latin-1"),
            tenant_id=None,
            status=reply["status"],
            code=code if isinstance(code, int) else None,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            body=None,
            at=at,
        )

    return app
