"""The one place an error becomes a response: `RagflowError`s, unknown routes and unexpected exceptions."""

from __future__ import annotations

from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from mockserver.core.errors import HtmlServerError, RagflowError, method_not_allowed, not_found, unexpected_payload
from mockserver.http.envelope import EnvelopeResponse


def error_response(err: RagflowError) -> Response:
    """The server's reply for an error raised on purpose."""
    if isinstance(err, HtmlServerError):
        return HTMLResponse(err.html, status_code=err.status())
    return EnvelopeResponse(err.payload(), status_code=err.status())


def unexpected_response(exc: BaseException) -> Response:
    """The reply of the server's global handler for an exception nobody raised on purpose."""
    if isinstance(exc, RagflowError):
        return error_response(exc)
    return EnvelopeResponse(unexpected_payload(exc))


async def not_found_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Unknown route: the global handler's body for Werkzeug's NotFound."""
    if scope["type"] == "http":
        await error_response(not_found())(scope, receive, send)


async def method_not_allowed_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Known route, other method: the global handler's body for Werkzeug's MethodNotAllowed."""
    await error_response(method_not_allowed())(scope, receive, send)
