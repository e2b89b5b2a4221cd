"""Agent completions (§3.7, §6.2) and agentbots (§8): frames, final events, session history, every error."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver.core import sse
from mockserver.core.errors import WERKZEUG_500_HTML
from mockserver.families.agents.canvas import begin_input, default_dsl
from tests.support.knowledge import create_dataset, parse, upload_ok

TEXT = b"The sky is blue because of Rayleigh scattering. Grass is green because of chlorophyll."


def agent_with_knowledge(client: TestClient, inputs: list[dict[str, Any]] | None = None) -> str:
    dataset = create_dataset(client)
    doc = upload_ok(client, dataset["id"], ("sky.txt", TEXT))[0]
    assert parse(client, dataset["id"], doc["id"]) == {"code": 0}
    dsl = default_dsl([dataset["id"]])
    dsl["components"]["begin"]["obj"]["params"]["query"] = inputs or []
    assert client.post("/api/v1/agents", json={"title": "qa", "dsl": dsl}).json()["code"] == 0
    return str(client.get("/api/v1/agents").json()["data"][0]["id"])


def events(raw: bytes) -> list[Any]:
    return [p["data"] for p in sse.payloads(raw)]


def test_without_session_creates_one_and_answers_the_prologue(client: TestClient) -> None:
    """createAgentCompletion without `session_id`: a new session answers the prologue."""
    agent_id = agent_with_knowledge(client, [begin_input("lang")])
    response = client.post(f"/api/v1/agents/{agent_id}/completions", json={"lang": "en", "question": "ignored"})
    assert response.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2
    first, last = events(response.content)
    assert last is True
    assert list(first) == ["answer", "reference", "param", "id", "session_id"]
    assert first["answer"] == "Hi! I'm your smart assistant. What can I do for you?"
    assert first["reference"] == {} and first["param"][0]["value"] == "en"
    session = client.get(f"/api/v1/agents/{agent_id}/sessions").json()["data"][0]
    assert session["id"] == first["session_id"] and session["round"] == 1
    assert session["messages"][0]["id"] == first["id"] and "created_at" in session["messages"][0]


def test_with_session_streams_notices_cumulative_steps_and_citations(client: TestClient) -> None:
    """createAgentCompletion: running notices, cumulative steps and citations in the stream."""
    agent_id = agent_with_knowledge(client)
    session_id = client.post(f"/api/v1/agents/{agent_id}/sessions", json={}).json()["data"]["id"]
    raw = client.post(
        f"/api/v1/agents/{agent_id}/completions", json={"question": "why is the sky blue?", "session_id": session_id}
    ).content
    assert raw.startswith(b'data:{"code": 0, "message": "", "data": {"answer": "*\'Retrieval_0\'* is running...')
    data = events(raw)
    assert data[0] == {"answer": "*'Retrieval_0'* is running...🕞", "running_status": True}
    assert data[1]["answer"] == "*'Generate_0'* is running...🕞" and data[-1] is True
    steps = data[2:-1]
    assert all(s["reference"] == {} for s in steps[:-1])
    assert steps[-2]["answer"] == "The sky is blue because of Rayleigh scattering."
    cited = steps[-1]
    assert cited["answer"] == "The sky is blue because of Rayleigh scattering. ##0$$"
    assert list(cited["reference"]) == ["chunks", "doc_aggs"]
    assert list(cited["reference"]["chunks"][0])[:8] == [
        "id",
        "content",
        "document_id",
        "document_name",
        "dataset_id",
        "image_id",
        "positions",
        "url",
    ]
    assert cited["reference"]["doc_aggs"] == [
        {"doc_id": cited["reference"]["chunks"][0]["document_id"], "doc_name": "sky.txt"}
    ]
    assert len({s["id"] for s in steps}) == 1
    listed = client.get(f"/api/v1/agents/{agent_id}/sessions").json()["data"][0]
    assert [m["role"] for m in listed["messages"]] == ["assistant", "user", "assistant"]
    assert listed["messages"][2]["content"] == cited["answer"]
    assert listed["messages"][2]["reference"][0]["document_name"] == "sky.txt"
    assert listed["round"] == 1
    assert listed["dsl"]["history"] == [["user", "why is the sky blue?"], ["assistant", cited["answer"]]]


def test_non_streaming_answer(client: TestClient) -> None:
    """createAgentCompletion with `stream: false`: the first answer as data."""
    agent_id = agent_with_knowledge(client)
    session_id = client.post(f"/api/v1/agents/{agent_id}/sessions", json={}).json()["data"]["id"]
    body = {"question": "why is grass green?", "session_id": session_id, "stream": False}
    data = client.post(f"/api/v1/agents/{agent_id}/completions", json=body).json()["data"]
    assert sorted(data) == ["answer", "id", "param", "reference", "session_id"]
    assert data["answer"] == "Grass is green because of chlorophyll. ##0$$" and data["reference"] == {}
    none = client.post(f"/api/v1/agents/{agent_id}/completions", json={"stream": False}).json()["data"]
    assert none["answer"] == "Hi! I'm your smart assistant. What can I do for you?"


def test_completion_errors(client: TestClient, other_client: TestClient) -> None:
    """createAgentCompletion: foreign agent or session, bad bodies, required inputs."""
    agent_id = agent_with_knowledge(client, [begin_input("lang")])
    url = f"/api/v1/agents/{agent_id}/completions"
    assert other_client.post(url, json={}).json() == {"code": 102, "message": f"You don't own the agent {agent_id}"}
    assert client.post(url, content=b"").json()["message"] == (
        "AttributeError(\"'NoneType' object has no attribute 'get'\")"
    )
    assert client.post(url, json={"session_id": "nope", "question": "q"}).json() == {
        "code": 102,
        "message": "You don't own the session nope",
    }
    assert client.post(url, json={"stream": False}).json() == {"code": 102, "message": "`lang` is required"}
    html = client.post(url, json={})
    assert (html.status_code, html.text) == (500, WERKZEUG_500_HTML)
    session_id = client.post(f"/api/v1/agents/{agent_id}/sessions", json={"lang": "en"}).json()["data"]["id"]
    assert client.post(url, json={"session_id": session_id}).json()["message"] == (
        "TypeError(\"completion() missing 1 required positional argument: 'question'\")"
    )
    assert client.post(url, json={"tenant_id": "x"}).json()["message"] == (
        "TypeError(\"completion() got multiple values for argument 'tenant_id'\")"
    )


def test_error_inside_the_run_is_a_code_500_frame(client: TestClient) -> None:
    """createAgentCompletion: an exception inside the run is a code-500 frame."""
    dsl = default_dsl([])
    dsl["components"]["Generate:Reply"]["downstream"] = []  # the flow never reaches an Answer again
    assert client.post("/api/v1/agents", json={"title": "dead end", "dsl": dsl}).json()["code"] == 0
    agent_id = client.get("/api/v1/agents").json()["data"][0]["id"]
    session_id = client.post(f"/api/v1/agents/{agent_id}/sessions", json={}).json()["data"]["id"]
    body = {"question": "q", "session_id": session_id}
    message = (
        "The dialog flow has no way to interact with you. Please add an 'Interact' component to the end of the flow."
    )
    frames = sse.payloads(client.post(f"/api/v1/agents/{agent_id}/completions", json=body).content)
    assert frames[-2:] == [
        {"code": 500, "message": message, "data": {"answer": "**ERROR**: " + message, "reference": []}},
        {"code": 0, "message": "", "data": True},
    ]
    assert client.post(f"/api/v1/agents/{agent_id}/completions", json={**body, "stream": False}).json() == {
        "code": 102,
        "message": message,
    }


def test_agentbot_completion(client: TestClient, other_client: TestClient, app: Any) -> None:
    """createAgentbotCompletion: the beta token's tenant, foreign and unknown agents."""
    agent_id = agent_with_knowledge(client)
    backends = app.state.emulator.backends
    beta = backends.tokens_of(client.get("/api/v1/agents").json()["data"][0]["user_id"])[0].beta
    url = f"/api/v1/agentbots/{agent_id}/completions"
    headers = {"Authorization": f"Bearer {beta}"}
    first, last = events(client.post(url, json={"question": ""}, headers=headers).content)
    assert first["answer"] == "Hi! I'm your smart assistant. What can I do for you?" and last is True
    answered = client.post(
        url,
        json={"question": "why is the sky blue?", "session_id": first["session_id"], "stream": False},
        headers=headers,
    ).json()
    assert answered["data"]["answer"].startswith("The sky is blue")
    assert client.post(url, json={}, headers=headers).json()["message"] == (
        "TypeError(\"completion() missing 1 required positional argument: 'question'\")"
    )
    assert client.post(url, content=b"", headers=headers).json()["message"] == (
        "TypeError(\"argument of type 'NoneType' is not iterable\")"
    )
    other_beta = backends.tokens_of(backends.token("ragflow-other-key").tenant_id)[0].beta
    foreign = {"question": "", "stream": False}
    assert client.post(url, json=foreign, headers={"Authorization": f"Bearer {other_beta}"}).json() == {
        "code": 100,
        "data": None,
        "message": "AssertionError('You do not own the agent.')",
    }
    missing = client.post("/api/v1/agentbots/nope/completions", json={"question": ""}, headers=headers)
    assert missing.status_code == 500
    assert client.post(url, json={"question": ""}, headers={"Authorization": "Bearer nope"}).json() == {
        "code": 102,
        "message": 'Authentication error: API key is invalid!"',
    }
