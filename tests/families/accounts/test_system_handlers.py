"""The `/v1/system/*` routes (`system_handlers`): API keys, version, status and config."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.families.accounts.webkit import UNAUTHORIZED, auth


def test_create_system_token(web: TestClient, token: str) -> None:
    """createSystemToken: a new `/api/v1` key with its beta secret."""
    body = web.post("/v1/system/new_token", headers=auth(token), json={"name": "ignored"}).json()
    row = body["data"]
    assert sorted(row) == ["beta", "create_date", "create_time", "tenant_id", "token", "update_date", "update_time"]
    assert row["token"].startswith("ragflow-")
    assert len(row["token"]) == 40
    assert len(row["beta"]) == 32
    assert row["update_date"] is None
    assert row["update_time"] is None
    api = {"Authorization": f"Bearer {row['token']}"}
    assert web.get("/api/v1/datasets", headers=api).json() == {"code": 0, "data": []}


def test_list_and_delete_system_tokens(web: TestClient, token: str) -> None:
    """listSystemTokens, deleteSystemToken: listing by token, deletion always `true`."""
    first = web.post("/v1/system/new_token", headers=auth(token)).json()["data"]["token"]
    second = web.post("/v1/system/new_token", headers=auth(token)).json()["data"]["token"]
    rows = web.get("/v1/system/token_list", headers=auth(token)).json()["data"]
    assert [r["token"] for r in rows] == sorted([first, second])
    assert all(r["update_time"] == r["create_time"] and r["dialog_id"] is None for r in rows)
    ok = {"code": 0, "data": True, "message": "success"}
    assert web.delete(f"/v1/system/token/{first}", headers=auth(token)).json() == ok
    assert web.delete("/v1/system/token/ragflow-nothing", headers=auth(token)).json() == ok
    assert web.get("/api/v1/datasets", headers={"Authorization": f"Bearer {first}"}).json()["code"] == 109
    assert [r["token"] for r in web.get("/v1/system/token_list", headers=auth(token)).json()["data"]] == [second]


def test_system_version_status_config(web: TestClient, token: str) -> None:
    """getSystemVersion, getSystemStatus, getSystemConfig."""
    assert web.get("/v1/system/version", headers=auth(token)).json() == {
        "code": 0,
        "data": "v0.18.0-103-g35e36cb945 full",
        "message": "success",
    }
    status = web.get("/v1/system/status", headers=auth(token)).json()["data"]
    assert sorted(status) == ["database", "doc_engine", "redis", "storage", "task_executor_heartbeats"]
    assert status["doc_engine"]["type"] == "elasticsearch"
    assert web.get("/v1/system/config").json() == {"code": 0, "data": {"registerEnabled": 1}, "message": "success"}
    assert web.get("/v1/system/version").json() == UNAUTHORIZED
