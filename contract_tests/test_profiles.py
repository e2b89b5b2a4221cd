"""Every operation of every historical profile's document, against an emulator with that profile selected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.conftest import CASES_KEY, make_options
from contract_tests.test_stateless import describe
from mockserver.conformance.command import emulator_app, emulator_credentials
from mockserver.conformance.contract import load_contract
from mockserver.conformance.runner import Runner
from mockserver.conformance.target import Target
from mockserver.paths import openapi_dir
from mockserver.profiles.registry import PROFILES

CASES = [
    (profile.name, op.operation_id)
    for profile in PROFILES
    for op in load_contract(openapi_dir() / profile.spec_file).ordered()
]
_RUNNERS: dict[str, Runner] = {}


@pytest.fixture(scope="module")
def profile_runners(pytestconfig: pytest.Config) -> Iterator[dict[str, Runner]]:
    """One runner per profile (in-process emulator with the profile at its original paths), closed at the end."""
    yield _RUNNERS
    for run in _RUNNERS.values():
        run.guard.cleanup(run.call)
        run.target.close()
    _RUNNERS.clear()


def runner_for(runners: dict[str, Runner], config: pytest.Config, name: str) -> Runner:
    if name not in runners:
        spec = openapi_dir() / next(p for p in PROFILES if p.name == name).spec_file
        app = emulator_app(name)
        runners[name] = Runner(Target.for_app(app), emulator_credentials(app), make_options(config, spec=spec))
    return runners[name]


@pytest.mark.parametrize(("profile", "operation_id"), CASES, ids=[f"{p}:{o}" for p, o in CASES])
def test_profile_operation_conforms(
    profile_runners: dict[str, Runner],
    pytestconfig: pytest.Config,
    profile: str,
    operation_id: str,
    record_property: Any,
) -> None:
    if pytestconfig.getoption("--base-url"):
        pytest.skip("profile documents are checked in-process here; use `ragflow-mock conformance --profile`")
    runner = runner_for(profile_runners, pytestconfig, profile)
    result = runner.run_operation(runner.contract.operations[operation_id])
    record_property(CASES_KEY, result.cases)
    if result.skipped is not None:
        pytest.skip(result.skipped)
    assert result.not_implemented is None, result.not_implemented
    assert not [r for r in result.failures.values() if r.known is None], describe(result)
