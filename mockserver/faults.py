"""Fault injection: per-operation rules (status/code/message, delay, stream faults, times, seeded probability)."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mockserver.envelope import EnvelopeResponse
from mockserver.journal import caller_tenant_id, is_control_plane
from mockserver.streaming import DEFAULT_FAULT_MESSAGE as DEFAULT_STREAM_FAULT_MESSAGE
from mockserver.streaming import StreamFault

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.context import RequestContext
    from mockserver.routing import Next

StreamFaultKind = Literal["truncate", "stall", "disconnect", "error"]
DEFAULT_FAULT_MESSAGE = "Injected fault"


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


@dataclass(frozen=True)
class Firing:
    """What a rule decided for one call."""

    rule_id: str
    delay: float
    response: dict[str, Any] | None
    status: int
    stream: StreamFaultSpec | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON view (tests)."""
        return asdict(self)


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


def faults_of(state: Any) -> FaultRegistry:
    """The app's fault registry (created on first use)."""
    registry: FaultRegistry | None = state.extensions.get("faults")
    if registry is None:
        registry = state.extensions.setdefault("faults", FaultRegistry())
    return registry


def fault_response(spec: FaultSpec) -> Response:
    """The envelope a replacing rule answers: `{"code":c,"message":m}` with the given HTTP status."""
    code = spec.code if spec.code is not None else 100
    return EnvelopeResponse({"code": code, "message": spec.message or DEFAULT_FAULT_MESSAGE}, spec.status or 200)


async def fault_interceptor(ctx: RequestContext, call_next: Next) -> Response:
    """Interceptor applying the first matching response/delay rule to an emulated-API call."""
    if is_control_plane(ctx):
        return await call_next(ctx)
    registry: FaultRegistry | None = ctx.state.extensions.get("faults")
    if registry is None:
        return await call_next(ctx)
    rule = registry.match(ctx.operation.operation_id, caller_tenant_id(ctx))
    if rule is None:
        return await call_next(ctx)
    if rule.spec.delay:
        await ctx.state.clock.sleep(rule.spec.delay)
    if rule.spec.replaces_response:
        return fault_response(rule.spec)
    return await call_next(ctx)


def stream_fault_for(ctx: RequestContext) -> StreamFault | None:
    """The `stream_faults` hook: the stream fault to apply to this call's stream, or None."""
    registry: FaultRegistry | None = ctx.state.extensions.get("faults")
    if registry is None or is_control_plane(ctx):
        return None
    rule = registry.match(ctx.operation.operation_id, caller_tenant_id(ctx), streaming=True)
    if rule is None or rule.spec.stream is None:
        return None
    return to_stream_fault(rule.spec.stream)


def to_stream_fault(spec: StreamFaultSpec) -> StreamFault:
    """Translate a spec into the streaming transport's `StreamFault` (frame indices count from 0)."""
    n = spec.after_frames
    if spec.kind == "truncate":
        return StreamFault(truncate_after=n)
    if spec.kind == "stall":
        return StreamFault(stall_before=n, stall_seconds=spec.seconds)
    if spec.kind == "disconnect":
        return StreamFault(disconnect_after=n)
    return StreamFault(error_after=n, error_message=spec.message or DEFAULT_STREAM_FAULT_MESSAGE)


def install(state: Any) -> FaultRegistry:
    """Attach a fault registry and the stream-fault hook to an app state (the caller places the interceptor)."""
    registry = faults_of(state)
    state.extensions["stream_faults"] = stream_fault_for
    return registry
