"""The one error tree: every `RagflowError` subclass of the package has a class-level code and a valid body."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from mockserver.core.errors import (
    ControlPlaneError,
    HtmlServerError,
    HttpStatusError,
    PythonError,
    RagflowError,
    RefusalError,
    WerkzeugError,
    entity_too_large,
    method_not_allowed,
    not_found,
    range_not_satisfiable,
    unexpected_payload,
)
from tests.architecture.imports import modules


def every_error_class() -> list[type[RagflowError]]:
    """`RagflowError` and all its subclasses anywhere in the package (every module imported first)."""
    for name in modules():
        if not name.startswith("mockserver.conformance") and not name.endswith("__main__"):
            importlib.import_module(name)
    found: list[type[RagflowError]] = []
    pending: list[type[RagflowError]] = [RagflowError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def sample(cls: type[RagflowError]) -> RagflowError:
    """An instance of `cls` built from its constructor's signature."""
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    values: dict[str, Any] = {}
    for p in params:
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        annotation = str(p.annotation)
        values[p.name] = 418 if "int" in annotation and "str" not in annotation else "text"
    return cls(**values)


CLASSES = every_error_class()


def test_the_tree_holds_the_family_and_control_plane_errors() -> None:
    names = {c.__qualname__ for c in CLASSES}
    assert {"AccountFailure", "LegacyFailure", "CanvasFailure", "ChatFailure", "TransportError"} <= names
    assert ControlPlaneError in CLASSES
    assert len(CLASSES) >= 20


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_error_has_a_class_code_and_an_envelope(cls: type[RagflowError]) -> None:
    assert isinstance(cls.__dict__.get("code", cls.code), int)
    err = sample(cls)
    body = err.payload()
    assert isinstance(body["code"], int) and isinstance(body["message"], str)
    assert set(body) <= {"code", "data", "message"}
    if cls.three_keys:
        assert set(body) == {"code", "data", "message"}
    assert 200 <= err.status() <= 599
    if issubclass(cls, HtmlServerError):
        assert err.status() == 500 and cls.html.startswith("<!doctype html>")


def test_codes_and_body_styles() -> None:
    assert RefusalError("no", code=3).payload() == {"code": 3, "data": False, "message": "no"}
    assert HttpStatusError(403, "x").status() == 403
    assert ControlPlaneError("bad").status() == 400 and ControlPlaneError("gone", status=404).payload()["code"] == 404


def test_python_errors_stay_structured() -> None:
    err = PythonError("KeyError", "name")
    assert (err.exc_type, err.text, err.message, err.detail) == ("KeyError", "name", "KeyError('name')", "'name'")
    built = PythonError.from_exception(ValueError(1, 2))
    assert (built.exc_type, built.message) == ("ValueError", "ValueError(1, 2)")


def test_werkzeug_reprs() -> None:
    assert not_found().message == "<NotFound '404: Not Found'>"
    assert method_not_allowed().message == "<MethodNotAllowed '405: Method Not Allowed'>"
    assert entity_too_large().message == "<RequestEntityTooLarge '413: Request Entity Too Large'>"
    assert range_not_satisfiable().message == "<RequestedRangeNotSatisfiable '416: Requested Range Not Satisfiable'>"
    assert isinstance(not_found(), WerkzeugError) and not_found().payload()["data"] is None


def test_unexpected_payload_follows_the_global_handler() -> None:
    assert unexpected_payload(ValueError("boom")) == {"code": 100, "data": None, "message": "ValueError('boom')"}
    assert unexpected_payload(Exception(1064, "text")) == {"code": 100, "data": "text", "message": "1064"}
    assert unexpected_payload(Exception(1, [2])) == {"code": 100, "data": "[2]", "message": "1"}
