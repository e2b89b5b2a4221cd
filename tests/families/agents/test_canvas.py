"""The agent DSL model (`canvas`): loading, the server's load crashes, serialising back (no HTTP)."""

from __future__ import annotations

import pytest

from mockserver.families.agents.canvas import Canvas, CanvasFailure, default_dsl, entry


def test_load_errors_are_the_server_crashes() -> None:
    """createAgentSession, createAgentCompletion: loading a bad DSL fails like the server's Canvas."""
    with pytest.raises(CanvasFailure) as no_components:
        Canvas({})
    assert (no_components.value.message, no_components.value.detail) == ("KeyError('components')", "'components'")
    with pytest.raises(CanvasFailure, match="Begin"):
        Canvas({"components": {"a": {"obj": {"component_name": "Answer"}}}})
    with pytest.raises(CanvasFailure) as listed:
        Canvas([1])
    assert listed.value.message == "TypeError('list indices must be integers or slices, not str')"


def test_tolerant_of_missing_state_keys_and_serialises_back() -> None:
    """createAgentSession: missing run-state keys default; the DSL serialises back as the server stores it."""
    canvas = Canvas({"components": default_dsl([])["components"]})
    assert (canvas.path, canvas.history, canvas.answer) == ([], [], [])
    dsl = canvas.to_dsl()
    assert list(dsl)[:1] == ["components"] and dsl["embed_id"] == ""
    assert set(dsl["components"]["begin"]["obj"]) == {"component_name", "params", "output", "inputs"}


def test_entry_raises_python_failures_as_canvas_failures() -> None:
    """`entry` is `python_failures.item` with a `CanvasFailure` the agent endpoints catch."""
    with pytest.raises(CanvasFailure) as missing:
        entry({}, "key")
    assert (missing.value.exc_type, missing.value.message, missing.value.detail) == (
        "KeyError",
        "KeyError('key')",
        "'key'",
    )
    with pytest.raises(CanvasFailure) as text:
        entry("abc", "key")
    assert text.value.message == "TypeError('string indices must be integers')"
    with pytest.raises(CanvasFailure) as number:
        entry(3, "key")
    assert number.value.message == "TypeError(\"'int' object is not subscriptable\")"
    assert entry({"key": 1}, "key") == 1


def test_components_that_are_not_an_object_crash_like_python() -> None:
    """createAgentSession: `components` of the wrong shape crash like Python."""
    with pytest.raises(CanvasFailure) as listed:
        Canvas({"components": []})
    assert listed.value.message == "AttributeError(\"'list' object has no attribute 'items'\")"
    with pytest.raises(CanvasFailure) as no_obj:
        Canvas({"components": {"begin": {}}})
    assert no_obj.value.message == "KeyError('obj')"
