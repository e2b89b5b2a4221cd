"""Helpers of the historical-profile tests: an app serving a profile's document at its original paths."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from mockserver import Settings, create_app
from mockserver.http.routing import SpecRouter, build_routes
from mockserver.http.spec import operations_of
from mockserver.http.types import Handler
from mockserver.paths import openapi_dir


def profile_app(settings: Settings, document: str, handlers: dict[str, Handler]) -> Starlette:
    """`create_app(settings)` with the profile's operations in front of the current routes (one shared state)."""
    app = create_app(settings)
    router: SpecRouter = app.router  # type: ignore[assignment]
    routes = build_routes(app.state.dispatcher, operations_of(openapi_dir() / document), handlers)
    router.routes[:0] = routes
    return app


def envelope(code: int, data: Any = None, message: Any = None) -> dict[str, Any]:
    """A handler body as the server builds it: `message` only when given, `data` only when not None."""
    body: dict[str, Any] = {"code": code}
    if data is not None:
        body["data"] = data
    if message is not None:
        body["message"] = message
    return body
