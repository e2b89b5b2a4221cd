"""Snapshots: JSON round trip of every store, shared records, malformed input, atomic state files."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.control.snapshot import (
    Decoder,
    Encoder,
    SnapshotError,
    load,
    read_state_file,
    restore_snapshot,
    save,
    take_snapshot,
    write_state_file,
)
from mockserver.core.clock import VirtualClock
from mockserver.state.backend import ApiToken
from mockserver.state.emulator import EmulatorState

KEY = "ragflow-mock-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def test_round_trip_through_json_gives_the_same_state_and_api() -> None:
    """takeSnapshot / restoreSnapshot through JSON: same state, same API answers, ids continue."""
    app = create_app(Settings.for_tests(world="demo"))
    client = TestClient(app, headers=HEADERS)
    before = take_snapshot(emulator_state(app))
    listing = client.get("/api/v1/datasets").json()
    fresh = create_app(Settings.for_tests())
    restore_snapshot(emulator_state(fresh), json.loads(json.dumps(before)))
    assert take_snapshot(emulator_state(fresh)) == before
    other = TestClient(fresh, headers=HEADERS)
    assert other.get("/api/v1/datasets").json() == listing
    chats = other.get("/api/v1/chats").json()["data"]
    assert len(chats) == 3
    dataset_id = listing["data"][0]["id"]
    created = other.post("/api/v1/datasets", json={"name": "after restore"}).json()["data"]
    assert created["id"] not in {d["id"] for d in listing["data"]}, "the id counter must survive a restore"
    docs = other.get(f"/api/v1/datasets/{dataset_id}/documents").json()["data"]["docs"]
    assert docs and all(d["run"] == "DONE" for d in docs)


def test_restored_search_index_still_finds_chunks() -> None:
    """restoreSnapshot rebuilds the search index: retrieval finds the chunks."""
    app = create_app(Settings.for_tests(world="minimal"))
    snapshot = json.loads(json.dumps(take_snapshot(emulator_state(app))))
    fresh = create_app(Settings.for_tests())
    restore_snapshot(emulator_state(fresh), snapshot)
    client = TestClient(fresh, headers=HEADERS)
    dataset_id = client.get("/api/v1/datasets").json()["data"][0]["id"]
    found = client.post("/api/v1/retrieval", json={"question": "greenhouse effect", "dataset_ids": [dataset_id]})
    assert found.json()["data"]["chunks"]


def test_shared_records_stay_shared() -> None:
    """A record reached twice is encoded once and decoded as one object."""
    token = ApiToken(token="t", tenant_id="x", beta="b", create_time=1, create_date="d")
    encoded = Encoder().encode({"a": token, "b": [token], "t": (1, 2), "s": {3}, "k": {(1, 2): b"\x00"}})
    decoded = Decoder().decode(json.loads(json.dumps(encoded)))
    assert decoded["a"] is decoded["b"][0]
    assert decoded["t"] == (1, 2) and decoded["s"] == {3} and decoded["k"] == {(1, 2): b"\x00"}


def test_unserialisable_state_is_named() -> None:
    """takeSnapshot names the path of a value it cannot encode."""
    with pytest.raises(SnapshotError, match=r"\$\[.x.\]: cannot snapshot a object"):
        Encoder().encode({"x": object()}, "$")


@pytest.mark.parametrize(
    ("snapshot", "message"),
    [
        ([], "not a snapshot"),
        ({"format": "ragflow-mockserver-snapshot", "version": 9}, "unsupported snapshot version 9"),
        ({"format": "ragflow-mockserver-snapshot", "version": 1}, "needs 'tenants' and 'tokens' lists"),
        (
            {"format": "ragflow-mockserver-snapshot", "version": 1, "tenants": [{}], "tokens": []},
            r"tenants\[0\]: needs a tenant_id",
        ),
        (
            {
                "format": "ragflow-mockserver-snapshot",
                "version": 1,
                "tenants": [],
                "tokens": [{"__dataclass__": "os:system", "fields": {}}],
            },
            "unknown record type 'os:system'",
        ),
        (
            {
                "format": "ragflow-mockserver-snapshot",
                "version": 1,
                "tokens": [],
                "tenants": [{"tenant_id": "t", "stores": {"nope": {}}}],
            },
            r"tenants\[0\].stores.nope: unknown store",
        ),
    ],
)
def test_malformed_snapshots_are_refused_without_changing_state(snapshot: object, message: str) -> None:
    """restoreSnapshot refuses a malformed document and leaves the state root in place."""
    state = EmulatorState(Settings.for_tests())
    backends, before = state.backends, take_snapshot(state)
    with pytest.raises(SnapshotError, match=message):
        restore_snapshot(state, snapshot)
    assert state.backends is backends and take_snapshot(state) == before


def test_restore_swaps_in_a_fresh_state_root_resuming_clock_and_ids() -> None:
    """restoreSnapshot: a new state root at the snapshot's instant and id counter; the old root is not touched,
    the journal, fault rules and scripted answers (not part of a snapshot) stay."""
    source = EmulatorState(Settings.for_tests())
    tenant = source.backends.tenant_for_key(KEY)
    assert tenant is not None and isinstance(source.clock, VirtualClock)
    tenant.datasets.insert(name="kept")
    source.clock.advance(30)
    snapshot = json.loads(json.dumps(take_snapshot(source)))
    expected_id = source.backends.ids.entity()
    state = EmulatorState(Settings.for_tests())
    state.faults.add({"operation_id": "listDatasets", "code": 102})
    old = state.backends
    restore_snapshot(state, snapshot)
    assert state.backends is not old and state.clock is not old.clock
    assert state.clock.now() == source.clock.now()
    assert state.backends.ids.entity() == expected_id
    restored, untouched = state.backends.tenant_for_key(KEY), old.tenant_for_key(KEY)
    assert restored is not None and [d.name for d in restored.datasets.items.values()] == ["kept"]
    assert untouched is not None and untouched.datasets.items == {}
    assert len(state.faults.rules()) == 1


def test_a_snapshot_without_clock_or_counter_keeps_the_live_ones() -> None:
    """restoreSnapshot of a document from a real-clock app (clock null) or without a counter."""
    state = EmulatorState(Settings.for_tests())
    assert isinstance(state.clock, VirtualClock)
    state.clock.advance(5)
    now, counter = state.clock.now(), state.backends.ids.counter
    snapshot = {**take_snapshot(EmulatorState(Settings.for_tests())), "clock": None}
    del snapshot["id_counter"]
    restore_snapshot(state, snapshot)
    assert (state.clock.now(), state.backends.ids.counter) == (now, counter)


def test_state_file_round_trip(tmp_path: Path) -> None:
    """`serve --state-file`: save then load gives the same data, no temp file is left."""
    state = EmulatorState(Settings.for_tests())
    tenant = state.backends.tenant_for_key(KEY)
    assert tenant is not None
    tenant.datasets.insert(name="kept")
    path = tmp_path / "sub" / "state.json"
    save(state, path)
    other = EmulatorState(Settings.for_tests())
    load(other, path)
    restored = other.backends.tenant_for_key(KEY)
    assert restored is not None and [d.name for d in restored.datasets.items.values()] == ["kept"]
    assert [p.name for p in path.parent.iterdir()] == ["state.json"], "no temp files are left behind"


def test_unreadable_state_file(tmp_path: Path) -> None:
    """A truncated state file is a SnapshotError naming the file."""
    path = tmp_path / "state.json"
    path.write_text("{truncated")
    with pytest.raises(SnapshotError, match="cannot read state file"):
        read_state_file(path)


_WRITER = """
import sys
from mockserver.control.snapshot import write_state_file
big = {"format": "x", "payload": ["y" * 1000] * 2000}
path = sys.argv[1]
print("ready", flush=True)
while True:
    write_state_file(path, big)
"""


def test_killing_a_writer_never_leaves_a_corrupt_file(tmp_path: Path) -> None:
    """A writer killed mid-write leaves the previous complete file."""
    path = tmp_path / "state.json"
    write_state_file(path, {"format": "x", "payload": []})
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
    time.sleep(0.3)  # several complete writes, and the kill lands inside one of them
    proc.kill()
    proc.wait()
    assert len(json.loads(path.read_text())["payload"]) == 2000
