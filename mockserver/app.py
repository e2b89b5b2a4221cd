"""`create_app(settings)`: the Starlette application — state, control plane, middleware and the spec's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from mockserver.control.admin import CONTROL_HANDLERS, control_interceptors
from mockserver.control.answers import rules_for_setting
from mockserver.control.journal import unknown_route_recorder
from mockserver.control.seed import WorldReloader, seed_configured_tenants
from mockserver.families.registry import family_handlers
from mockserver.http.cors import OriginlessFastCORS
from mockserver.http.docs_page import docs_routes
from mockserver.http.guard import RequestGuard
from mockserver.http.render import GlobalErrorMiddleware
from mockserver.http.routing import (
    Dispatcher,
    SpecRouter,
    TrailingSlashMiddleware,
    build_bound_routes,
    check_registry,
    timed,
)
from mockserver.http.spec import load_operations
from mockserver.http.types import Interceptor
from mockserver.http.webui_dist import SinglePageApp
from mockserver.profiles.base import Profile
from mockserver.profiles.mounting import build_surface
from mockserver.profiles.registry import PROFILES
from mockserver.settings import Settings
from mockserver.state.emulator import EmulatorState


def create_app(settings: Settings | None = None, profiles: Sequence[Profile] = PROFILES) -> Starlette:
    """Build an independent emulator app; refuses to start if spec and handlers disagree."""
    settings = settings or Settings()
    operations = load_operations()
    handlers = {**family_handlers(), **CONTROL_HANDLERS}
    check_registry(operations, handlers)
    surface = build_surface(settings, operations, handlers, profiles)
    state = EmulatorState(
        settings,
        operation_ids=surface.operation_ids,
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
        Middleware(GlobalErrorMiddleware, state=state),
        Middleware(RequestGuard, settings=settings),
        Middleware(
            OriginlessFastCORS,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=True,
            expose_headers=["Authorization"],
        ),
        Middleware(TrailingSlashMiddleware),
    ]
    app = Starlette(routes=[], middleware=middleware, lifespan=lifespan)
    not_found = unknown_route_recorder(state, surface.not_found_app())
    app.router = SpecRouter(
        routes=[
            *build_bound_routes(dispatcher, surface.entries, surface.owner_of),
            *docs_routes(surface.documents()),
        ],
        redirect_slashes=False,
        default=SinglePageApp(settings.webui_dist, not_found) if settings.webui_dist else not_found,
        lifespan=lifespan,
    )
    app.state.emulator = state
    app.state.dispatcher = dispatcher
    app.state.surface = surface
    return app


def emulator_state(app: Starlette) -> EmulatorState:
    """The `EmulatorState` of an app built by `create_app`."""
    state: EmulatorState = app.state.emulator
    return state
