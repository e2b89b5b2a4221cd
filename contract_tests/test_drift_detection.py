"""Proof the suite catches drift: the emulator behind an ASGI wrapper that injects faults, each reported right."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_tests.conftest import make_options
from mockserver.cli import main
from mockserver.conformance.command import emulator_app, emulator_credentials
from mockserver.conformance.contract import load_contract
from mockserver.conformance.runner import Runner, default_spec
from mockserver.conformance.target import Target
from mockserver.server import ThreadedServer

Reply = tuple[int, dict[str, str], bytes]
Fault = Callable[[Reply], Reply]


def _json_fault(edit: Callable[[dict[str, Any]], None]) -> Fault:
    def fault(reply: Reply) -> Reply:
        status, headers, body = reply
        try:
            payload = json.loads(body)
        except ValueError:
            return reply
        if isinstance(payload, dict):
            edit(payload)
        return status, headers, json.dumps(payload).encode()

    return fault


def rename_name_in_data(payload: dict[str, Any]) -> None:
    """listDatasets: every dataset's `name` becomes `dataset_name`."""
    for item in payload.get("data") or []:
        if isinstance(item, dict) and "name" in item:
            item["dataset_name"] = item.pop("name")


def argument_errors_succeed(payload: dict[str, Any]) -> None:
    """createDataset: validation failures (101) come back as code 0."""
    if payload.get("code") == 101:
        payload["code"] = 0


def data_errors_unlisted(payload: dict[str, Any]) -> None:
    """deleteDatasets: code 102 becomes 777, which the spec does not list."""
    if payload.get("code") == 102:
        payload["code"] = 777


def server_error(reply: Reply) -> Reply:
    """updateDataset: a bare 500."""
    return 500, {"content-type": "text/plain"}, b"Internal Server Error"


def stream_operation() -> str:
    """The first SSE operation of the spec."""
    return next(op.operation_id for op in load_contract(default_spec()).ordered() if op.stream is not None)


@functools.cache
def example_stream(operation_id: str) -> bytes:
    op = load_contract(default_spec()).operations[operation_id]
    doc = yaml.safe_load(Path(default_spec()).read_text(encoding="utf-8"))
    media = doc["paths"][op.path][op.method.lower()]["responses"]["200"]["content"]["text/event-stream"]
    return str(media["example"]).encode()


def drop_terminator(reply: Reply) -> Reply:
    """The stream loses its terminator event (an implemented stream, or the spec example for a pending one)."""
    status, headers, body = reply
    if "text/event-stream" not in headers.get("content-type", ""):
        # No stream to break (pending, or an error before the first event): break the spec's example instead.
        status, body, headers = 200, example_stream(STREAM_OP), {"content-type": "text/event-stream; charset=utf-8"}
    frames = [f for f in body.split(b"\n\n") if f.strip()]
    return status, headers, b"\n\n".join(frames[:-1]) + b"\n\n"


STREAM_OP = stream_operation()
FAULTS: dict[str, tuple[Fault, str]] = {
    "listDatasets": (_json_fault(rename_name_in_data), "success_data_shape"),
    "createDataset": (_json_fault(argument_errors_succeed), "negative_input_rejected"),
    "deleteDatasets": (_json_fault(data_errors_unlisted), "envelope_code_listed"),
    "updateDataset": (server_error, "no_server_error"),
    STREAM_OP: (drop_terminator, "stream_terminator"),
}


class FaultyEmulator:
    """ASGI wrapper: buffers the reply of each faulted operation and rewrites it."""

    def __init__(self, app: Any, faults: dict[str, tuple[Fault, str]]) -> None:
        self.app = app
        self.faults = faults
        self.routes = [
            (op.method, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", op.path) + "/?$"), op.operation_id)
            for op in load_contract(default_spec()).operations.values()
        ]

    def operation(self, scope: Any) -> str | None:
        for method, pattern, operation_id in self.routes:
            if method == scope["method"] and pattern.match(scope["path"]):
                return operation_id
        return None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        op = self.operation(scope) if scope["type"] == "http" else None
        if op not in self.faults:
            await self.app(scope, receive, send)
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        headers = {k.decode().lower(): v.decode() for k, v in started.get("headers", [])}
        headers.pop("content-length", None)
        status, headers, body = self.faults[op][0]((started.get("status", 200), headers, b"".join(chunks)))
        raw = [(k.encode(), v.encode()) for k, v in headers.items()] + [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def test_every_injected_fault_is_reported(pytestconfig: pytest.Config) -> None:
    app = emulator_app()
    options = make_options(pytestconfig, max_examples=8, operations=",".join(FAULTS), deviations=None)
    runner = Runner(Target.for_app(FaultyEmulator(app, FAULTS)), emulator_credentials(app), options)
    report = runner.run()
    assert not report.ok
    for operation_id, (_, check) in FAULTS.items():
        result = report.result(operation_id)
        assert check in result.failures, (operation_id, sorted(result.failures))
    renamed = report.result("listDatasets").failures["success_data_shape"]
    assert "name" in renamed.message
    assert renamed.path.startswith("$.data[")


def test_intact_emulator_passes_the_same_run(pytestconfig: pytest.Config) -> None:
    """The control: without the faults the same operations pass."""
    app = emulator_app()
    options = make_options(pytestconfig, max_examples=8, operations=",".join(FAULTS))
    report = Runner(Target.for_app(app), emulator_credentials(app), options).run()
    for operation_id in FAULTS:
        assert report.result(operation_id).status in ("passed", "not implemented on target"), operation_id


def test_cli_exits_1_and_names_each_fault(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = emulator_app()
    key = emulator_credentials(app).api_key
    with ThreadedServer(FaultyEmulator(app, FAULTS)) as server:
        code = main(
            [
                "conformance",
                *("--base-url", server.base_url, "--api-key", key, "--max-examples", "5"),
                *("--operations", ",".join(FAULTS), "--report-dir", str(tmp_path)),
            ]
        )
    out = capsys.readouterr().out
    assert code == 1
    for operation_id, (_, check) in FAULTS.items():
        assert f"FAILED {operation_id}: {check}" in out, out
    assert {p.name for p in tmp_path.iterdir()} == {"conformance.xml", "conformance.json", "conformance.md"}
