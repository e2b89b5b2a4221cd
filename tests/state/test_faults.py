"""`FaultRegistry` and `FaultSpec`: seeded probability, remove/clear, validation, stream faults (no HTTP)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mockserver.state.faults import DEFAULT_STREAM_FAULT_MESSAGE as DEFAULT_FAULT_MESSAGE
from mockserver.state.faults import FaultRegistry, FaultSpec, StreamFault, to_stream_fault


def test_probability_is_reproducible_with_a_seed() -> None:
    def pattern() -> list[bool]:
        registry = FaultRegistry()
        registry.add({"operation_id": "x", "code": 1, "probability": 0.5, "seed": 42})
        return [registry.match("x", None) is not None for _ in range(20)]

    first = pattern()
    assert first == pattern()
    assert 0 < sum(first) < 20


def test_registry_remove_and_clear() -> None:
    registry = FaultRegistry()
    a = registry.add({"operation_id": "x", "code": 1, "tenant_id": "t1"})
    registry.add({"operation_id": "y", "code": 1})
    assert registry.remove(a.id) and not registry.remove(a.id)
    assert registry.clear("t1") == 0
    assert registry.clear() == 1


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"operation_id": "x"}, "at least one of status, code, message, delay or stream"),
        ({"operation_id": "x", "status": 99}, "greater than or equal to 100"),
        ({"operation_id": "x", "code": 1, "probability": 2}, "less than or equal to 1"),
        ({"operation_id": "x", "code": 1, "times": 0}, "greater than or equal to 1"),
        ({"operation_id": "x", "stream": {"kind": "explode"}}, "Input should be 'truncate', 'stall'"),
        ({"operation_id": "x", "code": 1, "bogus": 1}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_rules_are_refused(spec: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        FaultSpec.model_validate(spec)


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        ({"kind": "truncate", "after_frames": 2}, StreamFault(truncate_after=2)),
        ({"kind": "stall", "after_frames": 1, "seconds": 3}, StreamFault(stall_before=1, stall_seconds=3)),
        ({"kind": "disconnect", "after_frames": 4}, StreamFault(disconnect_after=4)),
        ({"kind": "error"}, StreamFault(error_after=0, error_message=DEFAULT_FAULT_MESSAGE)),
        ({"kind": "error", "message": "boom"}, StreamFault(error_after=0, error_message="boom")),
    ],
)
def test_stream_specs_become_stream_faults(stream: dict[str, object], expected: StreamFault) -> None:
    spec = FaultSpec.model_validate({"operation_id": "x", "stream": stream})
    assert spec.stream is not None
    assert to_stream_fault(spec.stream) == expected


def test_stream_rules_are_only_consumed_by_streams() -> None:
    registry = FaultRegistry()
    registry.add({"operation_id": "x", "stream": {"kind": "truncate"}, "times": 1})
    assert registry.match("x", None) is None
    assert registry.match("x", None, streaming=True) is not None
    assert registry.match("x", None, streaming=True) is None
