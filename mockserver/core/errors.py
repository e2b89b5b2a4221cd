"""Errors as values: the one `RagflowError` tree, each class with its code and the body the real server sends.

Handlers and stores only raise; `mockserver.http.render` is the one place an error becomes a response.

==========================  ====  ==========================================================
class                       code  body (HTTP 200 unless stated)
==========================  ====  ==========================================================
RagflowError                102   ``{"code":c,"message":m}`` (``data`` when given)
ArgumentError               101   ``{"code":101,"message":m}``
DataError                   102   ``{"code":102,"message":m}``
OperatingError              103   ``{"code":103,"message":m}``
NotFoundError               404   ``{"code":404,"message":m}``
ServerError                 500   ``{"code":500,"message":m}``
RefusalError                102   ``{"code":c,"data":false,"message":m}`` (web/legacy refusals)
AuthError                   109   ``{"code":c,"data":false,"message":m}`` (API-key failures; 0 for a missing header)
LoginRequired               401   ``{"code":401,"data":null,"message":"<Unauthorized '401: Unauthorized'>"}``
PythonError                 100   ``{"code":100,"data":null,"message":"<Python repr>"}`` (uncaught exception;
                                  subclasses in `core.python_failures`, `families.agents.canvas`)
WerkzeugError               100   ``{"code":100,"data":null,"message":"<NotFound '404: Not Found'>"}`` and kin
MySQLError                  100   ``{"code":100,"data":"<text>","message":"<number>"}``
ArgumentsError              100   ``{"code":100,"data":<arg 2>,"message":"<repr of arg 1>"}`` (multi-argument exception)
HttpStatusError             n     ``{"code":n,"message":m}`` with HTTP status n (Dify retrieval)
ControlPlaneError           400   ``{"code":n,"message":m}`` with HTTP status n (`/_emulator/*`)
HtmlServerError             500   Werkzeug's HTML 500 page, HTTP 500 (a stream failed before its first event)
==========================  ====  ==========================================================
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, ClassVar

_MISSING: Any = object()


class RetCode(IntEnum):
    """The server's return codes (the JSON `code`; HTTP status is 200 unless stated)."""

    SUCCESS = 0
    NOT_EFFECTIVE = 10
    EXCEPTION_ERROR = 100
    ARGUMENT_ERROR = 101
    DATA_ERROR = 102
    OPERATING_ERROR = 103
    CONNECTION_ERROR = 105
    RUNNING = 106
    PERMISSION_ERROR = 108
    AUTHENTICATION_ERROR = 109
    UNAUTHORIZED = 401
    FORBIDDEN = 403
    NOT_FOUND = 404
    SERVER_ERROR = 500


WERKZEUG_500_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to "
    "complete your request. Either the server is overloaded or there is an error in the application.</p>\n"
)


class RagflowError(Exception):
    """Base error: an envelope with `code` and `message` (and `data` if given)."""

    code: ClassVar[int] = RetCode.DATA_ERROR.value
    http_status: ClassVar[int] = 200
    three_keys: ClassVar[bool] = False
    """The body always carries `code`, `data` and `message` (the web/legacy `get_json_result` style)."""

    def __init__(self, message: str, *, data: Any = _MISSING, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = None if data is _MISSING and self.three_keys else data
        self.instance_code = self.code if code is None else code

    def payload(self) -> dict[str, Any]:
        """The JSON body the server sends for this error."""
        body: dict[str, Any] = {"code": self.instance_code, "message": self.message}
        if self.data is not _MISSING:
            body["data"] = self.data
        return body

    def status(self) -> int:
        """The HTTP status of the reply."""
        return self.http_status


class ArgumentError(RagflowError):
    """Bad or missing argument (101)."""

    code = RetCode.ARGUMENT_ERROR.value


class DataError(RagflowError):
    """Data error: unknown or foreign object, duplicate, rule violation (102)."""

    code = RetCode.DATA_ERROR.value


class OperatingError(RagflowError):
    """Operation not allowed in the current state (103)."""

    code = RetCode.OPERATING_ERROR.value


class NotFoundError(RagflowError):
    """Not found reported with code 404 in an HTTP 200 body."""

    code = RetCode.NOT_FOUND.value


class ServerError(RagflowError):
    """Code 500 in an HTTP 200 body (e.g. partial upload failures)."""

    code = RetCode.SERVER_ERROR.value


class RefusalError(RagflowError):
    """A web/legacy refusal with `data: false`: `{"code":c,"data":false,"message":m}` (register, login, legacy)."""

    three_keys = True

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message, data=False, code=code)


class AuthError(RefusalError):
    """API-key failure (109; code 0 for a missing or short header, a real quirk)."""

    code = RetCode.AUTHENTICATION_ERROR.value


