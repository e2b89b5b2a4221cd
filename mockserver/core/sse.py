"""Server-sent-event frames as RAGFlow writes them: a pure encoder and parser, no transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mockserver.core.jsonbytes import json_utf8


def stream_json(payload: Any) -> str:
    """Serialise one stream event like `json.dumps(..., ensure_ascii=False)`: insertion order, `", "`/`": "`."""
    return json.dumps(payload, ensure_ascii=False)


PREFIX = b"data:"
"""RAGFlow-native endpoints and the OpenAI chat endpoint: `data:` with no space."""
PREFIX_SPACED = b"data: "
"""The OpenAI-compatible agent endpoint: `data: ` with a space."""
SEPARATOR = b"\n\n"
DONE = b"data:[DONE]\n\n"
"""Terminator of the OpenAI-compatible chat stream."""
DONE_SPACED = b"data: [DONE]\n\n"
"""Terminator of the OpenAI-compatible agent stream."""


def frame(payload: Any) -> bytes:
    """One event: `data:` + the payload as `json.dumps(..., ensure_ascii=False)` + a blank line."""
    return PREFIX + json_utf8(stream_json(payload)) + SEPARATOR


def frame_spaced(payload: Any) -> bytes:
    """One event with the agent endpoint's `data: ` prefix."""
    return PREFIX_SPACED + json_utf8(stream_json(payload)) + SEPARATOR


def parse(raw: bytes) -> list[bytes]:
    """Split a stream body into its frames (each with its `data:` line and blank line, so they join back to `raw`).

    A trailing fragment without its blank line (a truncated stream) is returned as the last element.
    """
    frames: list[bytes] = []
    start = 0
    while start < len(raw):
        end = raw.find(SEPARATOR, start)
        if end < 0:
            frames.append(raw[start:])
            break
        frames.append(raw[start : end + len(SEPARATOR)])
        start = end + len(SEPARATOR)
    return frames


def data_of(event: bytes) -> bytes:
    """The payload bytes of one frame (prefix, optional space and blank line removed)."""
    body = event[len(PREFIX) :] if event.startswith(PREFIX) else event
    if body.startswith(b" "):
        body = body[1:]
    return body.rstrip(b"\n")


def payloads(raw: bytes) -> list[Any]:
    """Decode every frame's JSON payload (`[DONE]` decodes to the string `"[DONE]"`)."""
    decoded: list[Any] = []
    for event in parse(raw):
        data = data_of(event)
        decoded.append(data.decode("utf-8") if data == b"[DONE]" else json.loads(data))
    return decoded


def result_frame(data: Any, *, with_message: bool) -> bytes:
    """A code-0 event of the completion endpoints: `{"code": 0, "data": …}`, with `"message": ""` where sent."""
    return frame({"code": 0, "message": "", "data": data} if with_message else {"code": 0, "data": data})


def error_tail(*, with_message: bool) -> Callable[[str], list[bytes]]:
    """The error event an exception inside a completion generator produces, then the terminator."""

    def frames(message: str) -> list[bytes]:
        failure = {"code": 500, "message": message, "data": {"answer": "**ERROR**: " + message, "reference": []}}
        return [frame(failure), result_frame(True, with_message=with_message)]

    return frames


def retcode_frame(data: Any, code: int = 0, message: str = "") -> bytes:
    """An event of the 2024-05 (v0.7.0) legacy completion: `{"retcode": c, "retmsg": m, "data": …}`."""
    return frame({"retcode": code, "retmsg": message, "data": data})


def retcode_error_tail(message: str) -> list[bytes]:
    """The 2024-05 legacy completion's error event for an exception in its generator, then its terminator."""
    failure = {"answer": "**ERROR**: " + message, "reference": []}
    return [retcode_frame(failure, 500, message), retcode_frame(True)]
