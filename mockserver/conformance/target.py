"""Where the requests go: an in-process emulator app or a live base URL, behind one small `Target` interface."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.testclient import TestClient
from starlette.types import ASGIApp

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Bodies (streams included) are read up to this size; the rest is dropped."""


@dataclass
class SentRequest:
    """One request exactly as sent: method, path with query string, headers and raw body."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def curl(self, base_url: str) -> str:
        """A minimal `curl` command reproducing this request."""
        parts = ["curl", "-sS", "-X", self.method, shlex.quote(base_url.rstrip("/") + self.url)]
        for name, value in self.headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.body:
            try:
                text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None and text.isprintable():
                parts += ["--data-raw", shlex.quote(text)]
            else:
                parts = ["printf", shlex.quote("".join(f"\\x{b:02x}" for b in self.body)), "|", *parts]
                parts += ["--data-binary", "@-"]
        return " ".join(parts)


@dataclass
class RawResponse:
    """Status, headers (original case) and the body as bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


class Target:
    """An HTTP target: `send` one `SentRequest`, get a `RawResponse`. Use `for_app` or `for_url`."""

    def __init__(self, client: Any, base_url: str, *, live: bool, app: Any = None) -> None:
        self.client = client
        """An `httpx.Client`-like object (Starlette's TestClient is built on httpx2)."""
        self.base_url = base_url.rstrip("/")
        self.live = live
        """True for anything reached over the network: the suite then only touches what it created."""
        self.app = app

    @classmethod
    def for_app(cls, app: ASGIApp) -> Target:
        """The in-process emulator (a fresh app the suite owns entirely)."""
        client = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
        return cls(client, "http://testserver", live=False, app=app)

    @classmethod
    def for_url(cls, base_url: str, timeout: float = 60.0, *, live: bool = True) -> Target:
        """A server at `base_url` (scheme://host[:port], optional path prefix); `live=False` for a private one."""
        parsed = urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, follow_redirects=False)
        return cls(client, base_url, live=live)

    def send(self, request: SentRequest) -> RawResponse:
        """Send one request and read the whole reply (streams frame by frame, up to `MAX_BODY_BYTES`)."""
        with self.client.stream(
            request.method, request.url, headers=request.headers, content=request.body or None
        ) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY_BYTES:
                    break
            return RawResponse(response.status_code, dict(response.headers), b"".join(chunks))

    def close(self) -> None:
        """Release the client."""
        self.client.close()
