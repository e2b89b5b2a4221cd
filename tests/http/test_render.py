"""The one renderer: every error class becomes the body and HTTP status the real server sends."""

from __future__ import annotations

import json

from mockserver.core.errors import (
    WERKZEUG_500_HTML,
    ArgumentError,
    AuthError,
    DataError,
    HtmlServerError,
    HttpStatusError,
    MySQLError,
    PythonError,
    RagflowError,
    not_found,
)
from mockserver.core.python_failures import none_has_no_get, none_not_iterable
from mockserver.http.render import error_response, unexpected_response


def body(response: object) -> object:
    return json.loads(bytes(response.body))  # type: ignore[attr-defined]


def test_result_style_errors_have_no_data() -> None:
    assert body(error_response(ArgumentError("x"))) == {"code": 101, "message": "x"}
    assert body(error_response(DataError("y"))) == {"code": 102, "message": "y"}
    assert body(error_response(RagflowError("z", code=404))) == {"code": 404, "message": "z"}
    assert body(error_response(DataError("w", data=False))) == {"code": 102, "data": False, "message": "w"}


def test_python_reprs_pick_quotes_like_python() -> None:
    assert PythonError("KeyError", "x").message == "KeyError('x')"
    assert PythonError("AttributeError", "'NoneType' object has no attribute 'get'").message == (
        "AttributeError(\"'NoneType' object has no attribute 'get'\")"
    )
    assert body(error_response(none_has_no_get())) == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'NoneType' object has no attribute 'get'\")",
    }
    assert body(error_response(none_not_iterable()))["message"] == (  # type: ignore[index]
        "TypeError(\"argument of type 'NoneType' is not iterable\")"
    )
    assert body(error_response(not_found()))["message"] == "<NotFound '404: Not Found'>"  # type: ignore[index]


def test_special_errors() -> None:
    assert body(error_response(AuthError("m", code=0))) == {"code": 0, "data": False, "message": "m"}
    assert body(error_response(MySQLError(1064, "syntax"))) == {"code": 100, "data": "syntax", "message": "1064"}
    dify = error_response(HttpStatusError(403, "API-KEY is invalid!"))
    assert dify.status_code == 403
    assert body(dify) == {"code": 403, "message": "API-KEY is invalid!"}
    html = error_response(HtmlServerError())
    assert html.status_code == 500
    assert bytes(html.body).decode() == WERKZEUG_500_HTML


def test_unexpected_exceptions() -> None:
    assert body(unexpected_response(ValueError("boom"))) == {"code": 100, "data": None, "message": "ValueError('boom')"}
    assert body(unexpected_response(Exception(1064, "text"))) == {"code": 100, "data": "text", "message": "1064"}
    assert body(unexpected_response(ArgumentError("a"))) == {"code": 101, "message": "a"}
