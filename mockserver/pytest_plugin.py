"""pytest plugin: a session-shared emulator, a fresh tenant per test (`ragflow`), a marker, fault/journal helpers."""

from __future__ import annotations

import secrets
from collections.abc import Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import create_app, emulator_state
from mockserver.control.seed import SeedReport, add_document, seed_tenant, set_parse_progression
from mockserver.core.clock import VirtualClock
from mockserver.core.validation import validate_model
from mockserver.families.datasets.schemas import CreateDatasetBody
from mockserver.server import ThreadedServer
from mockserver.settings import Settings
from mockserver.state.backend import TenantBackend
from mockserver.state.emulator import EmulatorState
from mockserver.state.faults import FaultRule
from mockserver.state.journal import JournalEntry
from mockserver.state.scripted_answers import AnswerRule

MARKER = "ragflow"
MARKER_HELP = (
    "ragflow(world=None, progression=None, profile=None, legacy_profile=None): seed the `ragflow` fixture's "
    "fresh tenant with a world (a name in fixtures/worlds, a YAML path or a mapping), set its parse progression "
    "(immediate | polls:N | seconds:T | fail:P[:message]), and serve it from an emulator with that API profile "
    "selected (profile: current | 2024-06-dataset | 2024-10-draft; legacy_profile: current | 2024-05-legacy)."
)
MARKER_KWARGS = frozenset({"world", "progression", "profile", "legacy_profile"})
PROFILE_KWARGS = ("profile", "legacy_profile")
"""Marker arguments that choose the app (the Settings fields of the same names)."""


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (the project runs with --strict-markers)."""
    config.addinivalue_line("markers", MARKER_HELP)


class LazyServer:
    """The session's real-socket server, started on first use (tests that never need a socket pay nothing)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self._server: ThreadedServer | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, starting the server if needed."""
        if self._server is None:
            self._server = ThreadedServer(self.app).start()
        return self._server.base_url

    def stop(self) -> None:
        """Stop the server if it was started."""
        if self._server is not None:
            self._server.stop()
            self._server = None


class TenantJournal:
    """The call journal seen from one tenant: `calls`, `last`, `assert_called`, `assert_not_called`, `clear`."""

    def __init__(self, state: EmulatorState, tenant_id: str) -> None:
        self._journal = state.journal
        self.tenant_id = tenant_id

    def calls(self, operation_id: str | None = None) -> list[JournalEntry]:
        """This tenant's calls in order (of one operation when given)."""
        return self._journal.entries(operation_id, tenant_id=self.tenant_id)

    def last(self, operation_id: str | None = None) -> JournalEntry:
        """The most recent call (of one operation)."""
        return self._journal.last(operation_id, tenant_id=self.tenant_id)

    def assert_called(self, operation_id: str, times: int | None = None) -> list[JournalEntry]:
        """Fail unless the operation was called (exactly `times` times when given)."""
        return self._journal.assert_called(operation_id, times, tenant_id=self.tenant_id)

    def assert_not_called(self, operation_id: str) -> None:
        """Fail if the operation was called."""
        self._journal.assert_not_called(operation_id, tenant_id=self.tenant_id)

    def clear(self) -> int:
        """Forget this tenant's calls."""
        return self._journal.clear(self.tenant_id)


