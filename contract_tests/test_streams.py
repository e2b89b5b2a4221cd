"""Every SSE operation read frame by frame over a real socket; frames, terminator and ordering checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests.conftest import emulator_runner, make_options
from mockserver.conformance.checks import Exchange, run_checks
from mockserver.conformance.command import emulator_app, emulator_credentials
from mockserver.conformance.contract import load_contract
from mockserver.conformance.runner import Credentials, Runner, default_spec
from mockserver.conformance.stateful import LinkWalker
from mockserver.conformance.target import Target
from mockserver.server import ThreadedServer

SSE_OPERATIONS = [op.operation_id for op in load_contract(default_spec()).ordered() if op.stream is not None]


@pytest.fixture(scope="module")
def streamed(
    pytestconfig: pytest.Config, live_target: tuple[str, str] | None
) -> Iterator[tuple[Runner, list[Exchange]]]:
    """The walk, then each SSE operation once with `stream: true` — the emulator on a real socket."""
    options = make_options(pytestconfig, max_examples=0)
    if live_target is not None:
        run = Runner(Target.for_url(live_target[0]), Credentials(live_target[1]), options)
        try:
            walker = LinkWalker(run)
            walker.walk()
            yield run, walker.streams()
        finally:
            run.guard.cleanup(run.call)
        return
    app = emulator_app()
    with ThreadedServer(app) as server:
        run = emulator_runner(options, Target.for_url(server.base_url, live=False))
        run.credentials = emulator_credentials(app)
        walker = LinkWalker(run)
        walker.walk()
        yield run, walker.streams()
        run.target.close()


@pytest.mark.parametrize("operation_id", SSE_OPERATIONS)
def test_stream_frames(streamed: tuple[Runner, list[Exchange]], operation_id: str) -> None:
    run, exchanges = streamed
    if run.options.read_only:
        pytest.skip("read-only mode: streams are not requested")
    found = [ex for ex in exchanges if ex.operation.operation_id == operation_id]
    if not found:
        pytest.skip(f"no credential or not selected: {operation_id}")
    ex = found[0]
    if not ex.is_stream:
        message = f"{operation_id} did not stream: HTTP {ex.status} {ex.body[:200]!r}"
        if run.target.live:
            pytest.skip(message)
        known = [
            d.reason
            for failure in run_checks(ex)
            for d in run.deviations
            if d.matches(operation_id, failure.check, failure.path)
        ]
        if known:
            pytest.xfail(f"{message} — known deviation: {known[0]}")
        pytest.fail(message)
    failures = [f"{f.check} at {f.path}: {f.message}" for f in run_checks(ex)]
    assert not failures, "\n".join(failures)
    stream = ex.operation.stream
    assert stream is not None
    assert len(ex.frames) >= 2, ex.frames
    assert all(frame.startswith(stream.prefix.encode()) for frame in ex.frames)
