"""`serve --state-file` durability: `StateFile` (group-committed atomic saves) and the `DurableWrites` middleware."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.control import persistence
from mockserver.control.persistence import DurableWrites, StateFile, stale_temp_files
from tests.conftest import API_KEY

HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def _served(tmp_path: Path) -> tuple[TestClient, StateFile]:
    app = create_app(Settings.for_tests(api_keys=(API_KEY,)))
    state_file = StateFile(emulator_state(app), tmp_path / "state.json")
    state_file.open()
    return TestClient(DurableWrites(app, state_file), headers=HEADERS), state_file


def _names_in(path: Path) -> list[str]:
    """The dataset names of the one tenant in a state file (a loadable snapshot)."""
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    items = snapshot["tenants"][0]["stores"]["datasets"]["items"]
    return [record["fields"]["name"] for record in items.values()]


def test_a_write_is_in_the_file_when_its_reply_arrives(tmp_path: Path) -> None:
    client, state_file = _served(tmp_path)
    with client:
        assert client.post("/api/v1/datasets", json={"name": "kept"}).json()["code"] == 0
        assert _names_in(state_file.path) == ["kept"]
        assert client.post("/api/v1/datasets", json={"name": "second"}).json()["code"] == 0
        assert _names_in(state_file.path) == ["kept", "second"]
    assert state_file.saves == 2 and state_file.failures == 0


def test_reads_do_not_save_and_unchanged_state_is_not_rewritten(tmp_path: Path) -> None:
    client, state_file = _served(tmp_path)
    with client:
        client.post("/api/v1/datasets", json={"name": "kept"})
        client.get("/api/v1/datasets")
        assert (state_file.requested, state_file.saves) == (1, 1)
        client.post("/api/v1/datasets", json={"name": "kept"})  # refused: nothing changed
        assert (state_file.requested, state_file.saves) == (2, 1)


def test_a_failed_save_is_logged_and_the_reply_still_goes_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(path: object, data: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(persistence, "write_state_bytes", broken)
    client, state_file = _served(tmp_path)
    with client:
        assert client.post("/api/v1/datasets", json={"name": "kept"}).json()["code"] == 0
    assert state_file.failures == 1 and "saving the state file" in caplog.text


def test_concurrent_writers_share_saves(tmp_path: Path) -> None:
    app = create_app(Settings.for_tests(api_keys=(API_KEY,)))
    state = emulator_state(app)
    state_file = StateFile(state, tmp_path / "state.json")
    tenant = state.backends.tenant_for_key(API_KEY)
    assert tenant is not None

    async def writer(n: int) -> None:
        tenant.datasets.insert(name=f"d{n}")
        await state_file.flush()

    async def run() -> None:
        await asyncio.gather(*(writer(n) for n in range(20)))

    asyncio.run(run())
    assert state_file.completed == state_file.requested == 20
    assert state_file.saves < 20, "writers that arrive during a save share the next one"
    restored = StateFile(emulator_state(create_app(Settings.for_tests(api_keys=(API_KEY,)))), state_file.path)
    assert restored.open()
    again = restored.state.backends.tenant_for_key(API_KEY)
    assert again is not None and len(again.datasets.items) == 20


def test_open_removes_stale_temp_files_and_loads(tmp_path: Path) -> None:
    client, state_file = _served(tmp_path)
    with client:
        client.post("/api/v1/datasets", json={"name": "kept"})
    stale = tmp_path / ".state.json.x1y2.tmp"
    stale.write_bytes(b"{half a snapsh")
    (tmp_path / ".other.json.x.tmp").write_bytes(b"not ours")
    assert stale_temp_files(state_file.path) == [stale]
    fresh = StateFile(emulator_state(create_app(Settings.for_tests(api_keys=(API_KEY,)))), state_file.path)
    assert fresh.open() is True
    assert not stale.exists() and (tmp_path / ".other.json.x.tmp").exists()
    tenant = fresh.state.backends.tenant_for_key(API_KEY)
    assert tenant is not None and [d.name for d in tenant.datasets.items.values()] == ["kept"]
    assert StateFile(fresh.state, tmp_path / "absent.json").open() is False
