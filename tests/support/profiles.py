"""Helpers of the historical-profile tests: an app serving a profile at its original paths, over one state."""

from __future__ import annotations

from starlette.applications import Starlette

from mockserver import Settings, create_app
from mockserver.families.dataset_2024_06 import handlers as dataset_handlers
from mockserver.families.draft_2024_10 import completion_handlers, session_handlers
from mockserver.families.draft_2024_10 import handlers as draft_handlers
from mockserver.http.envelope import dumps
from mockserver.http.routing import SpecRouter, build_routes
from mockserver.http.spec import operations_of
from mockserver.http.types import Handler
from mockserver.paths import openapi_dir

PROFILE_HANDLERS: dict[str, tuple[str, dict[str, Handler]]] = {
    "2024-06-dataset": ("profile-2024-06-dataset.yaml", dataset_handlers.HANDLERS),
    "2024-10-draft": (
        "profile-2024-10-draft.yaml",
        {**draft_handlers.HANDLERS, **session_handlers.HANDLERS, **completion_handlers.HANDLERS},
    ),
}


def profile_app(settings: Settings, profile: str) -> Starlette:
    """`create_app(settings)` with the profile's operations in front of the current routes (one shared state)."""
    document, handlers = PROFILE_HANDLERS[profile]
    app = create_app(settings)
    router: SpecRouter = app.router  # type: ignore[assignment]
    router.routes[:0] = build_routes(app.state.dispatcher, operations_of(openapi_dir() / document), handlers)
    return app


def wire(payload: object) -> bytes:
    """The bytes Flask sends for a JSON payload (sorted keys, compact, ASCII, newline)."""
    return dumps(payload)
