"""Agent sessions: create (Begin inputs, JSON or multipart), list (§3.8) and delete (§3.9)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver.families.agents.canvas import begin_input, default_dsl

PROLOGUE = "Hello from the agent."


def agent_dsl(inputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    dsl = default_dsl([], prologue=PROLOGUE)
    dsl["components"]["begin"]["obj"]["params"]["query"] = inputs or []
    return dsl


def make_agent(client: TestClient, dsl: Any = None, title: str = "agent") -> str:
    body = {"title": title, "dsl": agent_dsl() if dsl is None else dsl}
    assert client.post("/api/v1/agents", json=body).json()["code"] == 0
    return str(client.get("/api/v1/agents", params={"title": title}).json()["data"][0]["id"])


def test_create_session_runs_to_the_first_answer(client: TestClient) -> None:
    """createAgentSession: the flow runs to its first Answer."""
    agent_id = make_agent(client)
    data = client.post(f"/api/v1/agents/{agent_id}/sessions?user_id=u1", json={}).json()["data"]
    assert sorted(data) == ["agent_id", "dsl", "id", "message", "source", "user_id"]
    assert data["message"] == [{"role": "assistant", "content": PROLOGUE}]
    assert (data["agent_id"], data["source"], data["user_id"]) == (agent_id, "agent", "u1")
    assert data["dsl"]["path"] == [["begin"], ["Answer:Interact"]]
    assert data["dsl"]["embed_id"] == ""


def test_create_session_begin_inputs(client: TestClient) -> None:
    """createAgentSession: required and optional Begin inputs from JSON or a form with files."""
    inputs = [begin_input("lang", "Language"), begin_input("tone", optional=True), begin_input("doc", kind="file")]
    agent_id = make_agent(client, agent_dsl(inputs))
    url = f"/api/v1/agents/{agent_id}/sessions"
    assert client.post(url, json={"doc": "x"}).json() == {"code": 102, "message": "`lang` with type `line` is required"}
    assert client.post(url, json={"lang": "fr"}).json() == {
        "code": 102,
        "message": "`doc` with type `file` is required",
    }
    made = client.post(url, data={"lang": "fr"}, files={"doc": ("notes.txt", b"some text")}).json()
    params = made["data"]["dsl"]["components"]["begin"]["obj"]["params"]["query"]
    assert [p.get("value") for p in params] == ["fr", None, "notes.txt\nsome text"]


def test_create_session_errors(client: TestClient, other_client: TestClient) -> None:
    """createAgentSession: unknown or foreign agents, DSLs that fail to load or run."""
    agent_id = make_agent(client)
    assert client.post("/api/v1/agents/nope/sessions", json={}).json() == {"code": 102, "message": "Agent not found."}
    assert other_client.post(f"/api/v1/agents/{agent_id}/sessions", json={}).json() == {
        "code": 102,
        "message": "You cannot access the agent.",
    }
    no_answer = {"components": {"begin": {"obj": {"component_name": "Begin", "params": {}}}}}
    bad = make_agent(client, no_answer, title="bad")
    assert client.post(f"/api/v1/agents/{bad}/sessions", json={}).json() == {
        "code": 100,
        "data": None,
        "message": "AssertionError(\"There have to be an 'Answer' component.\")",
    }
    broken = make_agent(client, agent_dsl([{"key": "k", "type": "line"}]), title="broken")
    assert client.post(f"/api/v1/agents/{broken}/sessions", json={}).json()["message"] == "KeyError('optional')"


def test_list_sessions(client: TestClient) -> None:
    """listAgentSessions: the keys, filters, `dsl=false` and ordering."""
    agent_id = make_agent(client)
    url = f"/api/v1/agents/{agent_id}/sessions"
    first = client.post(url + "?user_id=a", json={}).json()["data"]["id"]
    second = client.post(url + "?user_id=b", json={}).json()["data"]["id"]
    listed = client.get(url).json()["data"]
    assert [s["id"] for s in listed] == [second, first]
    assert sorted(listed[0]) == [
        "agent_id",
        "create_date",
        "create_time",
        "dsl",
        "duration",
        "id",
        "messages",
        "round",
        "source",
        "thumb_up",
        "tokens",
        "update_date",
        "update_time",
        "user_id",
    ]
    assert "dsl" not in client.get(url, params={"dsl": "false"}).json()["data"][0]
    assert [s["id"] for s in client.get(url, params={"user_id": "a"}).json()["data"]] == [first]
    assert [s["id"] for s in client.get(url, params={"id": second}).json()["data"]] == [second]
    assert client.get(url, params={"id": "nope"}).json() == {"code": 0, "data": []}
    assert [s["id"] for s in client.get(url, params={"desc": "false"}).json()["data"]] == [first, second]


def test_list_sessions_errors(client: TestClient, other_client: TestClient) -> None:
    """listAgentSessions: unknown or foreign agents, unknown order column."""
    agent_id = make_agent(client)
    assert client.get("/api/v1/agents/nope/sessions").json() == {
        "code": 102,
        "message": "You don't own the agent nope.",
    }
    assert other_client.get(f"/api/v1/agents/{agent_id}/sessions").json()["message"] == (
        f"You don't own the agent {agent_id}."
    )
    assert client.get(f"/api/v1/agents/{agent_id}/sessions", params={"orderby": "foo"}).json()["message"] == (
        "AttributeError(\"type object 'API4Conversation' has no attribute 'foo'\")"
    )


def test_delete_sessions(client: TestClient, other_client: TestClient) -> None:
    """deleteAgentSessions: partial results, duplicates, all sessions, foreign agents."""
    agent_id = make_agent(client)
    url = f"/api/v1/agents/{agent_id}/sessions"

    def delete(body: Any, c: TestClient = client) -> Any:
        return c.request("DELETE", url, json=body).json()

    assert delete({"ids": ["x"]}) == {"code": 102, "message": f"Agent {agent_id} has no sessions"}
    ids = [client.post(url, json={}).json()["data"]["id"] for _ in range(4)]
    assert delete({"ids": [ids[0], "nope"]}) == {
        "code": 0,
        "data": {"errors": ["The agent doesn't own the session nope"], "success_count": 1},
    }
    assert delete({"ids": ["nope", "gone"]}) == {
        "code": 102,
        "message": "The agent doesn't own the session nope; The agent doesn't own the session gone",
    }
    assert delete({"ids": [ids[1], ids[1]]}) == {
        "code": 0,
        "data": {"errors": [f"Duplicate session ids: {ids[1]}"], "success_count": 1},
    }
    assert delete({"ids": [1]})["message"] == "The agent doesn't own the session 1"
    assert delete({}, other_client) == {"code": 102, "message": f"You don't own the agent {agent_id}"}
    assert delete(None) == {"code": 0}
    assert client.get(url).json() == {"code": 0, "data": []}
