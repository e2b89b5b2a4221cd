"""`AgentSessionStore` called directly (no HTTP): createAgentSession, listAgentSessions, deleteAgentSessions."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.clock import VirtualClock
from mockserver.core.errors import DataError, PythonError
from mockserver.families.agents.canvas import Canvas, begin_input, default_dsl
from mockserver.families.agents.executor import OfflineServices
from mockserver.families.agents.models import Agent
from mockserver.families.agents.sessions import AgentSessionStore, attach_references, set_session_inputs
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend

PROLOGUE = "Hello."


def dsl(inputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    made = default_dsl([], prologue=PROLOGUE)
    made["components"]["begin"]["obj"]["params"]["query"] = inputs or []
    return made


@pytest.fixture
def backends() -> Backends:
    return Backends(Settings.for_tests())


@pytest.fixture
def tenant(backends: Backends) -> TenantBackend:
    return backends.create_tenant()


@pytest.fixture
def store(tenant: TenantBackend) -> AgentSessionStore:
    return tenant.agent_sessions


@pytest.fixture
def agent(tenant: TenantBackend) -> Agent:
    return tenant.agents.create("flow", dsl(), {})


def test_open_runs_the_flow_to_its_first_answer(store: AgentSessionStore, agent: Agent) -> None:
    """createAgentSession: the prologue is the first message; the stored DSL holds the run state."""
    session = store.open(agent.id.upper(), "u1", {}, None, OfflineServices())
    assert (session.dialog_id, session.user_id, session.source) == (agent.id, "u1", "agent")
    assert session.message == [{"role": "assistant", "content": PROLOGUE}]
    assert session.dsl["path"] == [["begin"], ["Answer:Interact"]]


def test_open_refuses_unknown_and_foreign_agents(store: AgentSessionStore, backends: Backends) -> None:
    """createAgentSession: "Agent not found." vs "You cannot access the agent."."""
    foreign = backends.create_tenant().agents.create("theirs", dsl(), {})
    with pytest.raises(DataError, match="Agent not found"):
        store.open("nope", "", {}, None, OfflineServices())
    with pytest.raises(DataError, match="You cannot access the agent"):
        store.open(foreign.id, "", {}, None, OfflineServices())


def test_session_inputs_required_optional_and_files() -> None:
    """createAgentSession: required inputs must be given, optional ones set or cleared, files as text."""
    canvas = Canvas(dsl([begin_input("lang"), begin_input("tone", optional=True), begin_input("doc", kind="file")]))
    with pytest.raises(DataError, match="`lang` with type `line` is required"):
        set_session_inputs(canvas, {}, None)
    with pytest.raises(DataError, match="`doc` with type `file` is required"):
        set_session_inputs(canvas, {"lang": "fr"}, None)
    set_session_inputs(canvas, {"lang": "fr"}, {"doc": "a.txt\nhello"})
    assert [q.get("value") for q in canvas.inputs()] == ["fr", None, "a.txt\nhello"]
    with pytest.raises(PythonError) as listed:
        set_session_inputs(canvas, [1], None)
    assert listed.value.message == "AttributeError(\"'list' object has no attribute 'get'\")"


def test_listing_needs_the_callers_agent(store: AgentSessionStore, agent: Agent) -> None:
    """listAgentSessions: "You don't own the agent x." (with a period), then filters and order."""
    with pytest.raises(DataError, match=r"You don't own the agent nope\."):
        store.listing("nope", session_id=None, user_id=None, page=1, page_size=30, orderby="update_time", desc=True)
    first = store.open(agent.id, "a", {}, None, OfflineServices())
    second = store.open(agent.id, "b", {}, None, OfflineServices())
    listed = store.listing(
        agent.id, session_id=None, user_id=None, page=1, page_size=30, orderby="update_time", desc=True
    )
    assert [s.id for s in listed] == [second.id, first.id]
    by_user = store.listing(
        agent.id, session_id=None, user_id="A", page=1, page_size=30, orderby="update_time", desc=True
    )
    assert [s.id for s in by_user] == [first.id]


def test_delete_goes_through_the_bulk_rules(store: AgentSessionStore, agent: Agent) -> None:
    """deleteAgentSessions: no sessions is a 102; misses and duplicates reported; falsy ids delete all."""
    with pytest.raises(DataError, match=f"Agent {agent.id} has no sessions"):
        store.delete(agent.id, ["x"])
    ids = [store.open(agent.id, "", {}, None, OfflineServices()).id for _ in range(3)]
    assert store.delete(agent.id, [ids[0], "nope"]) == {
        "errors": ["The agent doesn't own the session nope"],
        "success_count": 1,
    }
    assert store.delete(agent.id, [ids[1], ids[1]]) == {
        "errors": [f"Duplicate session ids: {ids[1]}"],
        "success_count": 1,
    }
    assert store.delete(agent.id, None) is None
    assert store.of_agent(agent.id) == []


def test_claim_and_sync_dsl(store: AgentSessionStore, tenant: TenantBackend, agent: Agent) -> None:
    """createAgentCompletion: only the agent's sessions; `sync_dsl` takes a newer agent DSL, keeping the run."""
    session = store.open(agent.id, "", {}, None, OfflineServices())
    with pytest.raises(DataError, match="You don't own the session nope"):
        store.claim(agent, "nope", sync=False)
    assert isinstance(tenant.clock, VirtualClock)
    tenant.clock.advance(5)
    tenant.agents.update(agent.id, {"dsl": {**agent.dsl, "extra": 1}})
    path = session.dsl["path"]
    assert store.claim(agent, session.id, sync=True) is session
    assert session.dsl["extra"] == 1 and session.dsl["path"] == path


def test_seed_writes_turns_with_empty_references(store: AgentSessionStore, agent: Agent) -> None:
    """Seeding a world: the prologue, the turns, an empty reference per assistant turn."""
    session = store.seed(agent, [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}])
    assert [m["role"] for m in session.message] == ["assistant", "user", "assistant"]
    assert session.reference == [{"chunks": [], "doc_aggs": []}]


def test_references_run_out_like_python() -> None:
    """listAgentSessions: more answers than stored references is Python's IndexError."""
    messages = [{"role": "assistant"}, {"role": "user"}, {"role": "assistant"}, {"role": "assistant"}]
    with pytest.raises(PythonError) as short:
        attach_references(messages, [{"chunks": []}])
    assert short.value.message == "IndexError('list index out of range')"
