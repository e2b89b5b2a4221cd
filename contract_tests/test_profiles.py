"""The contract suite over the dataset-era profiles' documents: every operation of `profile-2024-06-dataset.yaml`
and `profile-2024-10-draft.yaml` against an emulator with that profile selected (examples, generated positive and
negative cases, envelope checks), with the small budget of a smoke run."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.conftest import CASES_KEY, make_options
from mockserver.conformance.command import emulator_app, emulator_credentials
from mockserver.conformance.runner import Runner
from mockserver.conformance.target import Target
from mockserver.paths import openapi_dir
from mockserver.profiles.registry import profile_named

PROFILES = ("2024-06-dataset", "2024-10-draft")
BUDGET = 3


@pytest.fixture(scope="module", params=PROFILES)
def profile_runner(request: pytest.FixtureRequest) -> Runner:
    """A runner on a private emulator serving the profile at its original paths, checked against its document."""
    name = str(request.param)
    spec = openapi_dir() / profile_named(name).spec_file
    options = make_options(request.config, spec=spec, max_examples=BUDGET, stateful=False)
    app = emulator_app(name)
    return Runner(Target.for_app(app), emulator_credentials(app), options)


def test_every_profile_operation_conforms(profile_runner: Runner, record_property: Any) -> None:
    cases = 0
    failures = []
    for op in profile_runner.selected():
        result = profile_runner.run_operation(op)
        assert result.skipped is None, (op.operation_id, result.skipped)
        cases += result.cases
        failures += [f"{op.operation_id}: {r.check}: {r.message}" for r in result.failures.values() if r.known is None]
    record_property(CASES_KEY, cases)
    assert not failures, "\n".join(failures)
    assert cases >= len(profile_runner.selected())
