"""Envelope-aware checks: plain functions from one request/response exchange to a failure (or None).

RAGFlow reports most errors as HTTP 200 with `code != 0`, so status-code checks alone would both miss drift and
raise false alarms. These checks read the envelope instead:

=============================  ===================================================================
check                          fails when
=============================  ===================================================================
no_server_error                HTTP status >= 500 that the operation does not document
status_code_documented         any other HTTP status the operation does not document
content_type_conformance       the media type is not one the spec lists for that status
json_body_parses               a JSON media type whose body is not JSON
envelope_code_listed           `code` is not in the operation's `x-ragflow-codes`
error_message_present          `code != 0` without a non-empty string `message`
success_data_shape             a success body (`code == 0` or no code) does not match the success schema
error_shape                    an error body does not match any error envelope of the operation
negative_input_rejected        input generated to be invalid was answered with success (`code == 0`)
documented_headers_present     a header the spec marks required is missing
stream_frame_schema            an SSE frame lacks the prefix, is not JSON, or fails the frame schema
stream_terminator              the stream does not end with the spec's terminator event
stream_ordering                the terminator is not last / appears twice, or no event precedes it
=============================  ===================================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from mockserver.conformance.contract import Contract, OperationContract
from mockserver.conformance.target import SentRequest

_UNPARSED: Any = object()
_RETCODE_KEYS = {"retcode": "code", "retmsg": "message"}


@dataclass(frozen=True)
class Failure:
    """One failed check: which check, what went wrong, and where (JSON path or frame index)."""

    check: str
    message: str
    path: str = ""


@dataclass
class Exchange:
    """One request sent to the target and the response it got, with the contract of its operation."""

    contract: Contract
    operation: OperationContract
    status: int
    headers: Mapping[str, str]
    body: bytes
    negative: bool = False
    """The request was generated to be invalid (body or query outside the schema)."""
    request: SentRequest | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def media_type(self) -> str:
        """The response's media type without parameters, lower-case."""
        raw = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")
        return raw.split(";", 1)[0].strip().lower()

    @property
    def is_stream(self) -> bool:
        """A `text/event-stream` reply."""
        return self.media_type == "text/event-stream"

    @cached_property
    def json(self) -> Any:
        """The parsed JSON body, or `_UNPARSED` when the body is not JSON."""
        if not self.media_type.endswith("json"):
            return _UNPARSED
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return _UNPARSED

    @cached_property
    def envelope(self) -> dict[str, Any] | None:
        """The JSON body when it is an object; the 2024 profiles' `retcode`/`retmsg` read as `code`/`message`."""
        data = self.json
        if not isinstance(data, dict):
            return None
        if "retcode" in data and "code" not in data:
            return {str(_RETCODE_KEYS.get(key, key)): value for key, value in data.items()}
        return data

    @property
    def code(self) -> int | None:
        """The envelope's integer `code`, if any."""
        env = self.envelope
        value = None if env is None else env.get("code")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @cached_property
    def frames(self) -> list[bytes]:
        """SSE events (without the blank-line separator); a trailing partial event is kept as is."""
        parts = self.body.replace(b"\r\n", b"\n").split(b"\n\n")
        return [p for p in parts if p.strip()]


Check = Callable[[Exchange], Failure | None]


def _path_of(error: ValidationError) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


def _schema_failure(ex: Exchange, check: str, pointers: list[str]) -> Failure | None:
    """Validate the JSON body against the first matching schema; report the best error of all of them."""
    errors: list[ValidationError] = []
    for pointer in pointers:
        found = list(ex.contract.validator(ex.operation.operation_id, pointer).iter_errors(ex.json))
        if not found:
            return None
        errors.extend(found)
    best = best_match(errors)
    if best is None:
        return None
    deep = max(errors, key=lambda e: len(e.absolute_path))
    chosen = deep if len(deep.absolute_path) > len(best.absolute_path) else best
    return Failure(check, f"{chosen.message}", _path_of(chosen))


def no_server_error(ex: Exchange) -> Failure | None:
    """No 5xx unless the operation documents that status."""
    if ex.status >= 500 and not _documented(ex):
        return Failure(
            "no_server_error",
            f"HTTP {ex.status} is not documented for {ex.operation.operation_id}",
            ex.media_type or "-",
        )
    return None


