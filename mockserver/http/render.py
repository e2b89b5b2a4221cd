"""The one place an error becomes a response: `RagflowError`s, unknown routes and unexpected exceptions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.core.errors import HtmlServerError, RagflowError, method_not_allowed, not_found, unexpected_payload
from mockserver.http.envelope import EnvelopeResponse, PayloadStyle
from mockserver.state.emulator import EmulatorState


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


DEFAULT_PORTS = {"http": ":80", "https": ":443"}
REDIRECT_SAFE = "!$&'()*+,/:;=@"
"""Characters Werkzeug leaves unquoted in a redirect path."""
_MARKUP_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def markup_escape(text: str) -> str:
    """`markupsafe.escape`, as Werkzeug's redirect body uses it."""
    return text.translate(_MARKUP_ESCAPES)


def redirect_response(request: Request, path: str) -> Response:
    """Werkzeug's RequestRedirect (308) to `path` on the request's host, query string kept, its HTML body."""
    scheme = request.url.scheme
    host = request.headers.get("host", "").lower()
    default_port = DEFAULT_PORTS.get(scheme, "")
    if default_port and host.endswith(default_port):
        host = host[: -len(default_port)]
    query = request.scope.get("query_string", b"").decode("latin-1")
    location = f"{scheme}://{host}/{quote(path, safe=REDIRECT_SAFE).lstrip('/')}" + (f"?{query}" if query else "")
    shown = markup_escape(location)
    body = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
        f'<p>You should be redirected automatically to the target URL: <a href="{shown}">{shown}</a>. '
        "If not, click the link.\n"
    )
    return HTMLResponse(body, status_code=308, headers={"Location": location})


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
