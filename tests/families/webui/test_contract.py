"""openapi/webui.yaml through the conformance engine (the contract suite's checks) against the emulator: every
operation, generated positive and negative cases, with a real login token; nothing undocumented, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from mockserver.conformance.runner import Credentials, Runner, RunOptions
from mockserver.conformance.target import Target
from tests.families.webui.webkit import register_and_login, web_app

pytestmark = pytest.mark.slow
SPEC = Path(__file__).resolve().parents[3] / "openapi" / "webui.yaml"


def test_every_webui_operation_conforms() -> None:
    """35 operations, 5 generated cases per mode each: all codes documented, no server error, no exception."""
    app = web_app(world="demo")
    with TestClient(app) as web:
        token = register_and_login(web)["Authorization"]
    options = RunOptions(max_examples=5, spec=SPEC, stateful=False, seed=1)
    report = Runner(Target.for_app(app), Credentials("ragflow-mock-key", login_token=token), options).run()
    failures = [(r.operation_id, f.check, f.message) for r in report.results for f in r.failures.values()]
    assert failures == []
    assert report.server_errors == 0 and len(report.results) == 35
    assert list(emulator_state(app).unexpected) == []
