"""Errors as exceptions, rendered in exactly one place into the real server's error bodies.

Every class carries its `code` and the body style the server uses for it:

==========================  ====  ==========================================================
class                       code  body
==========================  ====  ==========================================================
ArgumentError               101   ``{"code":101,"message":m}``
DataError                   102   ``{"code":102,"message":m}``
OperatingError              103   ``{"code":103,"message":m}``
PermissionDenied            108   ``{"code":108,"message":m}``
NotFoundError               404   ``{"code":404,"message":m}``
ServerError                 500   ``{"code":500,"message":m}`` (HTTP 200)
AuthError                   0/109 ``{"code":c,"data":false,"message":m}`` (API-key failures)
LoginRequired               401   ``{"code":401,"data":null,"message":"<Unauthorized '401: Unauthorized'>"}``
PythonError                 100   ``{"code":100,"data":null,"message":"<Python repr>"}`` (uncaught exception)
MySQLError                  100   ``{"code":100,"data":"<text>","message":"1064"}``
HttpStatusError             n     ``{"code":n,"message":m}`` with HTTP status n (Dify)
HtmlServerError             —     Werkzeug's HTML 500 page (generator failed before its first event)
==========================  ====  ==========================================================

`RagflowError(code, message)` builds any other result-style error; `data=` adds a `data` key.
"""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.responses import HTMLResponse, Response

from mockserver.envelope import EnvelopeResponse, RetCode, json_result_payload, result_payload

_MISSING: Any = object()

WERKZEUG_500_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to "
    "complete your request. Either the server is overloaded or there is an error in the application.</p>\n"
)
NOT_FOUND_MESSAGE = "<NotFound '404: Not Found'>"
METHOD_NOT_ALLOWED_MESSAGE = "<MethodNotAllowed '405: Method Not Allowed'>"
UNAUTHORIZED_MESSAGE = "<Unauthorized '401: Unauthorized'>"
ENTITY_TOO_LARGE_MESSAGE = "<RequestEntityTooLarge '413: Request Entity Too Large'>"


def py_repr(exc_class: str, text: str) -> str:
    """Python's repr of an exception with one string argument, e.g. ``KeyError('x')``."""
    return f"{exc_class}({text!r})"


class RagflowError(Exception):
    """Base error: an envelope with `code` and `message` (and `data` if given)."""

    code: ClassVar[int] = RetCode.DATA_ERROR.value
    http_status: ClassVar[int] = 200

    def __init__(self, message: str, *, data: Any = _MISSING, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data
        self.instance_code = self.code if code is None else code

    def payload(self) -> dict[str, Any]:
        """The JSON body the server sends for this error."""
        body = result_payload(self.instance_code, self.message)
        if self.data is not _MISSING:
            body["data"] = self.data
        return body

    def response(self) -> Response:
        """Render the error as an HTTP response."""
        return EnvelopeResponse(self.payload(), status_code=self.http_status)


class ArgumentError(RagflowError):
    """Bad or missing argument (101)."""

    code = RetCode.ARGUMENT_ERROR.value


class DataError(RagflowError):
    """Data error: unknown or foreign object, duplicate, rule violation (102)."""

    code = RetCode.DATA_ERROR.value


class OperatingError(RagflowError):
    """Operation not allowed in the current state (103)."""

    code = RetCode.OPERATING_ERROR.value


class PermissionDenied(RagflowError):
    """Permission error (108)."""

    code = RetCode.PERMISSION_ERROR.value


class NotFoundError(RagflowError):
    """Not found reported with code 404 in an HTTP 200 body."""

    code = RetCode.NOT_FOUND.value


class ServerError(RagflowError):
    """Code 500 in an HTTP 200 body (e.g. partial upload failures)."""

    code = RetCode.SERVER_ERROR.value


class AuthError(RagflowError):
    """API-key failure: `{"code":c,"data":false,"message":m}` (code 0 for a missing header, a real quirk)."""

    code = RetCode.AUTHENTICATION_ERROR.value

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message, data=False, code=code)

    def payload(self) -> dict[str, Any]:
        return json_result_payload(self.instance_code, self.message, False)


class LoginRequired(RagflowError):
    """Web-login failure: code 401 with Werkzeug's Unauthorized repr."""

    code = RetCode.UNAUTHORIZED.value

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED_MESSAGE)

    def payload(self) -> dict[str, Any]:
        return json_result_payload(self.instance_code, self.message, None)


class PythonError(RagflowError):
    """What the global handler sends for an uncaught Python exception: code 100, repr as message."""

    code = RetCode.EXCEPTION_ERROR.value

    def __init__(self, exc_class: str, text: str) -> None:
        super().__init__(py_repr(exc_class, text))

    @classmethod
    def raw(cls, message: str) -> PythonError:
        """An exception whose repr is given verbatim (e.g. ``<NotFound '404: Not Found'>``)."""
        err = cls("Exception", "")
        err.message = message
        err.args = (message,)
        return err

    def payload(self) -> dict[str, Any]:
        return json_result_payload(self.instance_code, self.message, None)


class MySQLError(RagflowError):
    """A database error with two constructor args: message = error number, data = text."""

    code = RetCode.EXCEPTION_ERROR.value

    def __init__(self, number: int, text: str) -> None:
        super().__init__(str(number), data=text)

    def payload(self) -> dict[str, Any]:
        return json_result_payload(self.instance_code, self.message, self.data)


class HttpStatusError(RagflowError):
    """An error reported with a real HTTP status equal to its code (the Dify endpoint)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, code=status)

    def response(self) -> Response:
        return EnvelopeResponse(self.payload(), status_code=self.instance_code)


class HtmlServerError(RagflowError):
    """Werkzeug's HTML 500 page: a streaming generator failed before its first event."""

    code = RetCode.SERVER_ERROR.value

    def __init__(self, reason: str = "generator failed before its first event") -> None:
        super().__init__(reason)

    def response(self) -> Response:
        return HTMLResponse(WERKZEUG_500_HTML, status_code=500)


# -- common instances of the server's crash replies ----------------------------------------------
def none_has_no_get() -> PythonError:
    """The crash a handler hits when it calls ``.get`` on a missing JSON body."""
    return PythonError("AttributeError", "'NoneType' object has no attribute 'get'")


def none_not_iterable() -> PythonError:
    """The crash a handler hits when it uses ``in`` on a missing JSON body."""
    return PythonError("TypeError", "argument of type 'NoneType' is not iterable")


def render_unexpected(exc: BaseException) -> Response:
    """Render an exception nobody raised on purpose the way the server's global handler does."""
    if isinstance(exc, RagflowError):
        return exc.response()
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2:
        body = json_result_payload(RetCode.EXCEPTION_ERROR.value, repr(args[0]), _jsonable(args[1]))
    else:
        body = json_result_payload(RetCode.EXCEPTION_ERROR.value, repr(exc), None)
    return EnvelopeResponse(body)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)
