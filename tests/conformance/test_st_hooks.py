"""The envelope-aware checks as schemathesis checks: registered by name, failing like the engine, usable by `st run`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from mockserver import Settings, create_app
from mockserver.conformance import st_hooks
from mockserver.conformance.checks import CHECK_NAMES
from mockserver.server import ThreadedServer

ROOT = Path(__file__).resolve().parents[2]


def fake(operation_id: str, body: bytes, status: int = 200) -> tuple[SimpleNamespace, SimpleNamespace]:
    case = SimpleNamespace(operation=SimpleNamespace(definition=SimpleNamespace(raw={"operationId": operation_id})))
    case.meta = None
    response = SimpleNamespace(status_code=status, headers={"content-type": ["application/json"]}, content=body)
    return case, response


def test_every_check_is_registered_under_a_ragflow_name() -> None:
    assert set(st_hooks.REGISTERED) == {f"ragflow_{name}" for name in CHECK_NAMES} | {"ragflow_envelope"}
    from schemathesis.checks import CHECKS

    assert set(st_hooks.REGISTERED) <= set(CHECKS.get_all_names())


def test_an_unlisted_envelope_code_fails_the_check() -> None:
    case, response = fake("listDatasets", b'{"code": 12345, "message": "odd"}')
    with pytest.raises(AssertionError, match=r"envelope_code_listed: .*12345"):
        st_hooks.REGISTERED["ragflow_envelope"](None, response, case)
    with pytest.raises(AssertionError, match="envelope_code_listed"):
        st_hooks.REGISTERED["ragflow_envelope_code_listed"](None, response, case)
    assert st_hooks.REGISTERED["ragflow_error_message_present"](None, response, case) is None


def test_operations_outside_the_contract_are_not_checked() -> None:
    case, response = fake("someoneElsesOperation", b"not json at all", status=500)
    assert st_hooks.REGISTERED["ragflow_envelope"](None, response, case) is None


@pytest.mark.slow
def test_st_run_uses_the_checks_with_the_documented_setup(tmp_path: Path) -> None:
    with ThreadedServer(create_app(Settings.for_tests())) as server:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{server.base_url}/openapi.yaml",
                "-H",
                "Authorization: Bearer ragflow-mock-key",
                "--checks",
                "ragflow_envelope",
                "--include-operation-id",
                "listDatasets",
                "--max-examples",
                "3",
                "--phases",
                "examples,fuzzing",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # schemathesis writes its .schemathesis/ cache into the working directory
            env={**os.environ, "SCHEMATHESIS_HOOKS": "mockserver.conformance.st_hooks", "PYTHONPATH": str(ROOT)},
            timeout=300,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout
