"""Progress of a conformance run: a live bar on a terminal, periodic one-line heartbeats otherwise.

Long phases (following the spec's links, streams against a live LLM) send many requests, or wait minutes for
one, between two result lines. `Heartbeat` shows that the run is alive: on a terminal a bar redrawn in place
(phase, operations done of total, requests, elapsed seconds); elsewhere (CI logs, pipes) one line every
`interval` seconds while a phase runs, with the same counts, so a log shows where time goes without a flood.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 24


class Heartbeat:
    """The run's output: result lines (`__call__`), phases (`phase`), one `tick` per request sent."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        interval: float = 15.0,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.name = ""
        self.total: int | None = None
        self.done = 0
        self.requests = 0
        self.phase_requests = 0
        self.phase_started = self.started
        self.last = ""
        self._lock = threading.Lock()
        self._bar_shown = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what the runner calls ------------------------------------------------------------------
    def __call__(self, line: str) -> None:
        """A result line (an operation finished, or a phase note)."""
        with self._lock:
            self._clear_bar()
            self.stream.write(line + "\n")
            if self.total is not None and line.startswith("["):
                self.done += 1
            self._draw_bar()
            self.stream.flush()

    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase begins (`total`: how many operations it has, when known)."""
        with self._lock:
            self.name, self.total, self.done = name, total, 0
            self.phase_requests = 0
            self.phase_started = self.clock()
        self._ensure_thread()

    def tick(self, label: str) -> None:
        """One request was answered (`label`: its operationId)."""
        with self._lock:
            self.requests += 1
            self.phase_requests += 1
            self.last = label
            if self.tty:
                self._clear_bar()
                self._draw_bar()
                self.stream.flush()

    def close(self) -> None:
        """Stop the timer and remove the bar."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        with self._lock:
            self._clear_bar()
            self.name = ""
            self.stream.flush()

    # -- rendering ----------------------------------------------------------------------------------
    def status(self) -> str:
        """`stateful links: 12 requests, 31 s (last: createChat)`, with `3/41 operations` when counted."""
        now = self.clock()
        counts = f"{self.done}/{self.total} operations, " if self.total is not None else ""
        last = f" (last: {self.last})" if self.last else ""
        return (
            f"{self.name}: {counts}{self.phase_requests} requests, {now - self.phase_started:.0f} s "
            f"(run: {self.requests} requests, {now - self.started:.0f} s){last}"
        )

    def heartbeat_line(self) -> str:
        """The periodic line written when the output is not a terminal."""
        return f"  … {self.status()}"

    def _draw_bar(self) -> None:
        if not self.tty or not self.name:
            return
        if self.total:
            filled = round(BAR_WIDTH * min(self.done, self.total) / self.total)
            bar = "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "] "
        else:
            bar = ""
        self.stream.write(f"\r{bar}{self.status()}"[:160])
        self._bar_shown = True

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.stream.write("\r\033[K")
            self._bar_shown = False

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._beat, name="conformance-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        period = 1.0 if self.tty else self.interval
        while not self._stop.wait(period):
            with self._lock:
                if not self.name:
                    continue
                if self.tty:
                    self._clear_bar()
                    self._draw_bar()
                else:
                    self.stream.write(self.heartbeat_line() + "\n")
                self.stream.flush()
