"""SSE frames byte for byte: prefix, JSON style (insertion order, spaced separators, raw UTF-8), blank line."""

from __future__ import annotations

from mockserver.core import sse


def test_frame_is_data_colon_json_blank_line() -> None:
    payload = {"code": 0, "data": {"answer": "héllo ✓", "reference": {}, "audio_binary": None}}
    expected = 'data:{"code": 0, "data": {"answer": "héllo ✓", "reference": {}, "audio_binary": null}}\n\n'
    assert sse.frame(payload) == expected.encode("utf-8")


def test_frame_keeps_insertion_order_and_python_floats() -> None:
    assert sse.frame({"z": 1, "a": 0.1 + 0.2, "m": True}) == b'data:{"z": 1, "a": 0.30000000000000004, "m": true}\n\n'


def test_frame_spaced_and_terminators() -> None:
    assert sse.frame_spaced({"a": 1}) == b'data: {"a": 1}\n\n'
    assert sse.DONE == b"data:[DONE]\n\n"
    assert sse.DONE_SPACED == b"data: [DONE]\n\n"


def test_parse_splits_frames_that_join_back() -> None:
    raw = sse.frame({"a": 1}) + sse.frame({"text": "two\nlines"}) + sse.DONE
    frames = sse.parse(raw)
    assert len(frames) == 3
    assert b"".join(frames) == raw
    assert sse.payloads(raw) == [{"a": 1}, {"text": "two\nlines"}, "[DONE]"]


def test_parse_keeps_a_truncated_tail() -> None:
    raw = sse.frame({"a": 1}) + b'data:{"b"'
    assert sse.parse(raw) == [sse.frame({"a": 1}), b'data:{"b"']


def test_data_of_strips_prefix_space_and_separator() -> None:
    assert sse.data_of(sse.frame_spaced({"a": 1})) == b'{"a": 1}'
    assert sse.data_of(sse.frame({"a": 1})) == b'{"a": 1}'


def test_completion_result_and_error_frames() -> None:
    """The completion endpoints' code-0 events and their mid-stream error tail (shared by chats and legacy)."""
    assert sse.result_frame(True, with_message=False) == b'data:{"code": 0, "data": true}\n\n'
    assert (
        sse.result_frame({"a": "é"}, with_message=True)
        == 'data:{"code": 0, "message": "", "data": {"a": "é"}}\n\n'.encode()
    )
    failure, terminator = sse.error_tail(with_message=True)("boom")
    assert sse.payloads(failure) == [
        {"code": 500, "message": "boom", "data": {"answer": "**ERROR**: boom", "reference": []}}
    ]
    assert terminator == sse.result_frame(True, with_message=True)
