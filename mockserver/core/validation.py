"""Pydantic validation with the server's error text, and the shared id-list helper."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mockserver.core.errors import ArgumentError, DataError
from mockserver.core.python_failures import not_iterable, unhashable

M = TypeVar("M", bound=BaseModel)

_MAX_VALUE_LEN = 128


def _render_value(value: Any) -> str:
    text = str(value)
    if len(text) > _MAX_VALUE_LEN:
        return text[:125] + "..."
    return text


def format_validation_error(exc: ValidationError) -> str:
    """`Field: <loc> - Message: <msg> - Value: <val>` per error, joined by newlines, unknown keys last."""
    errors = exc.errors(include_url=False)
    ordered = [e for e in errors if e["type"] != "extra_forbidden"] + [
        e for e in errors if e["type"] == "extra_forbidden"
    ]
    lines = []
    for err in ordered:
        loc = ".".join(str(part) for part in err["loc"])
        lines.append(f"Field: <{loc}> - Message: <{err['msg']}> - Value: <{_render_value(err['input'])}>")
    return "\n".join(lines)


def validate_model(model: type[M], payload: dict[str, Any], context: dict[str, Any] | None = None) -> M:
    """Validate a body against a pydantic model, raising 101 with the server's message on failure."""
    try:
        return model.model_validate(payload, context=context)
    except ValidationError as exc:
        raise ArgumentError(format_validation_error(exc)) from None


def check_duplicate_ids(ids: Any, kind: str) -> tuple[list[Any], list[str]]:
    """The server's duplicate-id helper: unique ids (first-occurrence order) and one message per duplicate.

    A string is iterated character by character, as Python does; a non-iterable or unhashable element
    crashes with the server's code-100 repr.
    """
    if isinstance(ids, dict):
        items: list[Any] = list(ids.keys())
    elif isinstance(ids, str | list):
        items = list(ids)
    else:
        raise not_iterable(ids)
    seen: dict[Any, int] = {}
    for item in items:
        if not isinstance(item, Hashable):
            raise unhashable(item)
        seen[item] = seen.get(item, 0) + 1
    messages = [f"Duplicate {kind} ids: {item}" for item, count in seen.items() if count > 1]
    return list(seen), messages


def partial_result(errors: list[str], duplicates: list[str], success: int) -> dict[str, Any] | None:
    """The server's reply after a bulk operation over ids.

    Failures with some successes → `{"errors", "success_count"}` as data (code 0); failures only → 102 with the
    messages joined by `"; "`; duplicate ids only → their messages as data (or 102 joined by `";"` if nothing
    succeeded); otherwise no data.
    """
    if errors and success:
        return {"errors": errors, "success_count": success}
    if errors:
        raise DataError("; ".join(errors))
    if duplicates:
        if success:
            return {"errors": duplicates, "success_count": success}
        raise DataError(";".join(duplicates))
    return None
