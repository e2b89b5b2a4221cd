"""Envelope-aware checks on crafted responses (no server involved)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.conformance.checks import Exchange, run_checks
from mockserver.conformance.contract import load_contract
from mockserver.conformance.runner import default_spec

CONTRACT = load_contract(default_spec())
JSON = {"content-type": "application/json"}
SSE = {"content-type": "text/event-stream; charset=utf-8"}


def exchange(
    operation_id: str, body: Any, *, status: int = 200, headers: dict[str, str] | None = None, negative: bool = False
) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(CONTRACT, CONTRACT.operations[operation_id], status, headers or JSON, raw, negative=negative)


def failed(ex: Exchange) -> dict[str, str]:
    return {f.check: f.path for f in run_checks(ex)}


def test_documented_error_envelope_passes() -> None:
    assert failed(exchange("createDataset", {"code": 102, "message": "Dataset name 'a' already exists"})) == {}


def test_auth_failure_with_code_zero_is_not_a_success() -> None:
    body = {"code": 0, "data": False, "message": "`Authorization` can't be empty"}
    assert failed(exchange("listDatasets", body, negative=True)) == {}


def test_unlisted_code_is_reported() -> None:
    assert failed(exchange("listDatasets", {"code": 777, "message": "x"})) == {"envelope_code_listed": "$.code"}


def test_error_without_message_is_reported() -> None:
    found = failed(exchange("listDatasets", {"code": 102, "message": ""}))
    assert found["error_message_present"] == "$.message"


def test_success_shape_names_the_json_path() -> None:
    body = {"code": 0, "data": [{"id": "3b4de7d4241d11f0a6a79f24fc270c7f"}]}
    found = run_checks(exchange("listDatasets", body))
    shape = next(f for f in found if f.check == "success_data_shape")
    assert shape.path == "$.data[0]"
    assert "required property" in shape.message


def test_negative_input_answered_with_success_is_reported() -> None:
    assert "negative_input_rejected" in failed(exchange("listDatasets", {"code": 0, "data": []}, negative=True))
    assert failed(exchange("listDatasets", {"code": 0, "data": []})) == {}


@pytest.mark.parametrize(("status", "expected"), [(500, "no_server_error"), (418, "status_code_documented")])
def test_undocumented_statuses(status: int, expected: str) -> None:
    assert expected in failed(exchange("listDatasets", b"boom", status=status, headers={"content-type": "text/plain"}))


def test_documented_500_is_allowed() -> None:
    assert failed(exchange("difyRetrieval", {"code": 500, "message": "division by zero"}, status=500)) == {}


def test_content_type_and_json_parsing() -> None:
    assert "content_type_conformance" in failed(exchange("listDatasets", b"<p>", headers={"content-type": "text/html"}))
    assert "json_body_parses" in failed(exchange("listDatasets", b"{not json"))


def sse(*frames: str) -> bytes:
    return "".join(f"{frame}\n\n" for frame in frames).encode()


CHUNK = {"code": 0, "message": "", "data": {"answer": "hi", "reference": {}, "audio_binary": None, "id": "m"}}


def stream_failures(body: bytes) -> dict[str, str]:
    return {f.check: f.path for f in run_checks(exchange("askDatasets", body, headers=SSE))}


def test_stream_checks() -> None:
    op = CONTRACT.operations["askDatasets"]
    assert op.stream is not None
    terminator = op.stream.terminator
    good = sse("data:" + json.dumps(CHUNK), terminator)
    assert stream_failures(good) == {}
    assert "stream_terminator" in stream_failures(sse("data:" + json.dumps(CHUNK)))
    assert "stream_ordering" in stream_failures(sse("data:" + json.dumps(CHUNK), terminator, terminator))
    assert "stream_ordering" in stream_failures(sse(terminator))
    assert stream_failures(sse("data:{oops", terminator))["stream_frame_schema"] == "frame[0]"
    assert "stream_frame_schema" in stream_failures(sse("event:" + json.dumps(CHUNK), terminator))
