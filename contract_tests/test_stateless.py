"""Every operation of the spec: examples plus generated positive and negative cases, all envelope-checked."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.conftest import CASES_KEY
from mockserver.conformance.contract import load_contract
from mockserver.conformance.runner import Runner, default_spec

OPERATION_IDS = [op.operation_id for op in load_contract(default_spec()).ordered()]


def describe(result: Any) -> str:
    """Unknown failures with their reproducing curl, for the assertion message."""
    lines = []
    for record in result.failures.values():
        if record.known is None:
            lines.append(f"{record.check} at {record.path or '-'} ({record.count}x): {record.message}\n  {record.curl}")
    return "\n".join(lines)


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_operation_conforms(runner: Runner, operation_id: str, record_property: Any) -> None:
    op = runner.contract.operations[operation_id]
    result = runner.run_operation(op)
    record_property(CASES_KEY, result.cases)
    if result.not_implemented is not None:
        pytest.skip(f"not implemented on target: {result.not_implemented}")
    if result.skipped is not None:
        pytest.skip(result.skipped)
    assert not [r for r in result.failures.values() if r.known is None], describe(result)
    # The budget was really spent: generated cases on top of the stateful ones.
    generated = result.by_kind.get("positive", 0) + result.by_kind.get("negative", 0)
    assert generated >= min(runner.options.max_examples, 1), result.by_kind