class PythonError(RagflowError):
    """What the global handler sends for an uncaught Python exception: code 100, the exception's repr as message.

    Structured: `exc_type` and `text` are the exception's class name and its one string argument; `detail` is
    `str(exc)` (what an error frame of a stream shows: a KeyError quotes its key, as Python does).
    """

    code = RetCode.EXCEPTION_ERROR.value
    three_keys = True

    def __init__(self, exc_type: str, text: str, *, rendered: str | None = None) -> None:
        super().__init__(rendered if rendered is not None else f"{exc_type}({text!r})")
        self.exc_type = exc_type
        self.text = text

    @property
    def detail(self) -> str:
        """`str(exc)`."""
        return repr(self.text) if self.exc_type == "KeyError" else self.text

    @classmethod
    def from_exception(cls, exc: BaseException) -> PythonError:
        """The reply for a real exception raised while running the server's logic on client data."""
        args = exc.args
        if len(args) == 1 and isinstance(args[0], str):
            return cls(type(exc).__name__, args[0])
        return cls(type(exc).__name__, str(exc), rendered=repr(exc))


class WerkzeugError(PythonError):
    """A Werkzeug `HTTPException` caught by the global handler: `<NotFound '404: Not Found'>` and kin (code 100)."""

    def __init__(self, name: str, status: int, description: str) -> None:
        text = f"{status}: {description}"
        super().__init__(name, text, rendered=f"<{name} {text!r}>")


def not_found() -> WerkzeugError:
    """Werkzeug's NotFound (unknown route, or a handler's `abort(404)`)."""
    return WerkzeugError("NotFound", 404, "Not Found")


def method_not_allowed() -> WerkzeugError:
    """Werkzeug's MethodNotAllowed (a known route, another method)."""
    return WerkzeugError("MethodNotAllowed", 405, "Method Not Allowed")


def entity_too_large() -> WerkzeugError:
    """Werkzeug's RequestEntityTooLarge (a body over MAX_CONTENT_LENGTH)."""
    return WerkzeugError("RequestEntityTooLarge", 413, "Request Entity Too Large")


def range_not_satisfiable() -> WerkzeugError:
    """Werkzeug's RequestedRangeNotSatisfiable (an unsatisfiable `Range` on a file download)."""
    return WerkzeugError("RequestedRangeNotSatisfiable", 416, "Requested Range Not Satisfiable")


UNAUTHORIZED_MESSAGE = "<Unauthorized '401: Unauthorized'>"


class LoginRequired(RagflowError):
    """Web-login failure: code 401 with Werkzeug's Unauthorized repr and `data: null`."""

    code = RetCode.UNAUTHORIZED.value
    three_keys = True

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED_MESSAGE)


class MySQLError(RagflowError):
    """A database error with two constructor args: message = error number, data = text."""

    code = RetCode.EXCEPTION_ERROR.value
    three_keys = True

    def __init__(self, number: int, text: str) -> None:
        super().__init__(str(number), data=text)


class ArgumentsError(RagflowError):
    """An uncaught exception built with two or more arguments: message = repr of the first, data = the second
    (e.g. a UnicodeEncodeError: `'utf-8'` and the text that failed to encode)."""

    code = RetCode.EXCEPTION_ERROR.value
    three_keys = True

    def __init__(self, first: Any, second: Any) -> None:
        super().__init__(repr(first), data=second)


class HttpStatusError(RagflowError):
    """An error reported with a real HTTP status equal to its code (the Dify endpoint)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, code=status)

    def status(self) -> int:
        return self.instance_code


class ControlPlaneError(HttpStatusError):
    """A control-plane (`/_emulator/*`) error: `{"code":n,"message":m}` with HTTP status n (400 unless stated)."""

    code = 400

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(status, message)


class HtmlServerError(RagflowError):
    """Werkzeug's HTML 500 page: a streaming generator failed before its first event."""

    code = RetCode.SERVER_ERROR.value
    http_status = 500
    html: ClassVar[str] = WERKZEUG_500_HTML

    def __init__(self, reason: str = "generator failed before its first event") -> None:
        super().__init__(reason)


def unexpected_payload(exc: BaseException) -> dict[str, Any]:
    """The body the server's global handler sends for an exception nobody raised on purpose.

    With two or more arguments the first one's repr is the message and the second the data (e.g. a database
    error `(1064, "text")`); otherwise the exception's repr.
    """
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2:
        return {"code": RetCode.EXCEPTION_ERROR.value, "data": _jsonable(args[1]), "message": repr(args[0])}
    return {"code": RetCode.EXCEPTION_ERROR.value, "data": None, "message": repr(exc)}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)