class RagflowMock:
    """What the `ragflow` fixture gives a test: one fresh tenant on the session's emulator."""

    def __init__(self, app: Starlette, server: LazyServer, tenant: TenantBackend, api_key: str) -> None:
        self.app = app
        self.state = emulator_state(app)
        self._server = server
        self.tenant = tenant
        self.tenant_id = tenant.tenant_id
        self.api_key = api_key
        self.journal = TenantJournal(self.state, tenant.tenant_id)
        self._client: TestClient | None = None
        self._unexpected_before = self.state.unexpected_count

    # -- clients -----------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """Root URL of the session's real-socket server (what `ragflow_sdk.RAGFlow(base_url=…)` takes)."""
        return self._server.base_url

    @property
    def headers(self) -> dict[str, str]:
        """`Authorization: Bearer <api_key>`."""
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def client(self) -> TestClient:
        """An in-process `httpx.Client` (no socket) authenticated as this tenant; base URL `http://testserver`."""
        if self._client is None:
            self._client = TestClient(self.app, headers=self.headers).__enter__()
        return self._client

    def sdk(self) -> Any:
        """A `ragflow_sdk.RAGFlow` for this tenant over the real socket (needs `ragflow-sdk` installed)."""
        from ragflow_sdk import RAGFlow

        return RAGFlow(api_key=self.api_key, base_url=self.base_url)

    # -- seeding -----------------------------------------------------------------------------------
    def seed(self, world: str | Path | dict[str, Any]) -> SeedReport:
        """Load a world (shipped name, YAML path, or mapping) into this tenant; returns the ids by name."""
        return seed_tenant(self.state.backends, self.tenant, world)

    def create_dataset(self, name: str, **fields: Any) -> Any:
        """Create a dataset through the datasets store (same rules as the API); returns the record."""
        return self.tenant.datasets.create(validate_model(CreateDatasetBody, {"name": name, **fields}))

    def add_document(self, dataset: Any, name: str, text: str | bytes, *, parse: bool = True) -> Any:
        """Upload a document (and parse it to DONE at once by default); returns the record."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        return add_document(self.tenant, dataset, name, data, parse=parse)

    def set_progression(self, spec: str) -> None:
        """How parsing advances for this tenant: `immediate`, `polls:N`, `seconds:T`, `fail:P[:message]`."""
        set_parse_progression(self.state.backends, spec, self.tenant)

    # -- answers, faults, clock --------------------------------------------------------------------
    def script_answer(self, answer: str | None = None, **spec: Any) -> AnswerRule:
        """Script an answer of this tenant's chats and agents: `match` (regex), `times`, `chat`, `datasets`,
        `reference`, `reasoning`, `pacing` (see fixtures/README.md, Answers)."""
        if answer is not None:
            spec["answer"] = answer
        return self.state.answers.add(spec, tenant_id=self.tenant_id)

    def fault(self, operation_id: str, **spec: Any) -> FaultRule:
        """Inject a fault for this tenant's calls of one operation (`*` for all): status/code/message, delay,
        stream={"kind": "truncate"|"stall"|"disconnect"|"error", "after_frames": n}, times, probability, seed."""
        if operation_id != "*" and operation_id not in self.state.operation_ids:
            raise ValueError(f"unknown operationId {operation_id!r}")
        return self.state.faults.add({**spec, "operation_id": operation_id, "tenant_id": self.tenant_id})

    def clear_faults(self) -> int:
        """Remove this tenant's fault rules."""
        return self.state.faults.clear(self.tenant_id)

    def advance(self, seconds: float) -> None:
        """Move the (virtual) clock forward: time-based parsing and paced streams move on."""
        clock = self.state.clock
        if not isinstance(clock, VirtualClock):
            raise RuntimeError("the emulator runs on the real clock; use a virtual clock in ragflow_settings")
        clock.advance(seconds)

    # -- journal shortcuts -------------------------------------------------------------------------
    def assert_called(self, operation_id: str, times: int | None = None) -> list[JournalEntry]:
        """Fail unless this tenant called the operation (exactly `times` times when given)."""
        return self.journal.assert_called(operation_id, times)

    def last(self, operation_id: str | None = None) -> JournalEntry:
        """This tenant's most recent call (of one operation)."""
        return self.journal.last(operation_id)

    @property
    def unexpected(self) -> list[BaseException]:
        """Exceptions the emulator raised unintentionally since this test started."""
        return self.state.unexpected_since(self._unexpected_before)

    def close(self) -> None:
        """Drop the tenant and everything attached to it (faults, journal entries, scripted answers)."""
        if self._client is not None:
            self._client.__exit__(None, None, None)
            self._client = None
        self.state.faults.clear(self.tenant_id)
        self.journal.clear()
        self.state.answers.clear(self.tenant_id)
        self.state.backends.drop_tenant(self.tenant_id)


