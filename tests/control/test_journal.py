"""The call journal: what one call records, filtering, clearing and the assertion helpers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from tests.conftest import API_KEY


def test_a_call_is_recorded_with_operation_tenant_status_code_and_body(app: Starlette, client: TestClient) -> None:
    client.post("/api/v1/datasets", json={"name": "kb"})
    entry = emulator_state(app).journal.last("createDataset")
    tenant = emulator_state(app).backends.tenant_for_key(API_KEY)
    assert tenant is not None
    assert (entry.method, entry.path, entry.tenant_id) == ("POST", "/api/v1/datasets", tenant.tenant_id)
    assert (entry.status, entry.code, entry.body) == (200, 0, {"name": "kb"})
    assert entry.duration_ms >= 0


def test_error_envelopes_and_unauthenticated_calls_are_recorded(app: Starlette, anon_client: TestClient) -> None:
    anon_client.get("/api/v1/datasets", headers={"Authorization": "Bearer nope"})
    entry = emulator_state(app).journal.last()
    assert (entry.operation_id, entry.code, entry.tenant_id) == ("listDatasets", 109, None)


def test_control_plane_calls_are_not_recorded(app: Starlette, client: TestClient) -> None:
    client.get("/_emulator/journal")
    assert emulator_state(app).journal.entries() == []


def test_query_string_is_recorded(app: Starlette, client: TestClient) -> None:
    client.get("/api/v1/datasets?page=2")
    assert emulator_state(app).journal.last().query == "page=2"
