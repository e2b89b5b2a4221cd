"""Unexpected errors stay bounded (issue 16 item 2): frames dropped, a capped count kept, one envelope on the wire."""

from __future__ import annotations

import gc
import weakref

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from mockserver.families.chats.models import ChatStore
from mockserver.state.unexpected import KEPT, UnexpectedErrors
from tests.reliability.conftest import assert_responsive


class Payload:
    """A large local that a kept frame would pin."""

    def __init__(self) -> None:
        self.data = bytearray(1024 * 1024)


def _fail_holding(payload: Payload) -> None:
    held = payload  # noqa: F841 (pinned by the frame)
    raise RuntimeError("boom")


def test_a_kept_exception_holds_no_frame_and_no_request() -> None:
    errors = UnexpectedErrors()
    payload = Payload()
    ref = weakref.ref(payload)
    try:
        _fail_holding(payload)
    except RuntimeError as exc:
        errors.record(exc, "op")
    del payload
    gc.collect()
    assert ref() is None, "the frame (and its locals) must not be kept"
    kept = errors.kept[0]
    assert kept.__traceback__ is None and kept.__context__ is None
    assert any("_fail_holding" in note and "RuntimeError: boom" in note for note in kept.__notes__)


def test_the_count_grows_but_the_kept_list_is_capped() -> None:
    errors = UnexpectedErrors()
    for n in range(KEPT + 50):
        errors.record(ValueError(n), "op")
    assert errors.count == KEPT + 50
    assert len(errors.kept) == KEPT
    assert [e.args[0] for e in errors.since(KEPT + 47)] == [KEPT + 47, KEPT + 48, KEPT + 49]


def test_unexpected_errors_under_load_answer_the_envelope_and_stay_bounded(
    app: Starlette, client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """createChat made to fail unexpectedly 150 times with 100 KB bodies: 150 envelopes, ≤ KEPT kept, no frames."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store exploded")

    monkeypatch.setattr(ChatStore, "create", broken)
    body = b'{"name":"x","dataset_ids":[],"description":"' + b"y" * 100_000 + b'"}'
    for _ in range(150):
        response = client.post("/api/v1/chats", content=body)
        assert response.json() == {"code": 100, "data": None, "message": "RuntimeError('store exploded')"}
    state = emulator_state(app)
    assert state.unexpected_count == 150
    assert len(state.unexpected) == KEPT
    assert all(e.__traceback__ is None for e in state.unexpected)
    state.unexpected_errors.kept.clear()  # handled here: the test does not re-raise them
    monkeypatch.undo()
    assert_responsive(client)
