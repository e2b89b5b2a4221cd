"""OpenAI-compatible agent endpoint (§1.2): object shape, stream framing and every negative case."""

from __future__ import annotations

import itertools
from typing import Any

from starlette.testclient import TestClient

from mockserver.core import sse
from mockserver.core.search import count_tokens
from mockserver.families.agents.canvas import begin_input, default_dsl

PROLOGUE = "Hi! I'm your smart assistant. What can I do for you?"


def make_agent(client: TestClient, inputs: list[dict[str, Any]] | None = None) -> str:
    dsl = default_dsl([])
    dsl["components"]["begin"]["obj"]["params"]["query"] = inputs or []
    assert client.post("/api/v1/agents", json={"title": "oa", "dsl": dsl}).json()["code"] == 0
    return str(client.get("/api/v1/agents").json()["data"][0]["id"])


def url(agent_id: str) -> str:
    return f"/api/v1/agents_openai/{agent_id}/chat/completions"


def ask(content: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"model": "any", "messages": [{"role": "user", "content": content}], **extra}


def test_non_streaming_new_session_answers_the_prologue(client: TestClient) -> None:
    """createOpenaiAgentCompletion without a session: the prologue as one object."""
    agent_id = make_agent(client)
    body = client.post(url(agent_id), json=ask(stream=False)).json()
    assert body == {
        "choices": [
            {
                "finish_reason": "stop",
                "index": 0,
                "logprobs": None,
                "message": {"content": PROLOGUE, "role": "assistant"},
            }
        ],
        "created": None,
        "id": body["id"],
        "model": agent_id,
        "object": "chat.completion",
        "param": [],
        "usage": {
            "completion_tokens": count_tokens(PROLOGUE),
            "completion_tokens_details": {
                "accepted_prediction_tokens": 0,
                "reasoning_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
            "prompt_tokens": count_tokens("hi"),
            "total_tokens": count_tokens("hi") + count_tokens(PROLOGUE),
        },
    }
    session = client.get(f"/api/v1/agents/{agent_id}/sessions").json()["data"][0]
    assert session["id"] == body["id"] and session["user_id"] == ""


def test_streaming_uses_message_objects_with_cumulative_content(client: TestClient) -> None:
    """createOpenaiAgentCompletion streamed: chunk objects with cumulative content, then `[DONE]`."""
    agent_id = make_agent(client)
    session_id = client.post(url(agent_id), json=ask(stream=False)).json()["id"]
    response = client.post(url(agent_id), json=ask("tell me", id=session_id))
    assert response.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"]
    assert "cache-control" not in response.headers
    raw = response.content
    assert raw.startswith(
        b'data: {"id": "' + session_id.encode() + b'", "object": "chat.completion.chunk", "created": null'
    )
    assert raw.endswith(b"\n\ndata: [DONE]\n\n")
    objects = sse.payloads(raw)[:-1]
    contents = [o["choices"][0]["message"]["content"] for o in objects]
    assert contents[0] == "*'Retrieval_0'* is running...🕞"
    assert objects[0]["choices"][0]["finish_reason"] is None
    answers = contents[2:]
    assert all(b.startswith(a) for a, b in itertools.pairwise(answers))
    assert all(o["choices"][0]["finish_reason"] == "stop" and o["param"] is None for o in objects[2:])
    totals = [o["usage"]["completion_tokens"] for o in objects]
    assert totals == sorted(totals) and totals[-1] == sum(count_tokens(c) for c in contents)
    session = client.get(f"/api/v1/agents/{agent_id}/sessions").json()["data"][0]
    assert [m["role"] for m in session["messages"]] == ["assistant", "user"]  # the endpoint never stores answers
    assert session["round"] == 2


def test_checks_before_authentication_and_errors(
    client: TestClient, anon_client: TestClient, other_client: TestClient
) -> None:
    """createOpenaiAgentCompletion: the argument check before the key, and the errors."""
    agent_id = make_agent(client, [begin_input("lang")])
    assert anon_client.post(url(agent_id), json={"model": "m"}).json() == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: messages; ",
    }
    assert anon_client.post(url(agent_id), json=ask()).json()["code"] == 0  # missing key: code 0, data false
    assert client.post(url(agent_id), json={"model": "m", "messages": []}).json() == {
        "code": 102,
        "message": "You must provide at least one message.",
    }
    assert other_client.post(url(agent_id), json=ask()).json() == {
        "code": 102,
        "message": f"You don't own the agent {agent_id}",
    }
    assert (
        client.post(url(agent_id), json={"model": "m", "messages": [{"content": "x"}]}).json()["message"]
        == "KeyError('role')"
    )
    only_system = client.post(
        url(agent_id), json={"model": "m", "messages": [{"role": "system", "content": "s"}]}
    ).json()
    assert (only_system["id"], only_system["model"], only_system["created"]) == (agent_id, "m", None)
    assert only_system["choices"][0]["message"]["content"] == "No valid messages found (user or assistant)."
    required = client.post(url(agent_id), json=ask(stream=False)).json()
    assert (required["id"], required["choices"][0]["message"]["content"]) == ("None", "`lang` is required")
    unknown = client.post(url(agent_id), json=ask(stream=False, id="nope")).json()
    assert (unknown["id"], unknown["choices"][0]["message"]["content"]) == ("nope", "**ERROR**: Session not found!")
