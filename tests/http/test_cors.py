"""The fast CORS layer answers exactly what Starlette's `CORSMiddleware` answers, with and without `Origin`."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from mockserver.http.cors import OriginlessFastCORS

RESPONSE_HEADERS = st.lists(
    st.sampled_from([(b"vary", b"Accept"), (b"vary", b"Cookie"), (b"content-type", b"application/json"), (b"x", b"1")]),
    max_size=4,
)
REQUEST_HEADERS = st.lists(
    st.sampled_from(
        [(b"origin", b"http://a.example"), (b"host", b"127.0.0.1"), (b"access-control-request-method", b"GET")]
    ),
    max_size=3,
)


def _run(middleware: type[CORSMiddleware], scope: Scope, sent: list[tuple[bytes, bytes]]) -> list[Message]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(sent)})
        await send({"type": "http.response.body", "body": b"{}"})

    out: list[Message] = []

    async def send(message: Message) -> None:
        out.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    layer: Any = middleware(
        app,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=True,
        expose_headers=["Authorization"],
    )
    asyncio.run(layer(scope, receive, send))
    return out


@settings(max_examples=150, deadline=None)
@given(RESPONSE_HEADERS, REQUEST_HEADERS, st.sampled_from(["GET", "POST", "OPTIONS"]))
def test_same_messages_as_starlette(
    sent: list[tuple[bytes, bytes]], request: list[tuple[bytes, bytes]], method: str
) -> None:
    scope = {"type": "http", "method": method, "path": "/", "headers": request, "query_string": b""}
    assert _run(OriginlessFastCORS, dict(scope), sent) == _run(CORSMiddleware, dict(scope), sent)
