"""The official ragflow-sdk 0.19.0 drives agents end to end against the emulator over a real socket."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator

import pytest
from ragflow_sdk import RAGFlow

from mockserver import Settings, create_app
from mockserver.families.agents.canvas import begin_input, default_dsl
from mockserver.server import ThreadedServer

KEY = "ragflow-sdk-agent-key"
TEXT = "The sky is blue because of Rayleigh scattering. Grass is green because of chlorophyll."


@pytest.fixture(scope="module")
def rag() -> Iterator[RAGFlow]:
    with ThreadedServer(create_app(Settings.for_tests(api_keys=(KEY,)))) as server:
        yield RAGFlow(api_key=KEY, base_url=server.base_url)


def test_sdk_agent_lifecycle(rag: RAGFlow) -> None:
    """createAgent, listAgents, createAgentSession, createAgentCompletion, listAgentSessions, deleteAgentSessions, deleteAgent through `ragflow_sdk`."""
    dataset = rag.create_dataset(name="sdk-agent-kb")
    dataset.upload_documents([{"display_name": "sky.txt", "blob": TEXT.encode()}])
    doc = dataset.list_documents()[0]
    dataset.async_parse_documents([doc.id])
    deadline = time.monotonic() + 5
    while dataset.list_documents(id=doc.id)[0].run != "DONE" and time.monotonic() < deadline:
        time.sleep(0.01)

    dsl = default_dsl([dataset.id], prologue="Ask me about colours.")
    dsl["components"]["begin"]["obj"]["params"]["query"] = [begin_input("lang", "Language")]
    rag.create_agent("colours", dsl, description="answers from the knowledge base")
    agent = rag.list_agents(title="colours")[0]
    assert agent.description == "answers from the knowledge base"

    with pytest.raises(Exception, match="`lang` with type `line` is required"):
        agent.create_session()
    session = agent.create_session(lang="English")
    assert session.agent_id == agent.id

    answers = list(session.ask("why is the sky blue?", stream=True))
    assert len(answers) > 2
    assert all(b.content.startswith(a.content.removesuffix(" ##0$$")) for a, b in itertools.pairwise(answers))
    final = answers[-1]
    assert final.content == "The sky is blue because of Rayleigh scattering. ##0$$"
    assert final.reference[0]["document_name"] == "sky.txt"

    listed = agent.list_sessions()[0]
    assert [m["role"] for m in listed.messages] == ["assistant", "user", "assistant"]
    assert listed.messages[2]["content"] == final.content

    rag.update_agent(agent.id, title="colours v2")
    assert rag.list_agents(id=agent.id)[0].title == "colours v2"
    rag.delete_agent(agent.id)
    with pytest.raises(Exception, match=re.escape("The agent doesn't exist.")):
        rag.list_agents(id=agent.id)
    with pytest.raises(Exception, match=re.escape("Only owner of canvas authorized for this operation.")):
        rag.delete_agent(agent.id)
