"""Fault rules as data: per-operation rules (status/code/message, delay, stream faults, times, seeded probability)."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

StreamFaultKind = Literal["truncate", "stall", "disconnect", "error"]
DEFAULT_FAULT_MESSAGE = "Injected fault"
DEFAULT_STREAM_FAULT_MESSAGE = "Stream fault injected by ragflow-mockserver"


class StreamFaultSpec(BaseModel):
    """How to break a stream: after `after_frames` frames, truncate / stall / disconnect / send an error frame."""

    model_config = ConfigDict(extra="forbid")

    kind: StreamFaultKind
    after_frames: int = Field(default=0, ge=0)
    seconds: float = Field(default=30.0, ge=0, description="stall duration")
    message: str | None = Field(default=None, description="error-frame message")


class FaultSpec(BaseModel):
    """A fault rule as given by a test or the control plane."""

    model_config = ConfigDict(extra="forbid")

    operation_id: str = Field(min_length=1, description="operationId, or `*` for every operation")
    status: int | None = Field(default=None, ge=100, le=599)
    code: int | None = None
    message: str | None = None
    delay: float = Field(default=0.0, ge=0, le=3600)
    stream: StreamFaultSpec | None = None
    times: int | None = Field(default=None, ge=1, description="fire at most this many times (None = always)")
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    seed: int | None = None
    tenant_id: str | None = Field(default=None, description="only this tenant's calls (None = every tenant)")

    @model_validator(mode="after")
    def _does_something(self) -> FaultSpec:
        if self.status is None and self.code is None and self.message is None and not self.delay and not self.stream:
            raise ValueError("a fault needs at least one of status, code, message, delay or stream")
        return self

    @property
    def replaces_response(self) -> bool:
        """Whether the rule answers instead of the handler (status/code/message given)."""
        return self.status is not None or self.code is not None or self.message is not None


@dataclass
class FaultRule:
    """A registered rule and its firing state."""

    id: str
    spec: FaultSpec
    fired: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def exhausted(self) -> bool:
        """No firings left."""
        return self.spec.times is not None and self.fired >= self.spec.times

    def to_json(self) -> dict[str, Any]:
        """JSON view for the control plane."""
        return {"id": self.id, **self.spec.model_dump(), "fired": self.fired}


class FaultRegistry:
    """The app's fault rules; `match` decides (consuming `times`) whether a call is faulted."""

    def __init__(self) -> None:
        self._rules: dict[str, FaultRule] = {}
        self._lock = threading.Lock()
        self._next = 0

    def add(self, spec: FaultSpec | dict[str, Any]) -> FaultRule:
        """Register a rule (validated); rules are tried in the order they were added."""
        checked = spec if isinstance(spec, FaultSpec) else FaultSpec.model_validate(spec)
        with self._lock:
            self._next += 1
            rule = FaultRule(id=f"fault-{self._next}", spec=checked, _random=random.Random(checked.seed))
            self._rules[rule.id] = rule
            return rule

    def rules(self, tenant_id: str | None = None) -> list[FaultRule]:
        """Registered rules (only those scoped to `tenant_id` when given)."""
        with self._lock:
            found = list(self._rules.values())
        return [r for r in found if tenant_id is None or r.spec.tenant_id == tenant_id]

    def remove(self, rule_id: str) -> bool:
        """Delete one rule; False when unknown."""
        with self._lock:
            return self._rules.pop(rule_id, None) is not None

    def clear(self, tenant_id: str | None = None) -> int:
        """Delete every rule (or one tenant's); returns how many were removed."""
        with self._lock:
            doomed = [k for k, r in self._rules.items() if tenant_id is None or r.spec.tenant_id == tenant_id]
            for key in doomed:
                del self._rules[key]
            return len(doomed)

    def match(self, operation_id: str, tenant_id: str | None, *, streaming: bool = False) -> FaultRule | None:
        """The first live rule for this call (counting the firing), or None.

        With `streaming=False` only response/delay rules are considered; with `streaming=True` only
        stream rules (the stream transport asks when it starts playing a script).
        """
        with self._lock:
            for rule in list(self._rules.values()):
                spec = rule.spec
                if (spec.stream is not None) != streaming:
                    continue
                if spec.operation_id not in ("*", operation_id) or rule.exhausted():
                    continue
                if spec.tenant_id is not None and spec.tenant_id != tenant_id:
                    continue
                if spec.probability < 1.0 and rule._random.random() >= spec.probability:
                    continue
                rule.fired += 1
                return rule
        return None

    def stream_fault(self, operation_id: str, tenant_id: str | None) -> StreamFault | None:
        """The stream fault to apply to this call's stream (counting the firing), or None."""
        rule = self.match(operation_id, tenant_id, streaming=True)
        if rule is None or rule.spec.stream is None:
            return None
        return to_stream_fault(rule.spec.stream)


@dataclass(frozen=True)
class StreamFault:
    """A fault applied to one stream, as the streaming transport plays it.

    Indices count frames from 0. Several fields may be combined; the stream stops at the first of truncate,
    disconnect or error that applies.
    """

    truncate_after: int | None = None
    """Send this many frames, then end the response cleanly (no terminator)."""
    stall_before: int | None = None
    """Pause `stall_seconds` before sending the frame at this index."""
    stall_seconds: float = 0.0
    disconnect_after: int | None = None
    """Send this many frames, then drop the connection (the chunked body is never completed)."""
    error_after: int | None = None
    """Send this many frames, then the endpoint's error frames instead of the rest (nothing is persisted)."""
    error_message: str = DEFAULT_STREAM_FAULT_MESSAGE


def to_stream_fault(spec: StreamFaultSpec) -> StreamFault:
    """Translate a spec into the transport's `StreamFault` (frame indices count from 0)."""
    n = spec.after_frames
    if spec.kind == "truncate":
        return StreamFault(truncate_after=n)
    if spec.kind == "stall":
        return StreamFault(stall_before=n, stall_seconds=spec.seconds)
    if spec.kind == "disconnect":
        return StreamFault(disconnect_after=n)
    return StreamFault(error_after=n, error_message=spec.message or DEFAULT_STREAM_FAULT_MESSAGE)
