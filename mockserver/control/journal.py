"""The journal interceptor: records every emulated-API call into the app's `Journal`."""

from __future__ import annotations

import time

from starlette.responses import Response

from mockserver.http.context import RequestContext
from mockserver.http.types import Next
from mockserver.state.journal import BODY_SUMMARY_LIMIT, summarise_body


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
    ctx.state.journal.record(
        operation_id=ctx.operation.operation_id,
        method=ctx.request.method,
        path=ctx.request.url.path,
        query=ctx.request.url.query,
        tenant_id=ctx.caller_tenant_id(),
        status=response.status_code,
        code=code if isinstance(code, int) else None,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        body=_summary(ctx),
        at=at,
    )
    return response
