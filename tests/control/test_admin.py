"""The control plane: every `/_emulator/*` operation, bad input (clear 4xx JSON, never a 500), disabling and its key."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.core.lifecycle import parse_progression
from mockserver.http.spec import load_document
from mockserver.paths import openapi_dir
from tests.conftest import API_KEY, OTHER_KEY


@pytest.fixture
def admin(app: Starlette) -> TestClient:
    return TestClient(app)


def _tenant_id(app: Starlette, key: str = API_KEY) -> str:
    tenant = emulator_state(app).backends.tenant_for_key(key)
    assert tenant is not None
    return tenant.tenant_id


def test_info_lists_tenants_and_keys(admin: TestClient, app: Starlette) -> None:
    """getEmulatorInfo: every tenant with its keys, and the clock kind."""
    data = admin.get("/_emulator").json()["data"]
    assert {t["tenant_id"]: t["keys"] for t in data["tenants"]} == {
        _tenant_id(app): [API_KEY],
        _tenant_id(app, OTHER_KEY): [OTHER_KEY],
    }
    assert data["virtual_clock"] is True


def test_reset_one_tenant_keeps_its_key_and_the_others(
    admin: TestClient, client: TestClient, other_client: TestClient
) -> None:
    """resetEmulator with `api_key`: the tenant is empty, its key works, the other tenant keeps its data."""
    client.post("/api/v1/datasets", json={"name": "a"})
    other_client.post("/api/v1/datasets", json={"name": "b"})
    assert admin.post("/_emulator/reset", json={"api_key": API_KEY}).json()["code"] == 0
    assert client.get("/api/v1/datasets").json() == {"code": 0, "data": []}
    assert len(other_client.get("/api/v1/datasets").json()["data"]) == 1


def _reset_result_schema() -> Draft202012Validator:
    """The documented 200 body of resetEmulator (openapi/admin.yaml)."""
    document = load_document(openapi_dir() / "admin.yaml")
    responses = document["paths"]["/_emulator/reset"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ResetResult"}
    return Draft202012Validator(document["components"]["schemas"]["ResetResult"])


def _busy(admin: TestClient, client: TestClient, other_client: TestClient) -> dict[str, object]:
    """Both tenants get data, a scoped fault rule, a scoped scripted answer and journal entries; one global rule
    and answer; an extra tenant with its own key; a new app-wide progression; the clock moves a minute."""
    first = client.post("/api/v1/datasets", json={"name": "a"}).json()["data"]
    other_client.post("/api/v1/datasets", json={"name": "b"})
    calls = [("post", "/_emulator/faults", {"operation_id": "createChat", "code": 102})]
    for key in (API_KEY, OTHER_KEY):
        calls.append(("post", "/_emulator/faults", {"operation_id": "listChats", "code": 102, "api_key": key}))
        calls.append(("post", "/_emulator/answers", {"match": "hi", "answer": f"hi {key}", "api_key": key}))
    calls += [
        ("post", "/_emulator/answers", {"match": "all", "answer": "everyone"}),
        ("post", "/_emulator/keys", {"api_key": "ragflow-extra"}),
        ("put", "/_emulator/progression", {"progression": "polls:5"}),
        ("post", "/_emulator/clock/advance", {"seconds": 60}),
    ]
    for method, path, body in calls:
        assert admin.request(method, path, json=body).json()["code"] == 0, (path, body)
    assert client.get("/api/v1/chats").json()["code"] == 102
    assert len(admin.get("/_emulator/journal").json()["data"]) == 3
    return first


def test_reset_all_leaves_nothing_and_restarts_ids_and_clock(
    admin: TestClient, client: TestClient, other_client: TestClient, app: Starlette
) -> None:
    """resetEmulator without a target: data, fault rules, answers, journal, extra keys, progression, clock, ids."""
    started_at = admin.get("/_emulator").json()["data"]["now"]
    first = _busy(admin, client, other_client)
    reply = admin.post("/_emulator/reset", json={}).json()
    assert reply == {"code": 0, "data": {"reset": "all", "tenants": 2}}
    _reset_result_schema().validate(reply)
    assert admin.get("/_emulator/journal").json()["data"] == []
    assert admin.get("/_emulator/faults").json()["data"] == []
    assert admin.get("/_emulator/answers").json()["data"] == []
    info = admin.get("/_emulator").json()["data"]
    assert info["now"] == started_at, "the virtual clock starts again"
    assert sorted(k for t in info["tenants"] for k in t["keys"]) == sorted([API_KEY, OTHER_KEY])
    assert (
        TestClient(app).get("/api/v1/datasets", headers={"Authorization": "Bearer ragflow-extra"}).json()["code"] == 109
    ), "keys created at runtime are gone"
    assert emulator_state(app).backends.default_progression == parse_progression("immediate")
    assert other_client.get("/api/v1/datasets").json() == {"code": 0, "data": []}
    again = client.post("/api/v1/datasets", json={"name": "a"}).json()["data"]
    assert again["id"] == first["id"], "the id counter starts again"
    assert again["create_time"] == first["create_time"]


def test_reset_all_brings_fixture_answers_back_as_loaded(tmp_path: Path) -> None:
    """resetEmulator: runtime answers go, the answers loaded at start come back with their `times` restored."""
    (tmp_path / "a.yaml").write_text("answers:\n  - match: hello\n    answer: Hi from the fixture\n    times: 1\n")
    app = create_app(Settings.for_tests(answers=str(tmp_path)))
    admin = TestClient(app)
    loaded = admin.get("/_emulator/answers").json()["data"]
    assert [a["answer"] for a in loaded] == ["Hi from the fixture"]
    admin.post("/_emulator/answers", json={"answer": "runtime"})
    emulator_state(app).answers.fixture_rules[0].times = 0  # the fixture answered its one time
    admin.post("/_emulator/reset")
    assert admin.get("/_emulator/answers").json()["data"] == loaded


def test_reset_one_tenant_leaves_nothing_of_it_and_keeps_the_other(
    admin: TestClient, client: TestClient, other_client: TestClient, app: Starlette
) -> None:
    """resetEmulator with `api_key`: that tenant's data, scoped rules, answers and journal entries go; its keys,
    the other tenant, app-wide rules and answers, the clock and the id counter stay."""
    first = _busy(admin, client, other_client)
    extra = admin.post("/_emulator/keys", json={"tenant_id": _tenant_id(app)}).json()["data"]["api_key"]
    now = admin.get("/_emulator").json()["data"]["now"]
    mine, others = _tenant_id(app), _tenant_id(app, OTHER_KEY)
    reply = admin.post("/_emulator/reset", json={"api_key": API_KEY}).json()
    assert reply == {"code": 0, "data": {"reset": mine}}
    _reset_result_schema().validate(reply)
    journal = admin.get("/_emulator/journal").json()["data"]
    assert [e["operation_id"] for e in journal] == ["createDataset"]
    assert [e["tenant_id"] for e in journal] == [others]
    assert [r["tenant_id"] for r in admin.get("/_emulator/faults").json()["data"]] == [None, others]
    answers = admin.get("/_emulator/answers").json()["data"]
    assert [(a["answer"], a["tenant_id"]) for a in answers] == [("everyone", None), (f"hi {OTHER_KEY}", others)]
    assert admin.get("/_emulator").json()["data"]["now"] == now
    fresh = emulator_state(app).backends.tenant(mine)
    assert fresh is not None and fresh.documents.default_progression == parse_progression("polls:5"), "app-wide"
    assert client.get("/api/v1/datasets").json() == {"code": 0, "data": []}
    assert TestClient(app, headers={"Authorization": f"Bearer {extra}"}).get("/api/v1/datasets").json()["code"] == 0
    assert [d["name"] for d in other_client.get("/api/v1/datasets").json()["data"]] == ["b"]
    assert other_client.get("/api/v1/chats").json()["code"] == 102
    assert client.get("/api/v1/chats").json()["code"] == 0
    created = client.post("/api/v1/datasets", json={"name": "a"}).json()["data"]
    assert created["id"] != first["id"], "the id counter keeps counting"


def test_reset_all_and_reseed(client: TestClient) -> None:
    """resetEmulator without a target empties the configured tenants; `reseed` loads the world again."""
    app = create_app(Settings.for_tests(world="minimal", api_keys=(API_KEY,)))
    admin, user = TestClient(app), TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"})
    assert admin.post("/_emulator/reset").json() == {"code": 0, "data": {"reset": "all", "tenants": 1}}
    assert user.get("/api/v1/datasets").json()["data"] == []
    admin.post("/_emulator/reset", json={"reseed": True})
    assert [d["name"] for d in user.get("/api/v1/datasets").json()["data"]] == ["Notes"]


def test_seed_a_shipped_world_and_an_inline_one(admin: TestClient, client: TestClient) -> None:
    """seedWorld: a shipped world by name and an inline world object."""
    report = admin.post("/_emulator/seed", json={"world": "minimal", "api_key": API_KEY}).json()["data"]
    assert list(report["datasets"]) == ["Notes"] and list(report["chats"]) == ["Notes assistant"]
    inline = {"name": "inline", "datasets": [{"name": "Inline"}]}
    assert admin.post("/_emulator/seed", json={"world": inline}).json()["code"] == 0
    assert {d["name"] for d in client.get("/api/v1/datasets").json()["data"]} == {"Notes", "Inline"}


def test_snapshot_and_restore(admin: TestClient, client: TestClient) -> None:
    """takeSnapshot / restoreSnapshot: back to the snapshot, with or without the envelope."""
    client.post("/api/v1/datasets", json={"name": "kept"})
    snapshot = admin.get("/_emulator/snapshot").json()
    client.post("/api/v1/datasets", json={"name": "dropped"})
    assert admin.post("/_emulator/snapshot", json=snapshot).json() == {"code": 0, "data": {"tenants": 2}}
    assert [d["name"] for d in client.get("/api/v1/datasets").json()["data"]] == ["kept"]
    assert admin.post("/_emulator/snapshot", json=snapshot["data"]).json()["code"] == 0


def test_create_and_list_keys(admin: TestClient, app: Starlette) -> None:
    """createApiKey (new tenant, seeded, or another key of a tenant) and listApiKeys."""
    created = admin.post("/_emulator/keys", json={"api_key": "ragflow-new", "world": "minimal"}).json()["data"]
    assert created["api_key"] == "ragflow-new" and created["seed"]["datasets"]
    user = TestClient(app, headers={"Authorization": "Bearer ragflow-new"})
    assert [d["name"] for d in user.get("/api/v1/datasets").json()["data"]] == ["Notes"]
    extra = admin.post("/_emulator/keys", json={"tenant_id": _tenant_id(app)}).json()["data"]
    assert extra["tenant_id"] == _tenant_id(app) and extra["api_key"].startswith("ragflow-")
    keys = {k["api_key"]: k["tenant_id"] for k in admin.get("/_emulator/keys").json()["data"]}
    assert keys[extra["api_key"]] == keys[API_KEY]
    assert len(keys) == 4


def test_scripted_answers(admin: TestClient, app: Starlette) -> None:
    """addScriptedAnswer, listScriptedAnswers, clearScriptedAnswers."""
    added = admin.post("/_emulator/answers", json={"match": "hello", "answer": "Hi!", "api_key": API_KEY}).json()
    assert added["data"]["answer"] == "Hi!" and added["data"]["tenant_id"] == _tenant_id(app)
    listed = admin.get("/_emulator/answers").json()["data"]
    assert listed[0]["match"] == "hello"
    assert admin.delete(f"/_emulator/answers?api_key={API_KEY}").json() == {"code": 0, "data": {"removed": 1}}


def test_fault_rules(admin: TestClient, client: TestClient) -> None:
    """addFaultRule, listFaultRules (with firing counts), deleteFaultRule, clearFaultRules."""
    rule = admin.post("/_emulator/faults", json={"operation_id": "listDatasets", "code": 102, "message": "x"}).json()
    assert rule["data"]["id"] == "fault-1" and rule["data"]["fired"] == 0
    assert client.get("/api/v1/datasets").json() == {"code": 102, "message": "x"}
    assert admin.get("/_emulator/faults").json()["data"][0]["fired"] == 1
    assert admin.delete("/_emulator/faults/fault-1").json() == {"code": 0, "data": {"removed": 1}}
    admin.post("/_emulator/faults", json={"operation_id": "*", "delay": 1, "api_key": API_KEY})
    assert admin.delete("/_emulator/faults").json() == {"code": 0, "data": {"removed": 1}}


def test_progression_and_clock(admin: TestClient, client: TestClient, app: Starlette) -> None:
    """setParseProgression for one tenant, then advanceClock finishes the parse."""
    body = {"progression": "seconds:10", "api_key": API_KEY}
    assert admin.put("/_emulator/progression", json=body).json()["data"]["progression"] == "seconds:10"
    dataset = client.post("/api/v1/datasets", json={"name": "d"}).json()["data"]
    files = {"file": ("a.txt", b"Some text to parse.", "text/plain")}
    doc = client.post(f"/api/v1/datasets/{dataset['id']}/documents", files=files).json()["data"][0]
    client.post(f"/api/v1/datasets/{dataset['id']}/chunks", json={"document_ids": [doc["id"]]})

    def run() -> str:
        docs = client.get(f"/api/v1/datasets/{dataset['id']}/documents").json()["data"]["docs"]
        return str(docs[0]["run"])

    assert run() == "RUNNING"
    now = admin.post("/_emulator/clock/advance", json={"seconds": 11}).json()["data"]["now"]
    assert now == emulator_state(app).clock.now()
    assert run() == "DONE"


def test_journal_list_filter_and_clear(admin: TestClient, client: TestClient, other_client: TestClient) -> None:
    """listJournal (by tenant, operation, since) and clearJournal (one tenant, all)."""
    client.get("/api/v1/datasets")
    other_client.get("/api/v1/datasets")
    assert len(admin.get("/_emulator/journal").json()["data"]) == 2
    mine = admin.get(f"/_emulator/journal?api_key={API_KEY}&operation_id=listDatasets").json()["data"]
    assert len(mine) == 1 and mine[0]["status"] == 200
    assert admin.get("/_emulator/journal?since=1").json()["data"][0]["seq"] == 2
    assert admin.delete(f"/_emulator/journal?api_key={OTHER_KEY}").json() == {"code": 0, "data": {"removed": 1}}
    assert admin.delete("/_emulator/journal").json() == {"code": 0, "data": {"removed": 1}}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("post", "/_emulator/reset", "not json", 400, "request body is not valid JSON"),
        ("post", "/_emulator/reset", [1], 400, "request body must be a JSON object, got list"),
        ("post", "/_emulator/reset", {"api_key": "nope"}, 404, "unknown api_key 'nope'"),
        ("post", "/_emulator/reset", {"tenant_id": "nope"}, 404, "unknown tenant_id 'nope'"),
        ("post", "/_emulator/reset", {"reseed": "maybe"}, 400, "reseed: Input should be a valid boolean"),
        ("post", "/_emulator/reset", {"colour": 1}, 400, "colour: Extra inputs are not permitted"),
        ("post", "/_emulator/seed", {}, 400, "world: Field required"),
        ("post", "/_emulator/seed", {"world": "nope"}, 400, "unknown world 'nope'; shipped worlds: demo, minimal"),
        (
            "post",
            "/_emulator/seed",
            {"world": {"datasets": [{}]}},
            400,
            "<inline world>: datasets[0].name: Field required",
        ),
        ("post", "/_emulator/snapshot", {"format": "x"}, 400, "not a snapshot: expected an object with format"),
        ("post", "/_emulator/snapshot", "[]", 400, "request body must be a snapshot object"),
        ("post", "/_emulator/keys", {"api_key": API_KEY}, 400, f"api_key '{API_KEY}' already exists"),
        ("post", "/_emulator/keys", {"tenant_id": "nope"}, 404, "unknown tenant_id 'nope'"),
        ("post", "/_emulator/keys", {"api_key": ""}, 400, "api_key: String should have at least 1 character"),
        ("post", "/_emulator/answers", {"match": "x"}, 400, "an answer rule needs `answer` (a string)"),
        ("post", "/_emulator/answers", {"answer": "a", "match": "("}, 400, "`match` is not a valid regex"),
        ("post", "/_emulator/answers", "null", 400, "request body must be a JSON object describing the answer"),
        (
            "post",
            "/_emulator/faults",
            {"operation_id": "nope", "code": 1},
            400,
            "operation_id: unknown operation 'nope'",
        ),
        ("post", "/_emulator/faults", {"operation_id": "listDatasets"}, 400, "at least one of status, code, message"),
        ("post", "/_emulator/faults", {"operation_id": "x", "delay": -1}, 400, "delay: Input should be greater than"),
        ("delete", "/_emulator/faults/fault-99", None, 404, "unknown fault rule 'fault-99'"),
        (
            "put",
            "/_emulator/progression",
            {"progression": "often"},
            400,
            "progression: unknown parse progression 'often'",
        ),
        ("put", "/_emulator/progression", {}, 400, "progression: Field required"),
        (
            "post",
            "/_emulator/clock/advance",
            {"seconds": -1},
            400,
            "seconds: Input should be greater than or equal to 0",
        ),
        ("post", "/_emulator/clock/advance", {"seconds": "x"}, 400, "seconds: Input should be a valid number"),
        ("get", "/_emulator/journal?since=x", None, 400, "since: expected a non-negative integer, got 'x'"),
        ("get", "/_emulator/journal?api_key=nope", None, 404, "unknown api_key 'nope'"),
    ],
)
def test_bad_input_gets_a_clear_error(
    admin: TestClient, method: str, path: str, body: object, status: int, message: str
) -> None:
    """Every control-plane operation answers bad input with a 4xx envelope naming the problem."""
    if isinstance(body, str):
        response = admin.request(method, path, content=body, headers={"Content-Type": "application/json"})
    elif body is None:
        response = admin.request(method, path)
    else:
        response = admin.request(method, path, json=body)
    assert response.status_code == status
    payload = response.json()
    assert payload["code"] == status
    assert message in payload["message"]


def test_clock_advance_needs_a_virtual_clock() -> None:
    """advanceClock on a real clock: 409."""
    admin = TestClient(create_app(Settings.for_tests(virtual_clock=False)))
    response = admin.post("/_emulator/clock/advance", json={"seconds": 1})
    assert response.status_code == 409
    assert response.json()["message"].startswith("the clock is real")


def test_disabled_control_plane_is_not_found() -> None:
    """getEmulatorInfo and the rest answer the normal not-found body when disabled."""
    admin = TestClient(create_app(Settings.for_tests(admin_enabled=False)))
    response = admin.get("/_emulator/journal")
    assert response.json() == {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}


def test_admin_key_protects_the_control_plane() -> None:
    """getEmulatorInfo (and every control operation) needs the admin key when one is set."""
    admin = TestClient(create_app(Settings.for_tests(admin_key="s3cret")))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
        response = admin.get("/_emulator", headers=headers)
        assert response.status_code == 401
        assert response.json()["message"].startswith("admin key missing or wrong")
    assert admin.get("/_emulator", headers={"Authorization": "Bearer s3cret"}).json()["code"] == 0
