"""The spec is the routing table: one route per path, each method bound to the handler of its operationId."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from functools import reduce
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.core.errors import RagflowError
from mockserver.http.context import RequestContext
from mockserver.http.render import error_response, method_not_allowed_app, unexpected_response
from mockserver.http.spec import Operation
from mockserver.http.types import Handler, Interceptor, Next
from mockserver.state.emulator import EmulatorState

log = logging.getLogger("mockserver")


class RegistryMismatch(RuntimeError):
    """The spec and the handler registry disagree; the app refuses to start."""


def check_registry(operations: Iterable[Operation], handlers: Mapping[str, Handler]) -> None:
    """Every operationId must have exactly one handler and every handler an operation."""
    op_ids = [op.operation_id for op in operations]
    duplicates = sorted({o for o in op_ids if op_ids.count(o) > 1})
    missing = sorted(set(op_ids) - set(handlers))
    extra = sorted(set(handlers) - set(op_ids))
    problems = []
    if duplicates:
        problems.append(f"duplicate operationIds in the spec: {', '.join(duplicates)}")
    if missing:
        problems.append(f"operations without a handler: {', '.join(missing)}")
    if extra:
        problems.append(f"handlers without an operation: {', '.join(extra)}")
    if problems:
        raise RegistryMismatch("; ".join(problems))


class Dispatcher:
    """Runs an operation: the interceptor chain (outermost first), authentication, the handler, error rendering."""

    def __init__(self, state: EmulatorState, interceptors: Iterable[Interceptor] = ()) -> None:
        self.state = state
        self.interceptors: list[Interceptor] = list(interceptors)

    async def call(self, ctx: RequestContext, handler: Handler) -> Response:
        """Run a handler through the interceptor chain."""

        async def innermost(c: RequestContext) -> Response:
            return await invoke(c, handler)

        def wrap(call_next: Next, interceptor: Interceptor) -> Next:
            async def step(c: RequestContext) -> Response:
                return await interceptor(c, call_next)

            return step

        chain: Next = reduce(wrap, reversed(self.interceptors), cast(Next, innermost))
        try:
            return await chain(ctx)
        except RagflowError as err:  # raised by an interceptor (a fault rule, the world reloader)
            return error_response(err)
        except Exception as exc:  # an interceptor failed (the journal, the reloader): still the global handler
            self.state.record_unexpected(exc, ctx.operation.operation_id)
            return unexpected_response(exc)


async def invoke(ctx: RequestContext, handler: Handler) -> Response:
    """Authenticate as the spec says, run the handler, render every error the server's way."""
    try:
        if ctx.operation.security is not None and not ctx.operation.deferred_auth:
            ctx.authenticate()
        return await handler(ctx)
    except RagflowError as err:
        return error_response(err)
    except Exception as exc:  # the server's global handler: never a traceback on the wire
        ctx.state.record_unexpected(exc, ctx.operation.operation_id)
        return unexpected_response(exc)


class OperationEndpoint:
    """The ASGI endpoint of one path: dispatches by method to the bound operation."""

    def __init__(self, dispatcher: Dispatcher, bound: dict[str, tuple[Operation, Handler]]) -> None:
        self.dispatcher = dispatcher
        self.bound = bound

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        entry = self.bound.get("GET" if method == "HEAD" else method)
        if entry is None:
            await method_not_allowed_app(scope, receive, send)
            return
        operation, handler = entry
        ctx = RequestContext(Request(scope, receive), operation, self.dispatcher.state)
        response = await self.dispatcher.call(ctx, handler)
        await response(scope, receive, send)


def build_routes(
    dispatcher: Dispatcher, operations: Iterable[Operation], handlers: Mapping[str, Handler]
) -> list[BaseRoute]:
    """One Starlette route per path; literal paths before templated ones so they win."""
    by_path: dict[str, dict[str, tuple[Operation, Handler]]] = {}
    for op in operations:
        by_path.setdefault(op.path, {})[op.method] = (op, handlers[op.operation_id])
    ordered = sorted(by_path, key=lambda p: (p.count("{"), p))
    return [Route(path, OperationEndpoint(dispatcher, by_path[path])) for path in ordered]


class SpecRouter(Router):
    """Starlette's router with an O(1) lookup for literal paths (most of the spec); templated paths scan."""

    def __init__(self, routes: list[BaseRoute], **kwargs: Any) -> None:
        super().__init__(routes=routes, **kwargs)
        self.literal: dict[str, Route] = {
            r.path: r for r in routes if isinstance(r, Route) and "{" not in r.path and r.methods is None
        }

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            route = self.literal.get(scope["path"])
            if route is not None:
                scope.setdefault("router", self)
                scope["route"] = route
                scope.update({"endpoint": route.endpoint, "path_params": {}})
                await route.handle(scope, receive, send)
                return
        await super().app(scope, receive, send)


class TrailingSlashMiddleware:
    """Flask with strict_slashes off: `/api/v1/chats/` is `/api/v1/chats` (no redirect)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path.rstrip("/") or "/"
        await self.app(scope, receive, send)


async def timed(ctx: RequestContext, call_next: Next) -> Response:
    """Interceptor that logs method, path, operationId, code and duration."""
    started = time.perf_counter()
    response = await call_next(ctx)
    code = getattr(response, "code", None)
    log.info(
        "%s %s %s code=%s status=%s %.1fms",
        ctx.request.method,
        ctx.request.url.path,
        ctx.operation.operation_id,
        "-" if code is None else code,
        response.status_code,
        (time.perf_counter() - started) * 1000,
    )
    return response
