"""Agent and agent-session listings from the ordered index equal a naive full sort of the rows (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from mockserver.core.errors import DataError
from mockserver.families.agents.canvas import default_dsl
from mockserver.families.agents.models import AGENT_COLUMNS, Agent
from mockserver.families.agents.sessions import SESSION_COLUMNS, AgentSession
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend
from tests.support.ordering import Listing, check_listing, collated, lowered, scripts

DSL = default_dsl([])


def _agents(t: TenantBackend, orderby: str, desc: bool, page: int, size: int, **filters: Any) -> list[Agent]:
    query = {"agent_id": None, "title": None, **filters}
    try:
        return t.agents.listing(**query, page=page, page_size=size, orderby=orderby, desc=desc)
    except DataError:  # a filter matching nothing is "The agent doesn't exist."
        return []


def _delete_agents(t: TenantBackend, ids: list[str]) -> None:
    for agent_id in dict.fromkeys(ids):
        t.agents.delete(agent_id)


AGENTS = Listing(
    model_name="UserCanvas",
    known=AGENT_COLUMNS,
    columns=Agent.columns,
    add=lambda t, i: t.agents.insert(f"a{i}", DSL),
    page=_agents,
    rows=lambda t: list(t.agents.items.values()),
    delete=_delete_agents,
    free=("avatar", "description", "create_time", "update_time", "dsl"),
    texts=("title",),
    filters={
        "title": lambda t, value, orderby, desc: _agents(t, orderby, desc, 1, 1000, title=value),
        "id": lambda t, value, orderby, desc: _agents(t, orderby, desc, 1, 1000, agent_id=value),
    },
    matches={"title": collated("title"), "id": lowered("id")},
)


def _agent(t: TenantBackend) -> Agent:
    found = t.agents.by_title("host")
    return found if found is not None else t.agents.insert("host", DSL)


def _sessions(t: TenantBackend, orderby: str, desc: bool, page: int, size: int, **filters: Any) -> list[AgentSession]:
    query = {"session_id": None, "user_id": None, **filters}
    return t.agent_sessions.listing(_agent(t).id, **query, page=page, page_size=size, orderby=orderby, desc=desc)


AGENT_SESSIONS = Listing(
    model_name="API4Conversation",
    known=SESSION_COLUMNS,
    columns=AgentSession.columns,
    add=lambda t, i: t.agent_sessions.create(_agent(t).id, f"u{i % 3}", [], {}),
    page=_sessions,
    rows=lambda t: [s for s in t.agent_sessions.items.values() if s.dialog_id == _agent(t).id],
    delete=lambda t, ids: t.agent_sessions.delete(_agent(t).id, ids),
    free=("create_time", "update_time", "tokens", "duration", "round", "thumb_up", "source", "reference"),
    texts=("user_id",),
    filters={
        "id": lambda t, value, orderby, desc: _sessions(t, orderby, desc, 1, 1000, session_id=value),
        "user_id": lambda t, value, orderby, desc: _sessions(t, orderby, desc, 1, 1000, user_id=value),
    },
    matches={"id": lowered("id"), "user_id": lowered("user_id")},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts(AGENTS))
def test_agent_pages_equal_a_full_sort(script: list[tuple[Any, ...]]) -> None:
    check_listing(AGENTS, Backends(Settings.for_tests()).create_tenant(), script)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts(AGENT_SESSIONS))
def test_agent_session_pages_equal_a_full_sort(script: list[tuple[Any, ...]]) -> None:
    check_listing(AGENT_SESSIONS, Backends(Settings.for_tests()).create_tenant(), script)
