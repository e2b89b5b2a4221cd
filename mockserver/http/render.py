"""The one place an error becomes a response: `RagflowError`s, unknown routes and unexpected exceptions."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.core.errors import HtmlServerError, RagflowError, method_not_allowed, not_found, unexpected_payload
from mockserver.http.envelope import EnvelopeResponse, PayloadStyle


def _styled(err: Any, payload: dict[str, Any], style: PayloadStyle | None) -> dict[str, Any]:
    return payload if style is None else style(err, payload)


def error_response(err: RagflowError, style: PayloadStyle | None = None) -> Response:
    """The server's reply for an error raised on purpose (in a profile's envelope `style` when given)."""
    if isinstance(err, HtmlServerError):
        return HTMLResponse(err.html, status_code=err.status())
    return EnvelopeResponse(_styled(err, err.payload(), style), status_code=err.status())


def unexpected_response(exc: BaseException, style: PayloadStyle | None = None) -> Response:
    """The reply of the server's global handler for an exception nobody raised on purpose."""
    if isinstance(exc, RagflowError):
        return error_response(exc, style)
    return EnvelopeResponse(_styled(None, unexpected_payload(exc), style))


def styled_not_found_app(style: PayloadStyle | None) -> ASGIApp:
    """Unknown route: the global handler's body for Werkzeug's NotFound (in a profile's envelope `style`)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await error_response(not_found(), style)(scope, receive, send)

    return app


def styled_method_not_allowed_app(style: PayloadStyle | None) -> ASGIApp:
    """Known route, other method: the global handler's body for Werkzeug's MethodNotAllowed (in `style`)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(method_not_allowed(), style)(scope, receive, send)

    return app


not_found_app = styled_not_found_app(None)
"""Unknown route of the current profile."""
method_not_allowed_app = styled_method_not_allowed_app(None)
"""Known route, other method, of the current profile."""
