"""Parse progressions and parse jobs (lifecycle.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from mockserver.core.lifecycle import (
    DEFAULT_FAILURE,
    AfterPolls,
    AfterSeconds,
    FailAt,
    Immediate,
    ParseJob,
    Phase,
    parse_progression,
)

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("immediate", Immediate()),
        ("polls:3", AfterPolls(3)),
        ("seconds:4", AfterSeconds(4.0)),
        ("seconds:0.5", AfterSeconds(0.5)),
        ("fail:50", FailAt(50.0, DEFAULT_FAILURE)),
        ("fail:30:disk full: retry", FailAt(30.0, "disk full: retry")),
    ],
)
def test_parse_progression(spec: str, expected: object) -> None:
    assert parse_progression(spec) == expected


@pytest.mark.parametrize("spec", ["", "soon", "polls:x", "seconds:", "fail:", "immediate:1"])
def test_parse_progression_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(ValueError, match="unknown parse progression"):
        parse_progression(spec)


def test_immediate_is_finished_at_once() -> None:
    assert Immediate().phase(0.0, 0) == Phase(1.0, finished=True)


def test_after_polls() -> None:
    progression = AfterPolls(2)
    assert progression.phase(0, 0) == Phase(0.0)
    assert progression.phase(0, 1) == Phase(1 / 3)
    assert progression.phase(0, 2) == Phase(2 / 3)
    assert progression.phase(0, 3).finished
    assert AfterPolls(0).phase(0, 0).finished


def test_after_seconds() -> None:
    progression = AfterSeconds(10)
    assert progression.phase(0, 0) == Phase(0.0)
    assert progression.phase(2.5, 7) == Phase(0.25)
    assert progression.phase(10, 0).finished


def test_fail_at_percent_with_a_pace() -> None:
    progression = FailAt(50, "boom", AfterSeconds(10))
    assert progression.phase(4, 0) == Phase(0.4)
    assert progression.phase(5, 0) == Phase(0.5, failed=True)
    assert FailAt(80).phase(0, 0) == Phase(0.8, failed=True)


def test_parse_job_log_and_progress() -> None:
    job = ParseJob(AfterSeconds(10), started_at=0.0, pages=3, chunk_total=7)
    queued = job.phase(0.0)
    assert job.progress(queued) == 0.005
    halfway = job.phase(5.0)
    job = job.with_log(halfway, 5.0, ZONE)
    assert job.progress(halfway) == 0.5
    assert job.lines == (
        "08:00:05 Task has been received.",
        "08:00:05 Page(1~4): Start to parse.",
        "08:00:05 Page(1~4): Finish parsing.",
    )
    done = job.phase(10.0)
    job = job.with_log(done, 10.0, ZONE)
    assert job.progress(done) == 1.0
    assert job.lines[3] == "08:00:10 Page(1~4): Generate 7 chunks"
    assert job.lines[-1] == "08:00:10 Page(1~4): Indexing done (1.00s). Task done (10.00s)"


def test_parse_job_failure_log() -> None:
    job = ParseJob(FailAt(20, "bad bytes"), started_at=0.0, pages=1, chunk_total=1)
    phase = job.phase(0.0)
    job = job.with_log(phase, 0.0, ZONE)
    assert job.progress(phase) == -1.0
    assert job.lines == (
        "08:00:00 Task has been received.",
        "08:00:00 Page(1~2): Start to parse.",
        "08:00:00 Page(1~2): [ERROR]bad bytes",
    )


def test_parse_job_counts_polls() -> None:
    job = ParseJob(AfterPolls(1), started_at=0.0, pages=1, chunk_total=0)
    assert not job.phase(0).finished
    assert job.polled().polled().phase(0).finished
