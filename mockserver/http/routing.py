"""The spec is the routing table: one route per path, each method bound to the handler of its operationId."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.core.errors import RagflowError
from mockserver.http.context import RequestContext
from mockserver.http.envelope import PayloadStyle
from mockserver.http.render import (
    error_response,
    redirect_response,
    styled_method_not_allowed_app,
    styled_not_found_app,
    unexpected_response,
)
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
        self._chains: dict[Handler, tuple[tuple[Interceptor, ...], Next]] = {}

    def chain(self, handler: Handler) -> Next:
        """The handler wrapped in the interceptors, built once per handler (again if the interceptors changed)."""
        current = tuple(self.interceptors)
        built = self._chains.get(handler)
        if built is not None and built[0] == current:
            return built[1]

        async def innermost(c: RequestContext) -> Response:
            return await invoke(c, handler)

        def wrap(call_next: Next, interceptor: Interceptor) -> Next:
            async def step(c: RequestContext) -> Response:
                return await interceptor(c, call_next)

            return step

        chain: Next = reduce(wrap, reversed(current), cast(Next, innermost))
        self._chains[handler] = (current, chain)
        return chain

    async def call(self, ctx: RequestContext, handler: Handler) -> Response:
        """Run a handler through the interceptor chain."""
        chain = self.chain(handler)
        try:
            return await chain(ctx)
        except RagflowError as err:  # raised by an interceptor (a fault rule, the world reloader)
            return error_response(err, ctx.error_style)
        except Exception as exc:  # an interceptor failed (the journal, the reloader): still the global handler
            self.state.record_unexpected(exc, ctx.operation.operation_id)
            return unexpected_response(exc, ctx.error_style)


async def invoke(ctx: RequestContext, handler: Handler) -> Response:
    """Authenticate as the spec says, run the handler, render every error the server's way."""
    try:
        if ctx.operation.security is not None and not ctx.operation.deferred_auth:
            ctx.authenticate()
        return await handler(ctx)
    except RagflowError as err:
        return error_response(err, ctx.error_style)
    except Exception as exc:  # the server's global handler: never a traceback on the wire
        ctx.state.record_unexpected(exc, ctx.operation.operation_id)
        return unexpected_response(exc, ctx.error_style)


@dataclass(frozen=True)
class PathOwner:
    """Who answers for a path's unknown methods: the envelope style of its profile (None: current), Werkzeug's rule."""

    style: PayloadStyle | None = None
    slash_rule: bool = False
    """The rule was defined with a trailing slash: a wrong method on the slash-less path is 404, not 405."""


CURRENT_OWNER = PathOwner()


@dataclass(frozen=True)
class BoundOperation:
    """An operation where it is served (`operation.path`), its handler and its profile's error envelope."""

    operation: Operation
    handler: Handler
    style: PayloadStyle | None = None


class OperationEndpoint:
    """The ASGI endpoint of one path: dispatches by method to the bound operation."""

    def __init__(
        self, dispatcher: Dispatcher, bound: dict[str, BoundOperation], owner: PathOwner = CURRENT_OWNER
    ) -> None:
        self.dispatcher = dispatcher
        self.bound = bound
        self.owner = owner
        self.not_allowed = styled_method_not_allowed_app(owner.style)
        self.not_found = styled_not_found_app(owner.style)

    def accepts(self, method: str) -> bool:
        """Whether a rule of this path takes the method (Flask adds HEAD to GET rules and OPTIONS to all)."""
        return method == "OPTIONS" or ("GET" if method == "HEAD" else method) in self.bound

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        entry = self.bound.get("GET" if method == "HEAD" else method)
        if entry is None:
            slash_less = SENT_PATH not in scope
            await (self.not_found if self.owner.slash_rule and slash_less else self.not_allowed)(scope, receive, send)
            return
        ctx = RequestContext(Request(scope, receive), entry.operation, self.dispatcher.state, error_style=entry.style)
        response = await self.dispatcher.call(ctx, entry.handler)
        await response(scope, receive, send)


def build_bound_routes(
    dispatcher: Dispatcher,
    entries: Iterable[BoundOperation],
    owner_of: Callable[[str], PathOwner] = lambda _path: CURRENT_OWNER,
) -> list[BaseRoute]:
    """One Starlette route per path of already bound operations; literal paths before templated ones so they win."""
    by_path: dict[str, dict[str, BoundOperation]] = {}
    for entry in entries:
        by_path.setdefault(entry.operation.path, {})[entry.operation.method] = entry
    ordered = sorted(by_path, key=lambda p: (p.count("{"), p))
    return [Route(path, OperationEndpoint(dispatcher, by_path[path], owner_of(path))) for path in ordered]


