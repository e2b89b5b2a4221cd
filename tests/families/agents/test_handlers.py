"""Agents family: create/update/delete (v0.19 routes) and the list endpoint (reference §4.1)."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from mockserver.families.agents.canvas import default_dsl

DSL = default_dsl([])


def create(client: TestClient, title: str = "agent", **extra: Any) -> str:
    body = {"title": title, "dsl": DSL, **extra}
    assert client.post("/api/v1/agents", json=body).json() == {"code": 0, "data": True, "message": "success"}
    return str(client.get("/api/v1/agents", params={"title": title.strip()}).json()["data"][0]["id"])


def test_create_agent_lists_the_twelve_columns(client: TestClient) -> None:
    """createAgent, listAgents: the twelve columns of a new agent."""
    agent_id = create(client, "  helper  ", description="d")
    item = client.get("/api/v1/agents").json()["data"][0]
    assert sorted(item) == [
        "avatar",
        "canvas_type",
        "create_date",
        "create_time",
        "description",
        "dsl",
        "id",
        "permission",
        "title",
        "update_date",
        "update_time",
        "user_id",
    ]
    assert (item["id"], item["title"], item["description"], item["permission"]) == (agent_id, "helper", "d", "me")
    assert item["dsl"] == DSL and item["avatar"] is None and len(agent_id) == 32


def test_create_agent_accepts_dsl_as_json_string(client: TestClient) -> None:
    """createAgent: `dsl` may be a JSON string."""
    assert client.post("/api/v1/agents", json={"title": "s", "dsl": json.dumps(DSL)}).json()["code"] == 0
    assert client.get("/api/v1/agents").json()["data"][0]["dsl"] == DSL


def test_create_agent_errors(client: TestClient) -> None:
    """createAgent: missing DSL or title, duplicate title, crashes on bad bodies."""
    post = lambda body: client.post("/api/v1/agents", json=body).json()  # noqa: E731
    assert post({"title": "x"}) == {"code": 101, "data": False, "message": "No DSL data in request."}
    assert post({"title": "x", "dsl": None}) == {"code": 101, "data": False, "message": "No DSL data in request."}
    assert post({"dsl": DSL}) == {"code": 101, "data": False, "message": "No title in request."}
    create(client, "Dup")
    assert post({"title": " dup ", "dsl": DSL}) == {"code": 102, "message": "Agent with title dup already exists."}
    assert post({"title": 5, "dsl": DSL}) == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'int' object has no attribute 'strip'\")",
    }
    assert post({"title": "j", "dsl": "{"})["message"].startswith("JSONDecodeError('Expecting property name")
    missing = client.post("/api/v1/agents", content=b"").json()
    assert missing == {
        "code": 100,
        "data": None,
        "message": "TypeError(\"'NoneType' object does not support item assignment\")",
    }
    assert post([1])["message"] == "TypeError('list indices must be integers or slices, not str')"


def test_update_agent(client: TestClient) -> None:
    """updateAgent: null fields ignored, title stripped, DSL parsed."""
    agent_id = create(client, "old")
    body = {"title": " new ", "description": None, "dsl": json.dumps(DSL)}
    assert client.put(f"/api/v1/agents/{agent_id}", json=body).json() == {
        "code": 0,
        "data": True,
        "message": "success",
    }
    item = client.get("/api/v1/agents", params={"id": agent_id}).json()["data"][0]
    assert (item["title"], item["description"]) == ("new", None)


def test_update_agent_errors(client: TestClient, other_client: TestClient) -> None:
    """updateAgent: foreign or unknown agents, bad bodies, unknown columns."""
    agent_id = create(client)
    not_owner = {"code": 103, "data": False, "message": "Only owner of canvas authorized for this operation."}
    assert client.put("/api/v1/agents/nope", json={"title": "t"}).json() == not_owner
    assert other_client.put(f"/api/v1/agents/{agent_id}", json={"title": "t"}).json() == not_owner
    assert client.put(f"/api/v1/agents/{agent_id}", content=b"").json() == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'NoneType' object has no attribute 'items'\")",
    }
    unknown = client.put(f"/api/v1/agents/{agent_id}", json={"foo": 1}).json()
    assert unknown["code"] == 100
    assert unknown["message"].startswith("ValueError('Unrecognized field name: \"foo\" in {\\'foo\\': 1, \\'user_id\\'")


def test_delete_agent(client: TestClient, other_client: TestClient) -> None:
    """deleteAgent: only the owner deletes; a second delete is refused."""
    agent_id = create(client)
    not_owner = {"code": 103, "data": False, "message": "Only owner of canvas authorized for this operation."}
    assert other_client.delete(f"/api/v1/agents/{agent_id}").json() == not_owner
    assert client.delete(f"/api/v1/agents/{agent_id}").json() == {"code": 0, "data": True, "message": "success"}
    assert client.delete(f"/api/v1/agents/{agent_id}").json() == not_owner
    assert client.get("/api/v1/agents").json() == {"code": 0, "data": []}


def test_list_agents_filters_order_and_pages(client: TestClient, settings: Any) -> None:
    """listAgents: filters, ordering and pages."""
    ids = [create(client, f"a{i}") for i in range(3)]
    listed = client.get("/api/v1/agents").json()["data"]
    assert [a["title"] for a in listed] == ["a2", "a1", "a0"]  # update_time desc, ties newest first
    asc = client.get("/api/v1/agents", params={"orderby": "title", "desc": "false"}).json()["data"]
    assert [a["title"] for a in asc] == ["a0", "a1", "a2"]
    assert [a["id"] for a in client.get("/api/v1/agents", params={"title": "A1"}).json()["data"]] == [ids[1]]
    page = client.get("/api/v1/agents", params={"page": 2, "page_size": 2, "desc": "False"}).json()["data"]
    assert len(page) == 1
    assert client.get("/api/v1/agents", params={"name": "zzz"}).json()["code"] == 0  # `name` is ignored


def test_list_agents_errors(client: TestClient, other_client: TestClient) -> None:
    """listAgents: filters matching nothing, bad page, unknown order column."""
    agent_id = create(client)
    missing = {"code": 102, "message": "The agent doesn't exist."}
    assert client.get("/api/v1/agents", params={"id": "nope"}).json() == missing
    assert client.get("/api/v1/agents", params={"title": "nope"}).json() == missing
    assert client.get("/api/v1/agents", params={"id": agent_id, "title": "other"}).json() == missing
    assert other_client.get("/api/v1/agents", params={"id": agent_id}).json() == missing
    assert client.get("/api/v1/agents", params={"page": "x"}).json() == {
        "code": 100,
        "data": None,
        "message": "ValueError(\"invalid literal for int() with base 10: 'x'\")",
    }
    assert client.get("/api/v1/agents", params={"orderby": "name"}).json()["message"] == (
        "AttributeError(\"type object 'UserCanvas' has no attribute 'name'\")"
    )


def test_agents_are_tenant_scoped(client: TestClient, other_client: TestClient) -> None:
    """listAgents, createAgent: agents and their titles are per tenant."""
    create(client, "mine")
    assert other_client.get("/api/v1/agents").json() == {"code": 0, "data": []}
    assert other_client.post("/api/v1/agents", json={"title": "mine", "dsl": DSL}).json()["code"] == 0
