"""Slow and numerous clients (issue 16 item 8): half-sent requests are closed, connections are capped below the
file-descriptor limit, floods of one log message are rate-limited; ordinary clients keep being served."""

from __future__ import annotations

import logging
import resource
import socket
import time

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.server import ThreadedServer
from mockserver.serving import (
    BUSY_REPLY,
    GuardedH11Protocol,
    RateLimitFilter,
    ServeLimits,
    guarded_protocol,
    uvicorn_config,
)

KEY = "ragflow-k"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def _server(**limits: float) -> ThreadedServer:
    return ThreadedServer(create_app(Settings.for_tests(api_keys=(KEY,))), limits=ServeLimits(**limits))  # type: ignore[arg-type]


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the socket (recv sees EOF or a reset) within `seconds`."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


@pytest.mark.slow
def test_a_half_sent_request_is_closed_while_others_are_served() -> None:
    with _server(header_timeout=0.5) as server:
        slow = socket.create_connection(("127.0.0.1", server.port))
        slow.sendall(b"GET /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        response = httpx.get(f"{server.base_url}/api/v1/datasets", headers=HEADERS)
        assert response.json()["code"] == 0
        assert _closed_within(slow, 10.0)
        slow.close()


@pytest.mark.slow
def test_trickling_header_bytes_does_not_extend_the_deadline() -> None:
    with _server(header_timeout=1.0) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET /api/v1/datasets HTTP/1.1\r\n")
        closed = False
        for _ in range(40):  # one header byte every 0.1 s: 4 s of trickle against a 1 s deadline
            try:
                sock.sendall(b"X")
            except OSError:
                closed = True
                break
            time.sleep(0.1)
        assert closed or _closed_within(sock, 5.0)
        sock.close()


@pytest.mark.slow
def test_a_kept_alive_connection_serves_several_requests() -> None:
    with _server(header_timeout=5.0) as server, httpx.Client(base_url=server.base_url, headers=HEADERS) as http:
        for _ in range(5):
            assert http.get("/api/v1/datasets").json()["code"] == 0


@pytest.mark.slow
def test_connections_past_the_cap_get_503_and_are_closed() -> None:
    with _server(max_connections=4, header_timeout=30.0) as server:
        held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
        extra = socket.create_connection(("127.0.0.1", server.port))
        extra.settimeout(5.0)
        assert extra.recv(4096) == BUSY_REPLY
        for sock in held:
            sock.close()
        extra.close()
        deadline = time.monotonic() + 5.0
        while True:  # the held ones are gone once the server sees them close
            try:
                assert httpx.get(f"{server.base_url}/api/v1/datasets", headers=HEADERS).json()["code"] == 0
                break
            except (httpx.TransportError, AssertionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def test_the_cap_stays_below_the_fd_limit() -> None:
    protocol = guarded_protocol(ServeLimits(max_connections=10**9))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert protocol.max_connections < soft


def test_uvicorn_gets_the_limits() -> None:
    config = uvicorn_config(create_app(Settings.for_tests()), ServeLimits(keep_alive_timeout=3, limit_concurrency=7))
    assert config.timeout_keep_alive == 3
    assert config.limit_concurrency == 7
    assert isinstance(config.http, type) and issubclass(config.http, GuardedH11Protocol)


def test_a_flood_of_one_message_is_rate_limited() -> None:
    limiter = RateLimitFilter(burst=3, window=3600)
    records = [logging.LogRecord("asyncio", logging.ERROR, "x", 1, "socket.accept() out of system resource", (), None)]
    records += [
        logging.LogRecord("asyncio", logging.ERROR, "x", 1, "socket.accept() out of system resource", (), None)
        for _ in range(1000)
    ]
    passed = [r for r in records if limiter.filter(r)]
    assert len(passed) == 3
    other = logging.LogRecord("mockserver", logging.ERROR, "x", 1, "unexpected error in %s: %s", ("a", "b"), None)
    assert limiter.filter(other)


def test_suppressed_messages_are_counted_when_the_window_rolls() -> None:
    limiter = RateLimitFilter(burst=1, window=0.0)
    first = logging.LogRecord("a", logging.ERROR, "x", 1, "boom", (), None)
    assert limiter.filter(first)
    limiter.window = 3600
    assert not limiter.filter(logging.LogRecord("a", logging.ERROR, "x", 1, "boom", (), None))
    limiter.window = 0.0
    again = logging.LogRecord("a", logging.ERROR, "x", 1, "boom", (), None)
    assert limiter.filter(again)
    assert again.getMessage() == "boom [1 similar messages suppressed]"
