"""Parse lifecycle: pluggable progressions (immediate, after N polls, after T seconds, fail at P%) as data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

RUN_NAMES: dict[str, str] = {"0": "UNSTART", "1": "RUNNING", "2": "CANCEL", "3": "DONE", "4": "FAIL"}
"""Stored `run` value → what the API shows."""
UNSTART, RUNNING, CANCEL, DONE, FAIL = "0", "1", "2", "3", "4"

QUEUED_PROGRESS = 0.005
"""Progress right after a parse request (the server picks a random value in [0, 0.01))."""
DEFAULT_FAILURE = "Internal server error while chunking"


@dataclass(frozen=True)
class Phase:
    """Where a parse job stands: running with a fraction done, finished, or failed."""

    fraction: float
    finished: bool = False
    failed: bool = False


@dataclass(frozen=True)
class Immediate:
    """Parsing completes on the spot."""

    def phase(self, elapsed: float, polls: int) -> Phase:
        """Always finished."""
        return Phase(1.0, finished=True)


@dataclass(frozen=True)
class AfterPolls:
    """The first `polls` reads show RUNNING; the next read shows DONE."""

    polls: int

    def phase(self, elapsed: float, polls: int) -> Phase:
        """Finished once the document was read more than `self.polls` times."""
        if polls > self.polls or self.polls <= 0:
            return Phase(1.0, finished=True)
        return Phase(polls / (self.polls + 1))


@dataclass(frozen=True)
class AfterSeconds:
    """Parsing takes `seconds` of (real or virtual) clock time."""

    seconds: float

    def phase(self, elapsed: float, polls: int) -> Phase:
        """Finished once `seconds` have passed since the parse request."""
        if elapsed >= self.seconds or self.seconds <= 0:
            return Phase(1.0, finished=True)
        return Phase(max(0.0, elapsed) / self.seconds)


Pace = Immediate | AfterPolls | AfterSeconds


@dataclass(frozen=True)
class FailAt:
    """Parsing advances at `pace` and fails when it reaches `percent` % with `message`."""

    percent: float
    message: str = DEFAULT_FAILURE
    pace: Pace = field(default_factory=Immediate)

    def phase(self, elapsed: float, polls: int) -> Phase:
        """Running below `percent`, failed from there on."""
        inner = self.pace.phase(elapsed, polls)
        if inner.finished or inner.fraction * 100 >= self.percent:
            return Phase(min(1.0, self.percent / 100), failed=True)
        return inner


Progression = Immediate | AfterPolls | AfterSeconds | FailAt


def parse_progression(spec: str) -> Progression:
    """`immediate`, `polls:N`, `seconds:T`, `fail:P[:message]` → a progression (ValueError when malformed)."""
    kind, _, rest = spec.strip().partition(":")
    try:
        if kind == "immediate" and not rest:
            return Immediate()
        if kind == "polls":
            return AfterPolls(int(rest))
        if kind == "seconds":
            return AfterSeconds(float(rest))
        if kind == "fail":
            percent, _, message = rest.partition(":")
            return FailAt(float(percent), message or DEFAULT_FAILURE)
    except ValueError:
        pass
    raise ValueError(f"unknown parse progression {spec!r}: use immediate, polls:N, seconds:T or fail:P[:message]")


# -- the log lines a parse run writes into `progress_msg` ------------------------------------------
_STEPS: tuple[tuple[float, str], ...] = (
    (0.0, "Task has been received."),
    (0.1, "Start to parse."),
    (0.4, "Finish parsing."),
    (0.6, "Generate {chunks} chunks"),
    (0.8, "Embedding chunks ({embed:.2f}s)"),
)


@dataclass(frozen=True)
class ParseJob:
    """One parse request of one document: its progression, start instant, reads so far and log lines."""

    progression: Progression
    started_at: float
    pages: int
    """Page count for the `Page(1~n)` prefix of the log lines."""
    chunk_total: int
    polls: int = 0
    lines: tuple[str, ...] = ()

    def polled(self) -> ParseJob:
        """The job after one more read of the document."""
        return replace(self, polls=self.polls + 1)

    def phase(self, now: float) -> Phase:
        """Where the job stands at `now` (right after the request: fraction 0, `Task is queued...`)."""
        return self.progression.phase(now - self.started_at, self.polls)

    def with_log(self, phase: Phase, now: float, zone: ZoneInfo) -> ParseJob:
        """Append the log lines reached by `phase`, stamped `HH:MM:SS` in the server's zone."""
        stamp = datetime.fromtimestamp(now, zone).strftime("%H:%M:%S")
        prefix = f"Page(1~{self.pages + 1}): "
        reached = 1.0 if phase.finished else phase.fraction
        lines = list(self.lines)
        elapsed = max(0.0, now - self.started_at)
        for index, (threshold, text) in enumerate(_STEPS):
            if index >= len(lines) and reached >= threshold:
                body = text.format(chunks=self.chunk_total, embed=elapsed * 0.3)
                lines.append(f"{stamp} {'' if index == 0 else prefix}{body}")
        if phase.failed and not any("[ERROR]" in line for line in lines):
            message = self.progression.message if isinstance(self.progression, FailAt) else DEFAULT_FAILURE
            lines.append(f"{stamp} {prefix}[ERROR]{message}")
        elif phase.finished:
            lines.append(f"{stamp} {prefix}Indexing done ({elapsed * 0.1:.2f}s). Task done ({elapsed:.2f}s)")
        return replace(self, lines=tuple(lines))

    def progress(self, phase: Phase) -> float:
        """The document's `progress` for `phase`: 1.0 done, -1.0 failed, else strictly inside (0, 1)."""
        if phase.finished:
            return 1.0
        if phase.failed:
            return -1.0
        return round(min(0.99, max(QUEUED_PROGRESS, phase.fraction)), 4)


def next_change(job: ParseJob) -> float | None:
    """When a clock-driven run next shows a change without being read (its next log line, its end, its failure);
    None for a run that only reads advance (or that is already over)."""
    progression = job.progression
    pace = progression.pace if isinstance(progression, FailAt) else progression
    if not isinstance(pace, AfterSeconds) or pace.seconds <= 0:
        return None
    marks = [threshold for threshold, _ in _STEPS[len(job.lines) :]] + [1.0]
    if isinstance(progression, FailAt):
        marks.append(progression.percent / 100)
    first = min(marks)
    if first <= 0:  # the first line needs some time to have passed
        return math.nextafter(job.started_at, math.inf)
    return job.started_at + pace.seconds * first
