"""Conformance progress: heartbeat lines off a terminal, a redrawn bar on one, counts and elapsed time in both."""

from __future__ import annotations

import io

from mockserver.conformance.progress import Heartbeat


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_heartbeat_line_counts_requests_operations_and_elapsed_time() -> None:
    clock = Clock()
    out = io.StringIO()
    beat = Heartbeat(out, tty=False, clock=clock)
    beat.phase("stateful links")
    for _ in range(3):
        beat.tick("createDataset")
    clock.now += 42
    assert beat.heartbeat_line() == "  … stateful links: 3 requests, 42 s (run: 3 requests, 42 s) (last: createDataset)"
    beat.phase("operations", total=41)
    beat("[ 1/41] createDataset passed")
    beat.tick("listDatasets")
    clock.now += 5
    assert beat.status() == "operations: 1/41 operations, 1 requests, 5 s (run: 4 requests, 47 s) (last: listDatasets)"
    beat.close()
    assert out.getvalue() == "[ 1/41] createDataset passed\n", "off a terminal: only result lines (and timed beats)"


def test_a_terminal_gets_a_bar_redrawn_in_place_and_cleared_for_result_lines() -> None:
    out = io.StringIO()
    beat = Heartbeat(out, tty=True, clock=Clock())
    beat.phase("operations", total=2)
    beat.tick("listDatasets")
    beat("[ 1/2] listDatasets passed")
    beat.close()
    text = out.getvalue()
    assert "\r[" + "." * 24 + "] operations: 0/2 operations, 1 requests" in text
    assert "\r\033[K[ 1/2] listDatasets passed\n" in text
    assert "\r[" + "#" * 12 + "." * 12 + "] operations: 1/2 operations" in text
    assert text.endswith("\r\033[K")


def test_heartbeats_arrive_periodically_while_a_phase_runs() -> None:
    out = io.StringIO()
    beat = Heartbeat(out, tty=False, interval=0.01)
    beat.phase("streams")
    beat.tick("createChatCompletion")
    deadline = 200
    while "… streams: 1 requests" not in out.getvalue() and deadline:
        beat._stop.wait(0.01)
        deadline -= 1
    beat.close()
    assert "  … streams: 1 requests" in out.getvalue()
