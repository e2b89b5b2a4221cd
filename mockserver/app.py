"""`create_app(settings)`: the Starlette application — state, control plane, middleware and the spec's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from mockserver.control.admin import CONTROL_HANDLERS, control_interceptors
from mockserver.control.answers import rules_for_setting
from mockserver.control.seed import WorldReloader, seed_configured_tenants
from mockserver.families.registry import family_handlers
from mockserver.http.docs_page import docs_routes
from mockserver.http.render import not_found_app
from mockserver.http.routing import Dispatcher, SpecRouter, TrailingSlashMiddleware, build_routes, check_registry, timed
from mockserver.http.spec import load_operations
from mockserver.http.types import Interceptor
from mockserver.http.webui_dist import SinglePageApp
from mockserver.settings import Settings
from mockserver.state.emulator import EmulatorState


def create_app(settings: Settings | None = None) -> Starlette:
    """Build an independent emulator app; refuses to start if spec and handlers disagree."""
    settings = settings or Settings()
    operations = load_operations()
    handlers = {**family_handlers(), **CONTROL_HANDLERS}
    check_registry(operations, handlers)
    state = EmulatorState(
        settings,
        operation_ids=(op.operation_id for op in operations),
        fixture_answers=rules_for_setting(settings.answers),
    )
    if settings.world:
        seed_configured_tenants(state.backends, settings.world)
    interceptors: list[Interceptor] = [timed] if settings.request_log else []
    if settings.reload_world and settings.world:
        interceptors.append(WorldReloader(settings.world))
    dispatcher = Dispatcher(state, [*interceptors, *control_interceptors()])

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
        routes=[*build_routes(dispatcher, operations, handlers), *docs_routes()],
        redirect_slashes=False,
        default=not_found_app if not settings.webui_dist else SinglePageApp(settings.webui_dist, not_found_app),
        lifespan=lifespan,
    )
    app.state.emulator = state
    app.state.dispatcher = dispatcher
    return app


def emulator_state(app: Starlette) -> EmulatorState:
    """The `EmulatorState` of an app built by `create_app`."""
    state: EmulatorState = app.state.emulator
    return state
