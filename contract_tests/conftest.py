"""Target selection for the contract suites: a private in-process emulator by default, or a live server.

    pytest contract_tests                                   # in-process emulator (what CI runs)
    pytest contract_tests --base-url http://host:9380 --api-key ragflow-…   # a live RAGFlow (or RAGFLOW_* env vars)

The checks, runner and safety rules live in `mockserver.conformance` (so the installed `ragflow-mock
conformance` command uses the very same engine); `checks.py` here re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.hooks import CONFIG, DEVIATIONS, example_budget, live_settings
from mockserver.conformance.command import emulator_app, emulator_credentials
from mockserver.conformance.runner import Credentials, Runner, RunOptions
from mockserver.conformance.stateful import LinkWalker
from mockserver.conformance.target import Target

CASES_KEY = "conformance_cases"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ragflow-contract", "RAGFlow contract suites")
    group.addoption("--base-url", default=None, help="live RAGFlow base URL (env RAGFLOW_BASE_URL)")
    group.addoption("--api-key", default=None, help="API key for the live server (env RAGFLOW_API_KEY)")
    group.addoption("--beta-token", default=None, help="embedded-chat secret for chatbots/agentbots routes")
    group.addoption("--read-only", action="store_true", help="only GETs and retrieval queries on the target")
    group.addoption("--max-examples", type=int, default=None, help="override schemathesis.toml's budget")


def make_options(config: pytest.Config, **overrides: Any) -> RunOptions:
    """Run options from the command line and schemathesis.toml."""
    options = RunOptions(
        max_examples=example_budget(config.getoption("--max-examples")),
        read_only=bool(config.getoption("--read-only")),
        config=CONFIG,
        deviations=DEVIATIONS,
    )
    for key, value in overrides.items():
        setattr(options, key, value)
    return options


def emulator_runner(options: RunOptions, target: Target | None = None) -> Runner:
    """A runner on a fresh private emulator (in-process unless a target for it is given)."""
    app = emulator_app()
    return Runner(target or Target.for_app(app), emulator_credentials(app), options)


@pytest.fixture(scope="session")
def live_target(pytestconfig: pytest.Config) -> tuple[str, str] | None:
    """(base URL, API key) of a live server, or None for the in-process emulator."""
    base_url, api_key = live_settings(pytestconfig.getoption("--base-url"), pytestconfig.getoption("--api-key"))
    if base_url is None:
        return None
    if not api_key:
        raise pytest.UsageError("--base-url needs --api-key (or RAGFLOW_API_KEY)")
    return base_url, api_key


@pytest.fixture(scope="session")
def runner(pytestconfig: pytest.Config, live_target: tuple[str, str] | None) -> Iterator[Runner]:
    """One runner per session (per xdist worker): stateful walk first, cleanup at the end even on failure."""
    options = make_options(pytestconfig)
    if live_target is None:
        run = emulator_runner(options)
    else:
        credentials = Credentials(live_target[1], beta_token=pytestconfig.getoption("--beta-token"))
        run = Runner(Target.for_url(live_target[0]), credentials, options)
    try:
        if not options.read_only:
            walker = LinkWalker(run)
            walker.walk()
            walker.streams()
        yield run
    finally:
        run.guard.cleanup(run.call)
        run.target.close()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Sum the checked requests (works under xdist: user properties travel to the controller)."""
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == CASES_KEY and isinstance(value, int):
            totals = _totals()
            totals["cases"] += value
            totals["operations"] += 1


_TOTALS: dict[str, int] = {"cases": 0, "operations": 0}


def _totals() -> dict[str, int]:
    return _TOTALS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    totals = _totals()
    if totals["operations"]:
        terminalreporter.write_line(
            f"contract suites: {totals['cases']} requests checked over {totals['operations']} operations"
        )
