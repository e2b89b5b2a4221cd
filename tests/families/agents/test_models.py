"""`AgentStore` called directly (no HTTP): the rules of createAgent, updateAgent, deleteAgent, listAgents."""

from __future__ import annotations

import pytest

from mockserver.core.errors import ArgumentError, DataError, OperatingError, PythonError
from mockserver.families.agents.canvas import default_dsl
from mockserver.families.agents.models import AgentStore
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend

DSL = default_dsl([])


@pytest.fixture
def backends() -> Backends:
    return Backends(Settings.for_tests())


@pytest.fixture
def tenant(backends: Backends) -> TenantBackend:
    return backends.create_tenant()


@pytest.fixture
def store(tenant: TenantBackend) -> AgentStore:
    return tenant.agents


def test_create_checks_in_the_servers_order(store: AgentStore) -> None:
    """createAgent: DSL first (a string must be JSON), then the title (stripped, unique under collation)."""
    with pytest.raises(ArgumentError, match="No DSL data"):
        store.create(None, None, {})
    with pytest.raises(PythonError) as bad_json:
        store.create(None, "{", {})
    assert bad_json.value.exc_type == "JSONDecodeError"
    with pytest.raises(ArgumentError, match="No title"):
        store.create(None, DSL, {})
    with pytest.raises(PythonError) as number:
        store.create(5, DSL, {})
    assert number.value.message == "AttributeError(\"'int' object has no attribute 'strip'\")"
    agent = store.create("  Helper ", '{"components": {}}', {"description": 7, "user_id": "ignored"})
    assert (agent.title, agent.dsl, agent.description, agent.user_id) == (
        "Helper",
        {"components": {}},
        "7",
        store.tenant.tenant_id,
    )
    with pytest.raises(DataError, match="Agent with title helper already exists"):
        store.create("helper", DSL, {})


def test_update_ignores_nulls_and_refuses_unknown_columns(store: AgentStore) -> None:
    """updateAgent: nulls ignored, title stripped, unknown columns are peewee's ValueError, others 103."""
    agent = store.create("a", DSL, {"description": "d"})
    store.update(agent.id.upper(), {"title": " b ", "description": None})
    assert (agent.title, agent.description) == ("b", "d")
    with pytest.raises(PythonError) as unknown:
        store.update(agent.id, {"foo": 1})
    assert unknown.value.message.startswith('ValueError(\'Unrecognized field name: "foo"')
    with pytest.raises(OperatingError, match="Only owner of canvas"):
        store.update("nope", {"title": "x"})


def test_update_of_the_id_rekeys_the_agent(store: AgentStore) -> None:
    """updateAgent: writing `id` moves the row (the server writes whatever columns it gets)."""
    agent = store.create("a", DSL, {})
    store.update(agent.id, {"id": "new-id"})
    assert store.get("NEW-ID") is agent and agent.id not in ("",) and len(store.items) == 1


def test_delete_only_the_tenants_agent(store: AgentStore, backends: Backends) -> None:
    """deleteAgent: another tenant's agent is a 103, as an unknown one."""
    other = backends.create_tenant().agents.create("theirs", DSL, {})
    with pytest.raises(OperatingError):
        store.delete(other.id)
    mine = store.create("mine", DSL, {})
    store.delete(mine.id)
    assert store.items == {}


def test_listing_filters_must_match_and_pages(store: AgentStore) -> None:
    """listAgents: a given `id`/`title` filter matching nothing is a 102; otherwise filter, order, page."""
    ids = [store.create(f"a{i}", DSL, {}).id for i in range(3)]
    with pytest.raises(DataError, match="The agent doesn't exist"):
        store.listing(agent_id="nope", title=None, page=1, page_size=30, orderby="update_time", desc=True)
    titled = store.listing(agent_id=None, title="A1", page=1, page_size=30, orderby="update_time", desc=True)
    assert [a.id for a in titled] == [ids[1]]
    page = store.listing(agent_id=None, title=None, page=2, page_size=2, orderby="title", desc=False)
    assert [a.title for a in page] == ["a2"]


def test_owned_refusal_and_unscoped_lookup(store: AgentStore, backends: Backends) -> None:
    """createAgentSession, createAgentbotCompletion: a foreign agent and an unknown one are told apart."""
    other = backends.create_tenant().agents.create("theirs", DSL, {})
    assert store.exists_anywhere(other.id) and not store.exists_anywhere("nope")
    assert store.refusal(other.id, "You cannot access the agent.") == "You cannot access the agent."
    assert store.refusal("nope", "You cannot access the agent.") == "Agent not found."
    with pytest.raises(DataError, match=f"You don't own the agent {other.id}"):
        store.owned(other.id)


def test_seed_fills_empty_retrieval_datasets(store: AgentStore) -> None:
    """Seeding a world: the default Q&A flow over the given datasets; duplicate titles refused."""
    agent = store.seed("qa", dataset_ids=["kb1"])
    assert agent.dsl["components"]["Retrieval:Search"]["obj"]["params"]["kb_ids"] == ["kb1"]
    dsl = default_dsl([])
    custom = store.seed("custom", dsl=dsl, dataset_ids=["kb2"])
    assert custom.dsl["components"]["Retrieval:Search"]["obj"]["params"]["kb_ids"] == ["kb2"]
    with pytest.raises(DataError):
        store.seed("QA")
