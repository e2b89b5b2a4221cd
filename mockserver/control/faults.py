"""The fault interceptor: applies the first matching response/delay rule of the app's `FaultRegistry`."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.http.context import RequestContext
from mockserver.http.envelope import EnvelopeResponse
from mockserver.http.types import Next
from mockserver.state.faults import DEFAULT_FAULT_MESSAGE, FaultSpec


def fault_response(spec: FaultSpec) -> Response:
    """The envelope a replacing rule answers: `{"code":c,"message":m}` with the given HTTP status."""
    code = spec.code if spec.code is not None else 100
    return EnvelopeResponse({"code": code, "message": spec.message or DEFAULT_FAULT_MESSAGE}, spec.status or 200)


async def fault_interceptor(ctx: RequestContext, call_next: Next) -> Response:
    """Interceptor applying the first matching response/delay rule to an emulated-API call."""
    if ctx.is_control_plane:
        return await call_next(ctx)
    rule = ctx.state.faults.match(ctx.operation.operation_id, ctx.caller_tenant_id())
    if rule is None:
        return await call_next(ctx)
    if rule.spec.delay:
        await ctx.state.clock.sleep(rule.spec.delay)
    if rule.spec.replaces_response:
        return fault_response(rule.spec)
    return await call_next(ctx)
