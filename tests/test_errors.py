"""Errors: one rendering per class, matching the server's bodies."""

from __future__ import annotations

import json

from mockserver.errors import (
    WERKZEUG_500_HTML,
    ArgumentError,
    AuthError,
    DataError,
    HtmlServerError,
    HttpStatusError,
    MySQLError,
    PythonError,
    RagflowError,
    none_has_no_get,
    none_not_iterable,
    py_repr,
    render_unexpected,
)


def body(response: object) -> object:
    return json.loads(bytes(response.body))  # type: ignore[attr-defined]


def test_result_style_errors_have_no_data() -> None:
    assert body(ArgumentError("x").response()) == {"code": 101, "message": "x"}
    assert body(DataError("y").response()) == {"code": 102, "message": "y"}
    assert body(RagflowError("z", code=404).response()) == {"code": 404, "message": "z"}
    assert body(DataError("w", data=False).response()) == {"code": 102, "data": False, "message": "w"}


def test_python_reprs_pick_quotes_like_python() -> None:
    assert py_repr("KeyError", "x") == "KeyError('x')"
    assert py_repr("AttributeError", "'NoneType' object has no attribute 'get'") == (
        "AttributeError(\"'NoneType' object has no attribute 'get'\")"
    )
    assert body(none_has_no_get().response()) == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'NoneType' object has no attribute 'get'\")",
    }
    assert body(none_not_iterable().response())["message"] == (  # type: ignore[index]
        "TypeError(\"argument of type 'NoneType' is not iterable\")"
    )
    assert body(PythonError.raw("<NotFound '404: Not Found'>").response())["message"] == "<NotFound '404: Not Found'>"  # type: ignore[index]


def test_special_errors() -> None:
    assert body(AuthError("m", code=0).response()) == {"code": 0, "data": False, "message": "m"}
    assert body(MySQLError(1064, "syntax").response()) == {"code": 100, "data": "syntax", "message": "1064"}
    dify = HttpStatusError(403, "API-KEY is invalid!").response()
    assert dify.status_code == 403
    assert body(dify) == {"code": 403, "message": "API-KEY is invalid!"}
    html = HtmlServerError().response()
    assert html.status_code == 500
    assert bytes(html.body).decode() == WERKZEUG_500_HTML


def test_unexpected_exceptions() -> None:
    assert body(render_unexpected(ValueError("boom"))) == {"code": 100, "data": None, "message": "ValueError('boom')"}
    assert body(render_unexpected(Exception(1064, "text"))) == {"code": 100, "data": "text", "message": "1064"}
    assert body(render_unexpected(ArgumentError("a"))) == {"code": 101, "message": "a"}
