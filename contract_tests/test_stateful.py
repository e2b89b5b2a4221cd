"""The spec's links as a state machine: chains run on resources they create, and links fire only on `code == 0`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.conftest import emulator_runner, make_options
from mockserver.conformance.checks import run_checks
from mockserver.conformance.command import emulator_app, emulator_credentials
from mockserver.conformance.runner import Runner
from mockserver.conformance.stateful import LinkWalker
from mockserver.conformance.target import Target

CHAINS = [
    # (source, link target, the path parameter the link fills)
    ("createDataset", "uploadDocuments", "dataset_id"),
    ("uploadDocuments", "addChunk", "document_id"),
    ("addChunk", "updateChunk", "chunk_id"),
    ("createChat", "createChatSession", "chat_id"),
    ("createChatSession", "updateChatSession", "session_id"),
]


def test_stateful_walk_conforms(runner: Runner) -> None:
    """Every request of the walk passes every check (known deviations aside)."""
    if runner.options.read_only:
        pytest.skip("read-only mode: no stateful phase")
    failures = []
    for ex in runner.exchanges:
        for failure in run_checks(ex):
            known = any(d.matches(ex.operation.operation_id, failure.check, failure.path) for d in runner.deviations)
            if not known:
                failures.append(f"{ex.operation.operation_id}: {failure.check} at {failure.path}: {failure.message}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("source", "target", "parameter"), CHAINS)
def test_link_chain_reaches_target(runner: Runner, source: str, target: str, parameter: str) -> None:
    """Following the links from the create operations yields real ids for the next step."""
    if runner.options.read_only:
        pytest.skip("read-only mode: no stateful phase")
    assert (target, parameter) in runner.pool, f"{source} → {target} never fired; pool: {sorted(runner.pool)}"
    done = [ex for ex in runner.exchanges if ex.operation.operation_id == target]
    assert done, f"{target} was never called"


class RefuseCreate:
    """ASGI wrapper: `POST /api/v1/datasets` answers code 102 (HTTP 200), everything else passes through."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/api/v1/datasets":
            body = json.dumps({"code": 102, "message": "refused by the test"}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def test_links_fire_only_on_code_zero(pytestconfig: pytest.Config) -> None:
    """HTTP 200 with `code != 0` is a failure in RAGFlow: no link may fire from it."""
    app = emulator_app()
    run = Runner(Target.for_app(RefuseCreate(app)), emulator_credentials(app), make_options(pytestconfig))
    LinkWalker(run).walk()
    called = {ex.operation.operation_id for ex in run.exchanges}
    assert "createDataset" in called
    assert not {"uploadDocuments", "updateDataset", "listDocuments"} & called
    assert not [key for key in run.pool if key[1] == "dataset_id"]


def test_links_fire_on_success(pytestconfig: pytest.Config) -> None:
    """The control: the same walk on the intact emulator follows createDataset's links."""
    run = emulator_runner(make_options(pytestconfig))
    LinkWalker(run).walk()
    called = {ex.operation.operation_id for ex in run.exchanges}
    assert {"createDataset", "updateDataset"} <= called
    assert ("updateDataset", "dataset_id") in run.pool
