"""The `openai` client talks to `/api/v1/agents_openai/<agent_id>` over a real socket, streaming and not."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.families.agents.canvas import default_dsl
from mockserver.server import ThreadedServer

KEY = "ragflow-openai-agent-key"
PROLOGUE = "Hello, I am the colours agent."


@pytest.fixture(scope="module")
def agent_client() -> Iterator[openai.OpenAI]:
    app = create_app(Settings.for_tests(api_keys=(KEY,)))
    with TestClient(app, headers={"Authorization": f"Bearer {KEY}"}) as local:
        local.post("/api/v1/agents", json={"title": "colours", "dsl": default_dsl([], prologue=PROLOGUE)})
        agent_id = local.get("/api/v1/agents").json()["data"][0]["id"]
    with ThreadedServer(app) as server:
        yield openai.OpenAI(api_key=KEY, base_url=f"{server.base_url}/api/v1/agents_openai/{agent_id}")


def test_non_streaming(agent_client: openai.OpenAI) -> None:
    """createOpenaiAgentCompletion through the `openai` client, not streamed."""
    # the endpoint streams unless `stream` is false, so the client must say so
    reply = agent_client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=False)
    assert reply.object == "chat.completion" and reply.created is None
    assert reply.choices[0].message.content == PROLOGUE
    assert reply.choices[0].finish_reason == "stop"
    assert len(reply.id) == 32


def test_streaming_continues_the_session(agent_client: openai.OpenAI) -> None:
    """createOpenaiAgentCompletion through the `openai` client, streamed, continuing the session."""
    hello = [{"role": "user", "content": "hi"}]
    session_id = agent_client.chat.completions.create(model="m", messages=hello, stream=False).id  # type: ignore[arg-type]
    chunks = list(
        agent_client.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "what colour is grass?"}],
            stream=True,
            extra_body={"id": session_id},
        )
    )
    assert {c.id for c in chunks} == {session_id}
    contents = [c.choices[0].message["content"] for c in chunks]  # type: ignore[attr-defined]
    assert contents[0].endswith("is running...🕞")
    assert (
        contents[-1]
        == 'You asked: "what colour is grass?". No knowledge base is attached to this assistant, so this answer cites no source.'
    )
    assert chunks[-1].choices[0].finish_reason == "stop"
