"""`create_app(settings)`: the Starlette application, its state, middleware and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import reduce
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from mockserver.admin import install_control_plane
from mockserver.answers import engine_of
from mockserver.backend import Backends
from mockserver.context import RequestContext
from mockserver.docs_page import docs_routes
from mockserver.resources import PENDING, collect_handlers
from mockserver.routing import (
    Handler,
    Interceptor,
    SpecRouter,
    TrailingSlashMiddleware,
    build_routes,
    check_registry,
    invoke,
    not_found_app,
    timed,
)
from mockserver.settings import Settings
from mockserver.spec import Operation, load_operations

log = logging.getLogger("mockserver")


class EmulatorState:
    """Everything one app instance owns: settings, the state root, operations and interceptors."""

    def __init__(self, settings: Settings, operations: list[Operation]) -> None:
        self.settings = settings
        self.backends = Backends(settings)
        self.operations = operations
        self.interceptors: list[Interceptor] = [timed] if settings.request_log else []
        self.unexpected: list[BaseException] = []
        """Exceptions no handler meant to raise (the pytest plugin re-raises them in the test)."""
        self.extensions: dict[str, Any] = {}
        """Per-app objects owned by other modules (journal, faults, answers, …), keyed by module."""

    @property
    def clock(self) -> Any:
        """The app's clock (real or virtual)."""
        return self.backends.clock

    @property
    def pending_operations(self) -> list[str]:
        """Operations of the spec still answered by the pending handler."""
        return sorted(op.operation_id for op in self.operations if op.operation_id in PENDING)

    async def call(self, ctx: RequestContext, handler: Handler) -> Response:
        """Run a handler through the interceptor chain (outermost first)."""
        if not self.interceptors:
            return await invoke(ctx, handler)

        async def innermost(c: RequestContext) -> Response:
            return await invoke(c, handler)

        def wrap(call_next: Any, interceptor: Interceptor) -> Any:
            async def step(c: RequestContext) -> Response:
                return await interceptor(c, call_next)

            return step

        chain = reduce(wrap, reversed(self.interceptors), innermost)
        response: Response = await chain(ctx)
        return response


def create_app(settings: Settings | None = None) -> Starlette:
    """Build an independent emulator app; refuses to start if spec and handlers disagree."""
    settings = settings or Settings()
    operations = load_operations()
    handlers = collect_handlers()
    check_registry(operations, handlers)
    state = EmulatorState(settings, operations)
    install_control_plane(state)
    engine_of(state)  # scripted answers from fixtures/answers, before the first request

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield

    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=True,
            expose_headers=["Authorization"],
        ),
        Middleware(TrailingSlashMiddleware),
    ]
    app = Starlette(routes=[], middleware=middleware, lifespan=lifespan)
    app.router = SpecRouter(
        routes=[*build_routes(state, operations, handlers), *docs_routes()],
        redirect_slashes=False,
        default=not_found_app,
        lifespan=lifespan,
    )
    app.state.emulator = state
    return app


def emulator_state(app: Starlette) -> EmulatorState:
    """The `EmulatorState` of an app built by `create_app`."""
    state: EmulatorState = app.state.emulator
    return state
