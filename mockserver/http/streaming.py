"""Plays a `StreamScript` over a real streaming response: the server's headers, pacing, stream faults, completion hook.

Handlers describe a stream as data (frames + pacing hints + what to persist when it is done) and never yield bytes
themselves. Each frame is sent as its own chunk, so uvicorn flushes it to the socket at once; pacing sleeps go
through the app's clock (a virtual clock in tests: instant, but every sleep is recorded).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from mockserver.core import sse
from mockserver.core.clock import Clock
from mockserver.http.context import RequestContext
from mockserver.state.faults import StreamFault

log = logging.getLogger("mockserver")

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
EXTRA_HEADERS: tuple[tuple[str, str], ...] = (
    ("Cache-control", "no-cache"),
    ("Connection", "keep-alive"),
    ("X-Accel-Buffering", "no"),
    ("Content-Type", SSE_CONTENT_TYPE),
)
"""What most RAGFlow streaming endpoints add after the mimetype header (yes, Content-Type twice)."""


@dataclass
class StreamFrame:
    """One event already encoded (see `sse.frame`); `tokens` is how many generated tokens it carries (pacing)."""

    data: bytes
    tokens: int = 0


def native_error_frames(message: str) -> list[bytes]:
    """How `/api/v1/chats/{id}/completions` reports an exception inside its generator, then terminates."""
    return [
        sse.frame({"code": 500, "message": message, "data": {"answer": "**ERROR**: " + message, "reference": []}}),
        sse.frame({"code": 0, "data": True}),
    ]


@dataclass
class StreamScript:
    """A whole stream as data: frames, headers, pacing overrides, the error tail and the completion hook."""

    frames: list[StreamFrame]
    headers: dict[str, str] = field(default_factory=dict)
    """Headers sent in addition to the server's SSE headers."""
    on_complete: Callable[[], None] | None = None
    """Persist what the stream produced (session history); runs once, even if the client stops reading."""
    complete_before: int | None = None
    """Run `on_complete` just before sending the frame at this index (the terminator); None: after the last frame."""
    server_headers: bool = True
    """Send `Cache-control`/`Connection`/`X-Accel-Buffering` and the duplicate Content-Type (False: agent OpenAI)."""
    error_frames: Callable[[str], list[bytes]] = native_error_frames
    """Frames the endpoint sends when an exception happens mid-stream (used by the `error` stream fault)."""
    tokens_per_second: float | None = None
    """Pacing override (scripted answers); None uses `Settings.stream_tokens_per_second`."""
    first_token_delay: float | None = None
    """Pacing override; None uses `Settings.stream_first_token_delay`."""

    @property
    def body(self) -> bytes:
        """Every frame concatenated: what a client reads when nothing goes wrong."""
        return b"".join(f.data for f in self.frames)


class ScriptedStreamResponse(StreamingResponse):
    """A `StreamingResponse` that plays a script: one chunk per frame, paced by the app's clock."""

    def __init__(
        self,
        script: StreamScript,
        clock: Clock,
        tokens_per_second: float,
        first_token_delay: float,
        fault: StreamFault | None = None,
    ) -> None:
        self.script = script
        self.clock = clock
        self.tokens_per_second = tokens_per_second
        self.first_token_delay = first_token_delay
        self.fault = fault or StreamFault()
        self.sent: list[bytes] = []
        """Frames actually handed to the server so far (the journal reads it)."""
        self._completed = False
        self._failed = False
        super().__init__(self._play(), status_code=200, media_type=SSE_CONTENT_TYPE)
        headers: list[tuple[str, str]] = [("Content-Type", SSE_CONTENT_TYPE)]
        if script.server_headers:
            headers.extend(EXTRA_HEADERS)
        headers.extend(script.headers.items())
        self.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]

    # -- pacing and faults -----------------------------------------------------------------------
    def delay_before(self, index: int, frame: StreamFrame, first_answer: bool) -> float:
        """Seconds to wait before sending frame `index`."""
        delay = 0.0
        if frame.tokens > 0:
            if first_answer:
                delay += self.first_token_delay
            if self.tokens_per_second > 0:
                delay += frame.tokens / self.tokens_per_second
        if self.fault.stall_before == index:
            delay += self.fault.stall_seconds
        return delay

    def _cut(self) -> tuple[int, str]:
        """Where the stream stops early and why (`end`, `truncate`, `disconnect` or `error`)."""
        total = len(self.script.frames)
        cuts = [
            (n, kind)
            for n, kind in (
                (self.fault.truncate_after, "truncate"),
                (self.fault.disconnect_after, "disconnect"),
                (self.fault.error_after, "error"),
            )
            if n is not None and n < total
        ]
        return min(cuts, default=(total, "end"))

    def _complete(self) -> None:
        if self._completed or self._failed:
            return
        self._completed = True
        if self.script.on_complete is not None:
            try:
                self.script.on_complete()
            except Exception:  # persisting must never break the wire
                log.exception("stream on_complete failed")

    async def _play(self) -> AsyncIterator[bytes]:
        stop, kind = self._cut()
        first_answer = True
        for index, frame in enumerate(self.script.frames[:stop]):
            delay = self.delay_before(index, frame, first_answer)
            if frame.tokens > 0:
                first_answer = False
            if delay > 0:
                await self.clock.sleep(delay)
            if index == self.script.complete_before:
                self._complete()
            self.sent.append(frame.data)
            yield frame.data
        if kind == "error":
            self._failed = True
            for data in self.script.error_frames(self.fault.error_message):
                self.sent.append(data)
                yield data
        elif kind == "end":
            self._complete()

    # -- transport -------------------------------------------------------------------------------
    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async for chunk in self.body_iterator:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if self._cut()[1] == "disconnect":
            return  # the server sees an unfinished response and closes the connection
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._complete()


def stream_response(ctx: RequestContext, script: StreamScript) -> ScriptedStreamResponse:
    """Play `script` for this request with the app's pacing settings and any stream fault the control plane set."""
    settings = ctx.state.settings
    fault = ctx.state.faults.stream_fault(ctx.operation.operation_id, ctx.caller_tenant_id())
    tps = script.tokens_per_second if script.tokens_per_second is not None else settings.stream_tokens_per_second
    delay = script.first_token_delay if script.first_token_delay is not None else settings.stream_first_token_delay
    return ScriptedStreamResponse(script, ctx.state.clock, tps, delay, fault)