def build_routes(
    dispatcher: Dispatcher, operations: Iterable[Operation], handlers: Mapping[str, Handler]
) -> list[BaseRoute]:
    """One Starlette route per path of the current profile's operations."""
    return build_bound_routes(dispatcher, (BoundOperation(op, handlers[op.operation_id]) for op in operations))


SENT_PATH = "mockserver.path_as_sent"
"""Scope key: the path before the trailing slash was dropped (merged-slash retries start from it)."""

_SLASH_PAIR = re.compile("/{2,}?")
"""Werkzeug's merge pattern: lazy, so each replacement eats exactly two slashes (`///` becomes `//`)."""


def merged_slashes(path: str) -> str:
    """The path Werkzeug retries with when nothing matched the path as sent."""
    return _SLASH_PAIR.sub("/", path)


def _route_accepts(route: BaseRoute, method: str) -> bool:
    endpoint = getattr(route, "endpoint", None)
    if isinstance(endpoint, OperationEndpoint):
        return endpoint.accepts(method)
    methods = getattr(route, "methods", None)
    return methods is None or method in methods


def _slash_rule(route: BaseRoute) -> bool:
    endpoint = getattr(route, "endpoint", None)
    return isinstance(endpoint, OperationEndpoint) and endpoint.owner.slash_rule


class SpecRouter(Router):
    """Starlette's router with an O(1) lookup for literal paths (most of the spec); templated paths scan.

    When no route matches, it retries like Werkzeug's `merge_slashes`: the merged path matching a route for
    this method is a 308 redirect to it; matching only other methods is that route's wrong-method answer;
    anything else goes to `default` (the NotFound body).
    """

    def __init__(self, routes: list[BaseRoute], **kwargs: Any) -> None:
        super().__init__(routes=routes, **kwargs)
        self.literal: dict[str, Route] = {
            r.path: r for r in routes if isinstance(r, Route) and "{" not in r.path and r.methods is None
        }
        self.unmatched: ASGIApp = self.default
        self.default = self.retry_merged_slashes

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        literal = self.literal.get(scope["path"])
        if literal is not None and _route_accepts(literal, scope["method"]):
            scope["route"] = literal
            scope.update({"endpoint": literal.endpoint, "path_params": {}})
            await literal.handle(scope, receive, send)
            return
        found = self.match(scope, self.routes)
        if found is None:
            await self.default(scope, receive, send)
            return
        route, child = found
        scope.update(child)
        await route.handle(scope, receive, send)

    @staticmethod
    def match(scope: Scope, routes: list[BaseRoute]) -> tuple[BaseRoute, Scope] | None:
        """Werkzeug's choice: the first route (literal before templated) matching the path and taking the
        method — a literal rule of other methods does not hide a templated one that takes it — else the first
        route matching the path (its wrong-method answer), else None."""
        other_method: tuple[BaseRoute, Scope] | None = None
        for route in routes:
            match, child = route.matches(scope)
            if match is Match.NONE:
                continue
            if _route_accepts(route, scope["method"]):
                return route, child
            other_method = other_method or (route, child)
        return other_method

    async def retry_merged_slashes(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Werkzeug's second attempt, with runs of slashes merged (see the class docstring)."""
        sent: str = scope.get(SENT_PATH, scope.get("path", ""))
        merged = merged_slashes(sent)
        if scope["type"] != "http" or merged == sent:
            await self.unmatched(scope, receive, send)
            return
        probe = {k: v for k, v in scope.items() if k != SENT_PATH}
        if len(merged) > 1 and merged.endswith("/"):  # what TrailingSlashMiddleware does to a path sent so
            probe.update({"path": merged[:-1], SENT_PATH: merged})
        else:
            probe["path"] = merged
        found = self.match(probe, self.routes)
        if found is None:
            await self.unmatched(scope, receive, send)
            return
        route, child = found
        if _route_accepts(route, scope["method"]) and not (sent == merged + "/" and _slash_rule(route)):
            await redirect_response(Request(scope), merged)(scope, receive, send)
            return
        await route.handle({**probe, **child}, receive, send)  # `x//` of a rule defined as `x/`, or 405


class TrailingSlashMiddleware:
    """Flask with strict_slashes off: `/api/v1/chats/` is `/api/v1/chats` (no redirect); one slash only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope[SENT_PATH] = path
                scope["path"] = path[:-1]
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
