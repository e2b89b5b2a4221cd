"""Crash consistency of `serve --state-file`: kill -9 at random points of a write-heavy run loses no acknowledged write.

issue 16 item 10. Each round starts a real `python -m mockserver serve` child on the same state file, runs
concurrent writers (create datasets, upload documents, delete datasets), SIGKILLs the child at a random instant,
restarts it and checks that every acknowledged write is there (and every acknowledged deletion is not), that the
counters agree with the rows, and that no temp file of the interrupted save survives the restart.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mockserver.settings import DEFAULT_API_KEY
from tests.support.serve_process import ServeProcess

pytestmark = pytest.mark.slow

HEADERS = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
SERVE_ARGS = ("--world", "none", "--answers", "none", "--progression", "immediate", "--log-level", "warning")


@dataclass
class Acknowledged:
    """What the server acknowledged (code 0 and the whole reply read) across all rounds."""

    datasets: dict[str, str] = field(default_factory=dict)
    """dataset id → name, created and acknowledged."""
    deleted: set[str] = field(default_factory=set)
    documents: dict[str, str] = field(default_factory=dict)
    """document id → dataset id."""
    uncertain: set[str] = field(default_factory=set)
    """Dataset ids whose deletion was in flight at the kill (either outcome is right)."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _writer(base: str, worker: int, round_no: int, acked: Acknowledged, stop: threading.Event) -> None:
    rng = random.Random(worker * 1000 + round_no)
    mine: list[str] = []
    with httpx.Client(base_url=base, headers=HEADERS, timeout=10.0) as client:
        step = 0
        while not stop.is_set():
            step += 1
            try:
                roll = rng.random()
                if roll < 0.5 or not mine:
                    name = f"r{round_no}w{worker}n{step}"
                    reply = client.post("/api/v1/datasets", json={"name": name}).json()
                    if reply["code"] == 0:
                        with acked.lock:
                            acked.datasets[reply["data"]["id"]] = name
                        mine.append(reply["data"]["id"])
                elif roll < 0.85:
                    target = rng.choice(mine)
                    files = {"file": (f"f{step}.txt", f"round {round_no} worker {worker} step {step}".encode())}
                    reply = client.post(f"/api/v1/datasets/{target}/documents", files=files).json()
                    if reply["code"] == 0:
                        with acked.lock:
                            acked.documents[reply["data"][0]["id"]] = target
                else:
                    target = mine.pop(rng.randrange(len(mine)))
                    with acked.lock:
                        acked.uncertain.add(target)
                    reply = client.request("DELETE", "/api/v1/datasets", json={"ids": [target]}).json()
                    with acked.lock:
                        acked.uncertain.discard(target)
                        if reply["code"] == 0:
                            acked.deleted.add(target)
            except (httpx.TransportError, ValueError):
                return  # the server is gone: whatever was in flight is unacknowledged


def _acknowledged(acked: Acknowledged) -> int:
    with acked.lock:
        return len(acked.datasets) + len(acked.documents) + len(acked.deleted)


def _verify(base: str, acked: Acknowledged) -> int:
    with httpx.Client(base_url=base, headers=HEADERS, timeout=30.0) as client:
        listed = client.get("/api/v1/datasets", params={"page_size": 100000}).json()
        assert listed["code"] == 0
        present = {d["id"]: d for d in listed["data"]}
        for dataset_id, name in acked.datasets.items():
            if dataset_id in acked.uncertain:
                continue
            if dataset_id in acked.deleted:
                assert dataset_id not in present, f"acknowledged deletion of {name} came back"
            else:
                assert dataset_id in present, f"acknowledged dataset {name} lost"
                assert present[dataset_id]["name"] == name
        checked = 0
        for dataset_id, row in present.items():
            docs = client.get(f"/api/v1/datasets/{dataset_id}/documents", params={"page_size": 100000}).json()
            assert docs["code"] == 0
            ids = {d["id"] for d in docs["data"]["docs"]}
            assert row["document_count"] == len(ids) == docs["data"]["total"], "counter and rows disagree"
            for doc_id, owner in acked.documents.items():
                if owner == dataset_id:
                    assert doc_id in ids, f"acknowledged document {doc_id} lost"
                    checked += 1
        return checked


def test_kill_9_at_random_points_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    acked = Acknowledged()
    rng = random.Random(16)
    for round_no in range(4):
        server = ServeProcess("--state-file", str(state_file), *SERVE_ARGS, log=tmp_path / "serve.log").start()
        try:
            assert not list(tmp_path.glob(".state.json.*.tmp")), "stale temp files are removed at start"
            if round_no:
                _verify(server.base_url, acked)
            stop = threading.Event()
            writers = [
                threading.Thread(target=_writer, args=(server.base_url, w, round_no, acked, stop)) for w in range(4)
            ]
            for thread in writers:
                thread.start()
            target = _acknowledged(acked) + rng.randint(10, 30)
            deadline = time.monotonic() + 60
            while _acknowledged(acked) < target and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.05))  # the kill lands at a random instant of the writes in flight
        finally:
            server.kill()
        stop.set()
        for thread in writers:
            thread.join(15)
    server = ServeProcess("--state-file", str(state_file), *SERVE_ARGS, log=tmp_path / "serve.log").start()
    try:
        documents_checked = _verify(server.base_url, acked)
    finally:
        server.kill()
    assert _acknowledged(acked) >= 40 and documents_checked > 0, "the run wrote enough to mean something"


def test_clean_exit_saves_and_stale_temp_files_are_removed(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    stale = tmp_path / ".state.json.abc123.tmp"
    stale.write_bytes(b"x" * 1000)
    server = ServeProcess("--state-file", str(state_file), *SERVE_ARGS).start()
    try:
        assert not stale.exists()
        reply = httpx.post(f"{server.base_url}/api/v1/datasets", json={"name": "kept"}, headers=HEADERS).json()
        assert reply["code"] == 0
    finally:
        # uvicorn re-raises the SIGINT it captured once it has shut down (and the state file is saved)
        assert server.stop() in (0, -signal.SIGINT)
    server = ServeProcess("--state-file", str(state_file), *SERVE_ARGS).start()
    try:
        listed = httpx.get(f"{server.base_url}/api/v1/datasets", headers=HEADERS).json()
        assert [d["name"] for d in listed["data"]] == ["kept"]
    finally:
        server.kill()
