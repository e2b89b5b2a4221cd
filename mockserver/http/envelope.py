"""Response envelopes and RetCode, byte-compatible with the real server's JSON result helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.background import BackgroundTask
from starlette.responses import Response

from mockserver.core.errors import RetCode
from mockserver.core.jsonbytes import encode_payload


def dumps(payload: Any) -> bytes:
    """Serialise like Flask's default provider: sorted keys, compact, ASCII-escaped, trailing newline."""
    return encode_payload(payload, b"\n")


class EnvelopeResponse(Response):
    """An `application/json` response holding a RAGFlow envelope (kept as a dict for the journal)."""

    media_type = "application/json"

    def __init__(
        self,
        payload: Any,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.payload = payload
        super().__init__(dumps(payload), status_code, headers, self.media_type, background)

    @property
    def code(self) -> int | None:
        """The envelope's `code` (`retcode` in the 2024 profiles' bodies), when the payload is an envelope."""
        if isinstance(self.payload, dict):
            value = self.payload.get("code", self.payload.get("retcode"))
            return value if isinstance(value, int) else None
        return None


def result(data: Any = None) -> EnvelopeResponse:
    """SDK success: `{"code":0,"data":d}`, or `{"code":0}` when data is None."""
    if data is None:
        return EnvelopeResponse({"code": RetCode.SUCCESS.value})
    return EnvelopeResponse({"code": RetCode.SUCCESS.value, "data": data})


def result_payload(code: int, message: str) -> dict[str, Any]:
    """SDK error body: `{"code":c,"message":m}` (no `data`)."""
    return {"code": code, "message": message}


def json_result_payload(code: int = 0, message: str = "success", data: Any = None) -> dict[str, Any]:
    """Web/legacy body with all three keys: `{"code":c,"data":d,"message":m}`."""
    return {"code": code, "data": data, "message": message}


def json_result(code: int = 0, message: str = "success", data: Any = None) -> EnvelopeResponse:
    """Web/legacy response with all three keys."""
    return EnvelopeResponse(json_result_payload(code, message, data))


# -- the 2024 envelopes of the historical profiles (`retcode`/`retmsg`) ----------------------------------
PayloadStyle = Callable[[Any, dict[str, Any]], dict[str, Any]]
"""How a profile shows an error body: `(error or None for an unexpected exception, current payload) → payload`."""

RETCODE_KEYS = {"code": "retcode", "message": "retmsg"}


def retcode_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A `code`/`message` body in the 2024 keys: `{"data"?, "retcode", "retmsg"}` (R3 / R2 of the references)."""
    return {RETCODE_KEYS.get(key, key): value for key, value in payload.items()}


def retcode_result(data: Any = None, message: str = "success", code: int = 0) -> EnvelopeResponse:
    """R3: `{"data":d,"retcode":c,"retmsg":m}`, all three keys always (the 2024 `get_json_result`)."""
    return EnvelopeResponse({"data": data, "retcode": code, "retmsg": message})


def message_result(data: Any = None, message: Any = "success") -> EnvelopeResponse:
    """2024-06 `construct_json_result` success: `{"code":0,"data":d,"message":m}`, without `data` when None."""
    if data is None:
        return EnvelopeResponse({"code": RetCode.SUCCESS.value, "message": message})
    return EnvelopeResponse({"code": RetCode.SUCCESS.value, "data": data, "message": message})