def status_code_documented(ex: Exchange) -> Failure | None:
    """Non-5xx statuses must be documented too (5xx is `no_server_error`'s)."""
    if ex.status < 500 and not _documented(ex):
        return Failure("status_code_documented", f"HTTP {ex.status} is not documented")
    return None


def _documented(ex: Exchange) -> bool:
    statuses = ex.operation.documented_statuses
    return str(ex.status) in statuses or f"{str(ex.status)[0]}XX" in statuses or "default" in statuses


def _status_key(ex: Exchange) -> str | None:
    for key in (str(ex.status), f"{str(ex.status)[0]}XX", "default"):
        if key in ex.operation.response_media:
            return key
    return None


def content_type_conformance(ex: Exchange) -> Failure | None:
    """The media type must be one of the documented ones for this status."""
    key = _status_key(ex)
    if key is None or not ex.operation.response_media.get(key):
        return None
    allowed = set(ex.operation.response_media[key])
    if ex.media_type in allowed or any(a.endswith("/*") and ex.media_type.startswith(a[:-1]) for a in allowed):
        return None
    return Failure("content_type_conformance", f"media type {ex.media_type or '(none)'!r} not in {sorted(allowed)}")


def json_body_parses(ex: Exchange) -> Failure | None:
    """A JSON media type must carry JSON."""
    if ex.media_type.endswith("json") and ex.json is _UNPARSED:
        return Failure("json_body_parses", f"body is not JSON: {ex.body[:80]!r}")
    return None


def envelope_code_listed(ex: Exchange) -> Failure | None:
    """`code` is one of the operation's `x-ragflow-codes`."""
    env = ex.envelope
    if env is None or "code" not in env or not ex.operation.codes:
        return None
    if ex.code is None:
        return Failure("envelope_code_listed", f"code is not an integer: {env['code']!r}", "$.code")
    if ex.code not in ex.operation.codes:
        listed = ", ".join(str(c) for c in sorted(ex.operation.codes))
        return Failure("envelope_code_listed", f"code {ex.code} is not listed ({listed})", "$.code")
    return None


def error_message_present(ex: Exchange) -> Failure | None:
    """Errors carry a non-empty `message`."""
    env = ex.envelope
    if env is None or ex.code in (None, 0):
        return None
    message = env.get("message")
    if not isinstance(message, str) or not message.strip():
        return Failure("error_message_present", f"code {ex.code} with message {message!r}", "$.message")
    return None


def _is_success(ex: Exchange) -> bool:
    env = ex.envelope
    if env is None:
        return ex.json is not _UNPARSED and ex.status < 400
    return ex.code == 0 or ("code" not in env and ex.status < 400)


def success_data_shape(ex: Exchange) -> Failure | None:
    """A success body matches the documented success schema (reported against the success branches)."""
    key = _status_key(ex)
    if key is None or ex.json is _UNPARSED or not _is_success(ex):
        return None
    full = ex.operation.response_media.get(key, {}).get("application/json")
    if full is None:
        return None
    if not list(ex.contract.validator(ex.operation.operation_id, full).iter_errors(ex.json)):
        return None
    return _schema_failure(ex, "success_data_shape", ex.operation.success_pointers.get(key) or [full])


def error_shape(ex: Exchange) -> Failure | None:
    """An error body matches one of the operation's error envelopes."""
    key = _status_key(ex)
    if key is None or ex.json is _UNPARSED or _is_success(ex):
        return None
    full = ex.operation.response_media.get(key, {}).get("application/json")
    return None if full is None else _schema_failure(ex, "error_shape", [full])


def negative_input_rejected(ex: Exchange) -> Failure | None:
    """Invalid input must not succeed (any `code != 0`, HTTP 4xx, or an error frame counts as rejection)."""
    if not ex.negative or ex.status >= 400:
        return None
    if ex.is_stream:
        return Failure("negative_input_rejected", "invalid input was answered with a stream")
    if ex.envelope is not None and ex.code is not None and ex.code != 0:
        return None
    if ex.envelope is not None and ex.code == 0 and ex.envelope.get("data") is False:
        return None  # authentication quirk: code 0 with data false is a refusal
    return Failure("negative_input_rejected", "invalid input was accepted (code 0)", "$.code")


