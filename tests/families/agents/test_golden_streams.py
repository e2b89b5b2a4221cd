"""Golden byte transcripts of the agent streams (`fixtures/streams/agent_*.sse`); `UPDATE_GOLDEN=1` rewrites them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.families.agents.canvas import begin_input, default_dsl
from mockserver.paths import fixtures_dir
from tests.support.knowledge import create_dataset, parse, upload_ok

KEY = "ragflow-golden-key"
TEXT = b"The sky is blue because of Rayleigh scattering. Grass is green because of chlorophyll."


@pytest.fixture
def golden() -> Iterator[tuple[TestClient, str]]:
    with TestClient(create_app(Settings.for_tests(api_keys=(KEY,))), headers={"Authorization": f"Bearer {KEY}"}) as c:
        dataset = create_dataset(c, "golden-kb")
        doc = upload_ok(c, dataset["id"], ("sky.txt", TEXT))[0]
        parse(c, dataset["id"], doc["id"])
        dsl = default_dsl([dataset["id"]])
        dsl["components"]["begin"]["obj"]["params"]["query"] = [begin_input("lang", "Language")]
        c.post("/api/v1/agents", json={"title": "golden", "dsl": dsl})
        yield c, c.get("/api/v1/agents").json()["data"][0]["id"]


def check(name: str, raw: bytes) -> None:
    path: Path = fixtures_dir() / "streams" / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(raw)
    assert raw == path.read_bytes(), f"{name} differs from its golden transcript (UPDATE_GOLDEN=1 to accept)"


def test_agent_completion_no_session(golden: tuple[TestClient, str]) -> None:
    """createAgentCompletion without a session, byte for byte against the golden transcript."""
    client, agent_id = golden
    check(
        "agent_completion_no_session.sse",
        client.post(f"/api/v1/agents/{agent_id}/completions", json={"lang": "en"}).content,
    )


def test_agent_completion(golden: tuple[TestClient, str]) -> None:
    """createAgentCompletion with a session, byte for byte against the golden transcript."""
    client, agent_id = golden
    session_id = client.post(f"/api/v1/agents/{agent_id}/sessions", json={"lang": "en"}).json()["data"]["id"]
    body = {"question": "why is the sky blue?", "session_id": session_id}
    check("agent_completion.sse", client.post(f"/api/v1/agents/{agent_id}/completions", json=body).content)


def test_openai_agent(golden: tuple[TestClient, str]) -> None:
    """createOpenaiAgentCompletion, byte for byte against the golden transcript."""
    client, agent_id = golden
    session_id = client.post(f"/api/v1/agents/{agent_id}/sessions", json={"lang": "en"}).json()["data"]["id"]
    body = {"model": "model", "messages": [{"role": "user", "content": "why is grass green?"}], "id": session_id}
    check("openai_agent.sse", client.post(f"/api/v1/agents_openai/{agent_id}/chat/completions", json=body).content)
