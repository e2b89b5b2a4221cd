"""Run results per operation, and the known-deviations file that turns accepted failures into "known" rows."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PASSED = "passed"
FAILED = "failed"
KNOWN = "known deviation"
NOT_IMPLEMENTED = "not implemented on target"
SKIPPED = "skipped"


@dataclass(frozen=True)
class Deviation:
    """An accepted difference: operation (glob), check and/or path prefix (`[*]` = any index), why, since when."""

    operation: str
    reason: str
    date: str
    check: str | None = None
    path: str | None = None

    def matches(self, operation_id: str, check: str, path: str) -> bool:
        """Does this entry cover a failure of `check` at `path` in `operation_id`?"""
        if not fnmatch.fnmatchcase(operation_id, self.operation):
            return False
        if self.check is not None and self.check != check:
            return False
        if self.path is None:
            return True
        return path.startswith(self.path) or re.sub(r"\[\d+\]", "[*]", path).startswith(self.path)


def load_deviations(path: Path | None) -> list[Deviation]:
    """Read `known_deviations.yaml` (a list under `deviations:`); a missing file means none."""
    if path is None or not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("deviations", []) if isinstance(data, dict) else data
    found: list[Deviation] = []
    for entry in entries or []:
        if not isinstance(entry, dict) or "operation" not in entry or "reason" not in entry:
            raise ValueError(f"{path}: each deviation needs `operation` and `reason`: {entry!r}")
        if "check" not in entry and "path" not in entry:
            raise ValueError(f"{path}: deviation for {entry['operation']} names neither `check` nor `path`")
        found.append(
            Deviation(
                operation=str(entry["operation"]),
                reason=str(entry["reason"]),
                date=str(entry.get("date", "")),
                check=None if entry.get("check") is None else str(entry["check"]),
                path=None if entry.get("path") is None else str(entry["path"]),
            )
        )
    return found


@dataclass
class FailureRecord:
    """All failures of one check in one operation, with the smallest reproducing request."""

    check: str
    message: str
    path: str
    curl: str
    count: int = 1
    known: str | None = None
    """The deviation's reason when this failure is an accepted one."""


@dataclass
class OperationResult:
    """What happened to one operation."""

    operation_id: str
    method: str
    path: str
    cases: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    failures: dict[str, FailureRecord] = field(default_factory=dict)
    not_implemented: str | None = None
    skipped: str | None = None
    server_errors: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """passed / failed / known deviation / not implemented on target / skipped."""
        if self.not_implemented is not None:
            return NOT_IMPLEMENTED
        if any(f.known is None for f in self.failures.values()):
            return FAILED
        if self.failures:
            return KNOWN
        if self.skipped is not None and self.cases == 0:
            return SKIPPED
        return PASSED

    def add_failure(self, check: str, message: str, path: str, curl: str) -> None:
        """Count a failure; keep the shortest reproducer per check."""
        found = self.failures.get(check)
        if found is None:
            self.failures[check] = FailureRecord(check, message, path, curl)
            return
        found.count += 1
        if len(curl) < len(found.curl):
            found.message, found.path, found.curl = message, path, curl

    def apply_deviations(self, deviations: list[Deviation]) -> None:
        """Mark failures covered by a known deviation."""
        for record in self.failures.values():
            for deviation in deviations:
                if deviation.matches(self.operation_id, record.check, record.path):
                    record.known = (
                        f"{deviation.reason} (since {deviation.date})" if deviation.date else deviation.reason
                    )
                    break

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "operation_id": self.operation_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "cases": self.cases,
            "by_kind": dict(self.by_kind),
            "server_errors": self.server_errors,
            "not_implemented": self.not_implemented,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "failures": [
                {
                    "check": f.check,
                    "message": f.message,
                    "path": f.path,
                    "count": f.count,
                    "known": f.known,
                    "curl": f.curl,
                }
                for f in self.failures.values()
            ],
        }


@dataclass
class RunReport:
    """The whole run: target, settings, one result per operation, cleanup notes."""

    target: str
    prefix: str
    read_only: bool
    max_examples: int
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    seconds: float = 0.0
    results: list[OperationResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fail_on_not_implemented: bool = False

    def counts(self) -> dict[str, int]:
        """Operations per status."""
        totals = dict.fromkeys((PASSED, FAILED, KNOWN, NOT_IMPLEMENTED, SKIPPED), 0)
        for result in self.results:
            totals[result.status] += 1
        return totals

    @property
    def cases(self) -> int:
        """Requests sent and checked, all operations together."""
        return sum(r.cases for r in self.results)

    @property
    def server_errors(self) -> int:
        """Undocumented 5xx replies seen."""
        return sum(r.server_errors for r in self.results)

    @property
    def ok(self) -> bool:
        """Exit 0? No unknown failure (and no unimplemented operation when asked to be strict)."""
        counts = self.counts()
        return counts[FAILED] == 0 and not (self.fail_on_not_implemented and counts[NOT_IMPLEMENTED])

    def result(self, operation_id: str) -> OperationResult:
        """The result of one operation."""
        return next(r for r in self.results if r.operation_id == operation_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "target": self.target,
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "prefix": self.prefix,
            "read_only": self.read_only,
            "max_examples": self.max_examples,
            "ok": self.ok,
            "cases": self.cases,
            "server_errors": self.server_errors,
            "counts": self.counts(),
            "notes": list(self.notes),
            "operations": [r.to_dict() for r in self.results],
        }