def new_tenant(app: Starlette, server: LazyServer) -> RagflowMock:
    """A fresh tenant with its own API key on a shared app (what the `ragflow` fixture does per test)."""
    backends = emulator_state(app).backends
    tenant = backends.create_tenant(secrets.token_hex(16), name="pytest")
    row = backends.add_token(tenant, "ragflow-" + secrets.token_hex(16))
    return RagflowMock(app, server, tenant, row.token)


@pytest.fixture(scope="session")
def ragflow_settings() -> Settings:
    """Emulator settings for the session (override in your conftest.py to change pace, clock, keys…)."""
    return Settings.for_tests(api_keys=())


@pytest.fixture(scope="session")
def ragflow_app(ragflow_settings: Settings) -> Starlette:
    """The session's emulator app (one per pytest-xdist worker)."""
    return create_app(ragflow_settings)


@pytest.fixture(scope="session")
def ragflow_server(ragflow_app: Starlette) -> Iterator[LazyServer]:
    """The session's real-socket server, started the first time a test asks for `ragflow.base_url`."""
    server = LazyServer(ragflow_app)
    yield server
    server.stop()


class ProfileApps:
    """Session apps for markers that select other API profiles than `ragflow_settings` (one per selection)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.apps: dict[tuple[str, str], tuple[Starlette, LazyServer]] = {}

    def get(self, profile: str, legacy_profile: str) -> tuple[Starlette, LazyServer]:
        """The app (and its lazy server) serving that selection, built on first use."""
        key = (profile, legacy_profile)
        if key not in self.apps:
            app = create_app(replace(self.settings, profile=profile, legacy_profile=legacy_profile))
            self.apps[key] = (app, LazyServer(app))
        return self.apps[key]

    def stop(self) -> None:
        """Stop every server started."""
        for _, server in self.apps.values():
            server.stop()


@pytest.fixture(scope="session")
def ragflow_profile_apps(ragflow_settings: Settings) -> Iterator[ProfileApps]:
    """Apps for `@pytest.mark.ragflow(profile=…, legacy_profile=…)`, shared by the session."""
    apps = ProfileApps(ragflow_settings)
    yield apps
    apps.stop()


@pytest.fixture
def ragflow(
    request: pytest.FixtureRequest, ragflow_app: Starlette, ragflow_server: LazyServer
) -> Iterator[RagflowMock]:
    """A fresh isolated tenant: `api_key`, `base_url`, `client`, seeding, answers, faults, the journal."""
    marker = request.node.get_closest_marker(MARKER)
    app, server = ragflow_app, ragflow_server
    if marker is not None and any(marker.kwargs.get(k) for k in PROFILE_KWARGS):
        settings = emulator_state(ragflow_app).settings
        wanted = {k: marker.kwargs.get(k) or getattr(settings, k) for k in PROFILE_KWARGS}
        if (wanted["profile"], wanted["legacy_profile"]) != (settings.profile, settings.legacy_profile):
            apps: ProfileApps = request.getfixturevalue("ragflow_profile_apps")
            app, server = apps.get(wanted["profile"], wanted["legacy_profile"])
    mock = new_tenant(app, server)
    try:
        if marker is not None:
            unknown = set(marker.kwargs) - MARKER_KWARGS
            if unknown or marker.args:
                raise pytest.UsageError(
                    f"@pytest.mark.ragflow takes {', '.join(sorted(MARKER_KWARGS))} (keywords) only, got {marker}"
                )
            if marker.kwargs.get("progression"):
                mock.set_progression(marker.kwargs["progression"])
            if marker.kwargs.get("world"):
                mock.seed(marker.kwargs["world"])
        yield mock
    finally:
        mock.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """Re-raise, in the test, an exception the emulator hit while serving it (the wire only saw code 100)."""
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    mock = funcargs.get("ragflow")
    try:
        result = yield
    except BaseException as exc:
        if isinstance(mock, RagflowMock) and mock.unexpected and exc is not mock.unexpected[0]:
            exc.add_note(f"ragflow-mockserver also raised while serving this test: {mock.unexpected[0]!r}")
        raise
    if isinstance(mock, RagflowMock) and mock.unexpected:
        raise mock.unexpected[0]
    return result
