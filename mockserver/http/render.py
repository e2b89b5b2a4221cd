"""The one place an error becomes a response: `RagflowError`s, unknown routes and unexpected exceptions."""

from __future__ import annotations

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.core.errors import HtmlServerError, RagflowError, method_not_allowed, not_found, unexpected_payload
from mockserver.http.envelope import EnvelopeResponse
from mockserver.state.emulator import EmulatorState


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


class GlobalErrorMiddleware:
    """Outermost ASGI layer: an exception that escapes everything else (middleware, routing, an interceptor) is
    still recorded once (bounded, `EmulatorState.record_unexpected`) and answered with the global handler's body
    instead of a plain-text 500 — or, once the response has started, the connection just ends."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:  # mid-response: a client gone away or a failed stream, nothing left to answer
                return
            self.state.record_unexpected(exc, scope.get("path", "?"))
            await unexpected_response(exc)(scope, receive, send)
