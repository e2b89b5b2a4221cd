"""Fault rules: response replacement, delay, times, seeded probability, tenant scope and stream faults."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from mockserver.core.clock import VirtualClock
from mockserver.state.faults import FaultRegistry


def _faults(app: Starlette) -> FaultRegistry:
    return emulator_state(app).faults


def test_replacement_answers_instead_of_the_handler(app: Starlette, client: TestClient) -> None:
    _faults(app).add({"operation_id": "createDataset", "status": 503, "code": 100, "message": "overloaded"})
    response = client.post("/api/v1/datasets", json={"name": "kb"})
    assert (response.status_code, response.json()) == (503, {"code": 100, "message": "overloaded"})
    assert client.get("/api/v1/datasets").json() == {"code": 0, "data": []}


def test_defaults_are_code_100_and_a_generic_message(app: Starlette, client: TestClient) -> None:
    _faults(app).add({"operation_id": "*", "code": 100})
    assert client.get("/api/v1/datasets").json() == {"code": 100, "message": "Injected fault"}


def test_times_limits_the_firings(app: Starlette, client: TestClient) -> None:
    rule = _faults(app).add({"operation_id": "listDatasets", "code": 102, "message": "x", "times": 2})
    codes = [client.get("/api/v1/datasets").json()["code"] for _ in range(3)]
    assert codes == [102, 102, 0]
    assert rule.fired == 2


def test_delay_only_sleeps_on_the_clock_then_runs_the_handler(app: Starlette, client: TestClient) -> None:
    clock = emulator_state(app).clock
    assert isinstance(clock, VirtualClock)
    before = clock.now()
    _faults(app).add({"operation_id": "listDatasets", "delay": 7.5})
    assert client.get("/api/v1/datasets").json() == {"code": 0, "data": []}
    assert clock.now() - before == pytest.approx(7.5)


def test_rules_scoped_to_a_tenant_leave_others_alone(
    app: Starlette, client: TestClient, other_client: TestClient
) -> None:
    backends = emulator_state(app).backends
    tenant = backends.tenant_for_key("ragflow-other-key")
    assert tenant is not None
    _faults(app).add({"operation_id": "listDatasets", "code": 102, "message": "x", "tenant_id": tenant.tenant_id})
    assert client.get("/api/v1/datasets").json()["code"] == 0
    assert other_client.get("/api/v1/datasets").json()["code"] == 102
