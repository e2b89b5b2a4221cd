"""`agents.turns` called directly (no HTTP): one completion turn of createAgentCompletion and its siblings."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.families.agents.canvas import CanvasFailure, begin_input, default_dsl
from mockserver.families.agents.executor import OfflineServices
from mockserver.families.agents.models import Agent
from mockserver.families.agents.turns import chunks_format, open_turn, required_input
from mockserver.state.backend import TenantBackend


def dsl(inputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    made = default_dsl([], prologue="Hello.")
    made["components"]["begin"]["obj"]["params"]["query"] = inputs or []
    return made


@pytest.fixture
def agent(tenant: TenantBackend) -> Agent:
    return tenant.agents.create("flow", dsl(), {})


def test_a_turn_without_session_opens_one(tenant: TenantBackend, agent: Agent) -> None:
    """createAgentCompletion without `session_id`: a new stored session; the turn works on a copy."""
    turn = open_turn(tenant.agent_sessions, OfflineServices(), agent, "", None, {"user_id": "u"})
    stored = tenant.agent_sessions.get(turn.session_id)
    assert stored is not None and stored is not turn.session and stored.user_id == "u"
    assert stored.message[0]["content"] == "Hello."


def test_first_answer_saves_the_turn(tenant: TenantBackend, agent: Agent) -> None:
    """createAgentCompletion with `stream: false`: the answer is the data; the session gets one more round."""
    first = open_turn(tenant.agent_sessions, OfflineServices(), agent, "", None, {})
    first.first_answer()
    turn = open_turn(tenant.agent_sessions, OfflineServices(), agent, "why?", first.session_id, {})
    data = turn.first_answer()
    assert (data["session_id"], data["id"]) == (first.session_id, turn.message_id)
    stored = tenant.agent_sessions.get(first.session_id)
    assert stored is not None and stored.round == 2
    assert [m["role"] for m in stored.message] == ["assistant", "user", "assistant"]


def test_required_inputs_and_unknown_sessions_fail_before_the_run(tenant: TenantBackend) -> None:
    """createAgentCompletion, createOpenaiAgentCompletion: missing required inputs, unknown sessions."""
    agent = tenant.agents.create("inputs", dsl([begin_input("lang")]), {})
    assert required_input(agent) == "`lang` is required"
    with pytest.raises(CanvasFailure) as missing:
        open_turn(tenant.agent_sessions, OfflineServices(), agent, "", None, {})
    assert missing.value.message == "AssertionError('`lang` is required')"
    with pytest.raises(CanvasFailure, match="Session not found!"):
        open_turn(tenant.agent_sessions, OfflineServices(), agent, "q", "nope", {})
    open_turn(tenant.agent_sessions, OfflineServices(), agent, "", None, {"lang": "fr"})


def test_chunks_format_reads_internal_and_api_names() -> None:
    """createAgentCompletion: reference chunks in the §5.1 key order from either naming."""
    internal = {"chunk_id": "c", "content_with_weight": "t", "doc_id": "d", "docnm_kwd": "n", "kb_id": "k"}
    api = {"id": "c", "content": "t", "document_id": "d", "document_name": "n", "dataset_id": "k"}
    assert chunks_format({"chunks": [internal]}) == chunks_format({"chunks": [api]})
    assert list(chunks_format({"chunks": [api]})[0])[:3] == ["id", "content", "document_id"]
