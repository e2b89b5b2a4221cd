"""The stream player: server headers, pacing through the clock, faults, the completion hook, real flushing."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from mockserver.core import sse
from mockserver.core.clock import RealClock, VirtualClock
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.server import ThreadedServer
from mockserver.settings import Settings
from mockserver.state.faults import StreamFault


def fake_ctx(clock: Any, settings: Settings, fault: StreamFault | None = None) -> Any:
    faults = SimpleNamespace(stream_fault=lambda operation_id, tenant_id: fault)
    return SimpleNamespace(
        state=SimpleNamespace(settings=settings, clock=clock, faults=faults),
        operation=SimpleNamespace(operation_id="op"),
        caller_tenant_id=lambda: None,
    )


def make_script(events: int = 5, tokens: int = 4, log: list[str] | None = None, **extra: Any) -> StreamScript:
    frames = [StreamFrame(sse.frame({"n": i}), tokens) for i in range(events)]
    frames.append(StreamFrame(sse.frame({"code": 0, "data": True})))
    done = log if log is not None else []
    return StreamScript(frames, on_complete=lambda: done.append("saved"), **extra)


def app_for(ctx: Any, build: Any) -> Starlette:
    async def endpoint(request: Request) -> Response:
        return stream_response(ctx, build())

    return Starlette(routes=[Route("/s", endpoint)])


def test_headers_are_the_servers_with_the_duplicate_content_type() -> None:
    ctx = fake_ctx(VirtualClock(), Settings.for_tests())
    response = TestClient(app_for(ctx, make_script)).get("/s")
    assert response.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.headers["connection"] == "keep-alive"
    plain = TestClient(app_for(ctx, lambda: make_script(server_headers=False))).get("/s")
    assert plain.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"]
    assert "x-accel-buffering" not in plain.headers


def test_virtual_clock_records_the_pacing_without_waiting() -> None:
    clock = VirtualClock()
    settings = Settings.for_tests(stream_tokens_per_second=8.0, stream_first_token_delay=0.5)
    log: list[str] = []
    started = time.perf_counter()
    body = TestClient(app_for(fake_ctx(clock, settings), lambda: make_script(log=log))).get("/s").content
    assert time.perf_counter() - started < 1.0
    assert clock.slept == [1.0, 0.5, 0.5, 0.5, 0.5]  # first-token delay + 4/8 s, then 4/8 s per frame
    assert sse.payloads(body)[-1] == {"code": 0, "data": True}
    assert log == ["saved"]


def test_script_pacing_overrides_settings() -> None:
    clock = VirtualClock()
    settings = Settings.for_tests(stream_tokens_per_second=8.0)
    client = TestClient(app_for(fake_ctx(clock, settings), lambda: make_script(2, tokens_per_second=2.0)))
    client.get("/s")
    assert clock.slept == [2.0, 2.0]


def test_on_complete_runs_before_the_terminator_when_asked() -> None:
    seen: list[str] = []

    def script() -> StreamScript:
        built = make_script(2, log=seen, complete_before=2)
        built.frames[-1] = StreamFrame(sse.frame({"saved_before": True}))
        return built

    ctx = fake_ctx(VirtualClock(), Settings.for_tests())
    TestClient(app_for(ctx, script)).get("/s")
    assert seen == ["saved"]


def test_truncate_fault_stops_early_but_persists() -> None:
    log: list[str] = []
    ctx = fake_ctx(VirtualClock(), Settings.for_tests(), StreamFault(truncate_after=2))
    body = TestClient(app_for(ctx, lambda: make_script(log=log))).get("/s").content
    assert sse.payloads(body) == [{"n": 0}, {"n": 1}]
    assert log == ["saved"]


def test_error_fault_sends_the_endpoint_error_frames_and_persists_nothing() -> None:
    log: list[str] = []
    ctx = fake_ctx(VirtualClock(), Settings.for_tests(), StreamFault(error_after=1, error_message="boom"))
    body = TestClient(app_for(ctx, lambda: make_script(log=log))).get("/s").content
    assert sse.payloads(body) == [
        {"n": 0},
        {"code": 500, "message": "boom", "data": {"answer": "**ERROR**: boom", "reference": []}},
        {"code": 0, "data": True},
    ]
    assert log == []


def test_stall_fault_sleeps_before_the_frame() -> None:
    clock = VirtualClock()
    ctx = fake_ctx(clock, Settings.for_tests(), StreamFault(stall_before=1, stall_seconds=30.0))
    TestClient(app_for(ctx, lambda: make_script(3))).get("/s")
    assert clock.slept == [30.0]


@pytest.mark.slow
def test_frames_arrive_spread_over_time_on_a_real_socket() -> None:
    settings = Settings(stream_tokens_per_second=40.0, stream_first_token_delay=0.05)
    log: list[str] = []
    app = app_for(fake_ctx(RealClock(), settings), lambda: make_script(6, tokens=4, log=log))
    arrivals: list[tuple[float, bytes]] = []
    with ThreadedServer(app) as server, httpx.Client() as client:
        started = time.perf_counter()
        with client.stream("GET", f"{server.base_url}/s") as response:
            for chunk in response.iter_raw():
                arrivals.append((time.perf_counter() - started, chunk))
    body = b"".join(chunk for _, chunk in arrivals)
    assert len(sse.parse(body)) == 7
    assert len(arrivals) >= 6  # one read per frame, not one buffered write
    first, last = arrivals[0][0], arrivals[-1][0]
    assert first < 0.5 * last
    assert last - first >= 0.4  # 5 more frames of 4 tokens at 40 tokens/s
    assert log == ["saved"]


@pytest.mark.slow
def test_disconnect_fault_drops_the_connection_mid_stream() -> None:
    log: list[str] = []
    ctx = fake_ctx(VirtualClock(), Settings.for_tests(), StreamFault(disconnect_after=2))
    app = app_for(ctx, lambda: make_script(log=log))
    received: list[bytes] = []

    def read_all(url: str) -> None:
        with httpx.Client() as client, client.stream("GET", url) as response:
            received.extend(response.iter_raw())

    with ThreadedServer(app, log_level="critical") as server, pytest.raises(httpx.RemoteProtocolError):
        read_all(f"{server.base_url}/s")
    assert sse.payloads(b"".join(received)) == [{"n": 0}, {"n": 1}]
    assert log == ["saved"]