def documented_headers_present(ex: Exchange) -> Failure | None:
    """Headers the spec marks `required` are present."""
    key = _status_key(ex)
    present = {k.lower() for k in ex.headers}
    for name in ex.operation.required_headers.get(key or "", ()):
        if name.lower() not in present:
            return Failure("documented_headers_present", f"missing header {name}")
    return None


def stream_frame_schema(ex: Exchange) -> Failure | None:
    """Each event but the terminator is `<prefix><JSON>` and the JSON matches `x-ragflow-sse-frame`."""
    stream = ex.operation.stream
    if not ex.is_stream or stream is None:
        return None
    prefix = stream.prefix.encode()
    terminator = stream.terminator.encode()
    for index, frame in enumerate(ex.frames):
        if frame == terminator:
            continue
        if not frame.startswith(prefix):
            return Failure("stream_frame_schema", f"event does not start with {stream.prefix!r}", f"frame[{index}]")
        try:
            payload = json.loads(frame[len(prefix) :])
        except (ValueError, UnicodeDecodeError):
            return Failure("stream_frame_schema", f"event is not JSON: {frame[:80]!r}", f"frame[{index}]")
        if stream.frame_pointer is None:
            continue
        errors = list(ex.contract.validator(ex.operation.operation_id, stream.frame_pointer).iter_errors(payload))
        if errors:
            worst = best_match(errors) or errors[0]
            return Failure("stream_frame_schema", worst.message, f"frame[{index}]{_path_of(worst)[1:]}")
    return None


def stream_terminator(ex: Exchange) -> Failure | None:
    """The stream ends with exactly the spec's terminator event, followed by a blank line."""
    stream = ex.operation.stream
    if not ex.is_stream or stream is None or not stream.terminator:
        return None
    if not ex.frames or ex.frames[-1] != stream.terminator.encode():
        last = ex.frames[-1][:80] if ex.frames else b""
        return Failure("stream_terminator", f"last event is {last!r}, expected {stream.terminator!r}", "frame[-1]")
    if not ex.body.replace(b"\r\n", b"\n").endswith(b"\n\n"):
        return Failure("stream_terminator", "terminator is not followed by a blank line", "frame[-1]")
    return None


def stream_ordering(ex: Exchange) -> Failure | None:
    """The terminator comes once, last, and at least one event precedes it."""
    stream = ex.operation.stream
    if not ex.is_stream or stream is None or not stream.terminator:
        return None
    terminator = stream.terminator.encode()
    positions = [i for i, frame in enumerate(ex.frames) if frame == terminator]
    if len(positions) > 1:
        return Failure("stream_ordering", f"terminator appears {len(positions)} times", f"frame[{positions[1]}]")
    if positions and positions[0] != len(ex.frames) - 1:
        return Failure("stream_ordering", "events follow the terminator", f"frame[{positions[0] + 1}]")
    if positions == [0]:
        return Failure("stream_ordering", "the stream has no event before its terminator", "frame[0]")
    return None


RESPONSE_CHECKS: tuple[Check, ...] = (
    no_server_error,
    status_code_documented,
    content_type_conformance,
    json_body_parses,
    envelope_code_listed,
    error_message_present,
    success_data_shape,
    error_shape,
    negative_input_rejected,
    documented_headers_present,
)
STREAM_CHECKS: tuple[Check, ...] = (stream_frame_schema, stream_terminator, stream_ordering)
ALL_CHECKS: tuple[Check, ...] = RESPONSE_CHECKS + STREAM_CHECKS
CHECK_NAMES: tuple[str, ...] = tuple(c.__name__ for c in ALL_CHECKS)


def run_checks(ex: Exchange, checks: tuple[Check, ...] = ALL_CHECKS) -> list[Failure]:
    """Every failure of one exchange (a check that crashes is itself reported as a failure)."""
    failures: list[Failure] = []
    for check in checks:
        try:
            failure = check(ex)
        except Exception as exc:  # a check must never hide the others
            failure = Failure(check.__name__, f"check crashed: {exc!r}")
        if failure is not None:
            failures.append(failure)
    return failures
