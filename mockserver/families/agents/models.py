"""Agents (UserCanvas): the `Agent` record and `AgentStore`, the rules of the four `/api/v1/agents` operations."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, Protocol

from mockserver.core.columns import fit_varchar
from mockserver.core.errors import ArgumentError, DataError, OperatingError
from mockserver.core.indexes import EVERY_ROW, Indexed, Key, Table
from mockserver.core.nesting import check_nesting, loads_bounded
from mockserver.core.pagination import collation_key, mysql_page, order_records, table_page
from mockserver.core.python_failures import from_exception, no_attribute, unrecognized_field
from mockserver.core.tenancy import TenantContext
from mockserver.families.agents.canvas import default_dsl

NOT_OWNER = "Only owner of canvas authorized for this operation."
NOT_YOURS = "You don't own the agent {agent_id}"
"""The 102 of the session and completion routes for an agent the caller does not own (`{agent_id}` filled)."""
NOT_FOUND = "Agent not found."


@dataclass
class Agent(Indexed):
    """One UserCanvas row (an agent): the DSL plus the owner tenant and timestamps."""

    id: str
    user_id: str
    title: str | None
    dsl: Any
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    avatar: Any = None
    permission: Any = "me"
    description: Any = None
    canvas_type: Any = None

    def columns(self) -> dict[str, Any]:
        """Column → value (what `orderby` sorts on and what the list returns)."""
        return asdict(self)

    def to_api(self) -> dict[str, Any]:
        """The 12 keys `GET /api/v1/agents` returns."""
        return copy.deepcopy(asdict(self))


AGENT_COLUMNS = frozenset(f.name for f in fields(Agent))
AGENT_KEYS = {
    "id": Key(("id",), lambda a: a.id.lower()),
    "title": Key(("title",), lambda a: None if a.title is None else collation_key(a.title)),
}
"""The agent table's maps: ids as MySQL compares them, titles under collation."""
_WRITABLE = AGENT_COLUMNS - {"create_date", "update_date"}
_TEXT_COLUMNS = frozenset({"id", "user_id", "title", "avatar", "permission", "description", "canvas_type"})
"""Character columns: MySQL stores `str(value)` of whatever else is written to them."""


def column_value(column: str, value: Any) -> Any:
    """What a column holds after a write (text columns coerce non-null values with `str`)."""
    if column in _TEXT_COLUMNS and value is not None and not isinstance(value, str):
        return str(value)
    return copy.deepcopy(value)


def parse_dsl(value: Any) -> Any:
    """The handlers' `json.loads(dsl if str else json.dumps(dsl))`: a string must hold JSON."""
    if not isinstance(value, str):
        return copy.deepcopy(check_nesting(value))
    try:
        return loads_bounded(value)
    except json.JSONDecodeError as exc:
        raise from_exception(exc) from None


def strip_title(value: Any) -> str:
    """`title.strip()`, crashing like Python for a non-string."""
    if not isinstance(value, str):
        raise no_attribute(value, "strip")
    return value.strip()


class AgentOwner(Protocol):
    """Any tenant of the app, as the server's unscoped agent lookup sees it."""

    @property
    def agents(self) -> AgentStore:
        """Its agents."""


class AgentRegistry(Protocol):
    """Every tenant of the app (`UserCanvasService.get_by_id` is not scoped to the caller)."""

    @property
    def tenants(self) -> Mapping[str, AgentOwner]:
        """Tenant id → tenant."""


class AgentTenant(TenantContext, Protocol):
    """What `AgentStore` uses of its tenant: the context, and the app's tenants for unscoped lookups."""

    @property
    def backends(self) -> AgentRegistry:
        """The app's state root."""


class AgentStore:
    """A tenant's agents and the rules of creating, listing, updating and deleting them."""

    def __init__(self, tenant: AgentTenant) -> None:
        self.tenant = tenant
        self.items: dict[str, Agent] = {}
        self.table: Table[Agent] = Table(lambda: self.items, AGENT_KEYS, EVERY_ROW)

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, agent_id: str) -> Agent | None:
        """The tenant's agent with this id (ids compare case-insensitively, like MySQL)."""
        found = self.items.get(agent_id)
        if found is None:
            found = self.table.first("id", agent_id.lower())
        return found

    def by_title(self, title: str) -> Agent | None:
        """The tenant's agent with this title under MySQL collation."""
        return self.table.first("title", collation_key(title))

    def exists_anywhere(self, agent_id: str) -> bool:
        """Whether any tenant has an agent with this id (the server's unscoped `get_by_id`)."""
        return any(t.agents.get(agent_id) is not None for t in list(self.tenant.backends.tenants.values()))

    def owned(self, agent_id: str, refusal: str = NOT_YOURS) -> Agent:
        """The tenant's agent, or the 102 `refusal` (`{agent_id}` filled) for an unknown or foreign one."""
        agent = self.get(agent_id)
        if agent is None:
            raise DataError(refusal.format(agent_id=agent_id))
        return agent

    def refusal(self, agent_id: str, foreign: str) -> str:
        """Why the caller cannot use `agent_id`: `foreign` when another tenant has it, else "Agent not found."."""
        return foreign if self.exists_anywhere(agent_id) else NOT_FOUND

    def _stamp(self) -> dict[str, Any]:
        return self.tenant.clock.stamps()

    def touch(self, agent: Agent) -> None:
        """Move `update_time/update_date` to now."""
        self.tenant.clock.touch(agent)

    # -- rules -----------------------------------------------------------------------------------
    def insert(self, title: str | None, dsl: Any, **columns: Any) -> Agent:
        """Store a new agent row (no request rules: seeding, tests)."""
        values = {k: column_value(k, v) for k, v in columns.items() if k in _WRITABLE - {"user_id", "title", "dsl"}}
        values.pop("id", None)
        agent = Agent(
            id=self.tenant.ids.entity(),
            user_id=self.tenant.tenant_id,
            title=fit_varchar("title", title),
            dsl=copy.deepcopy(dsl),
            **{**values, **self._stamp()},
        )
        self.table.put(agent.id, agent)
        return agent

    def create(self, title: Any, dsl: Any, columns: Mapping[str, Any]) -> Agent:
        """createAgent: the rules in the server's order; `title`/`dsl` as sent, `columns` the other body keys."""
        if dsl is None:
            raise ArgumentError("No DSL data in request.", data=False)
        parsed = parse_dsl(dsl)
        if title is None:
            raise ArgumentError("No title in request.", data=False)
        stripped = strip_title(title)
        if self.by_title(stripped) is not None:
            raise DataError(f"Agent with title {stripped} already exists.")
        return self.insert(stripped, parsed, **columns)

    def update(self, agent_id: str, columns: Mapping[str, Any]) -> None:
        """updateAgent: null fields ignored, title stripped, dsl parsed, columns written (unknown ones crash)."""
        changes = {k: v for k, v in columns.items() if v is not None}
        changes["user_id"] = self.tenant.tenant_id
        if changes.get("dsl") is not None:
            changes["dsl"] = parse_dsl(changes["dsl"])
        if changes.get("title") is not None:
            changes["title"] = strip_title(changes["title"])
        agent = self.get(agent_id)
        if agent is None:
            raise OperatingError(NOT_OWNER, data=False)
        clock = self.tenant.clock
        now = clock.now()
        changes["update_time"] = clock.epoch_ms(now)
        changes["update_date"] = datetime.fromtimestamp(int(now), clock.zone).replace(tzinfo=None)
        unknown = next((k for k in changes if k not in AGENT_COLUMNS), None)
        if unknown is not None:
            raise unrecognized_field(unknown, changes)
        changes["update_date"] = clock.http_date(now)
        fit_varchar("title", changes.get("title"))
        old_id = agent.id
        for key, value in changes.items():
            setattr(agent, key, column_value(key, value))
        if agent.id != old_id:
            self.table.pop(old_id)
            self.table.put(agent.id, agent)

    def delete(self, agent_id: str) -> None:
        """deleteAgent (the agent's sessions stay, unreachable, as on the server)."""
        agent = self.get(agent_id)
        if agent is None:
            raise OperatingError(NOT_OWNER, data=False)
        self.table.pop(agent.id)

    def listing(
        self, *, agent_id: str | None, title: str | None, page: int, page_size: int, orderby: str, desc: bool
    ) -> list[Agent]:
        """listAgents: given filters must match an agent (else 102); truthy filters select, then order and page."""
        if (agent_id or title) and not self.matches_filters(agent_id, title):
            raise DataError("The agent doesn't exist.")
        if not (agent_id or title):
            return table_page(
                self.table,
                True,
                orderby=orderby,
                desc=desc,
                page=page,
                page_size=page_size,
                model_name="UserCanvas",
                known=AGENT_COLUMNS,
            )
        matches = self._candidates(agent_id or None, title or None)
        if agent_id:
            matches = [a for a in matches if a.id.lower() == agent_id.lower()]
        if title:
            key = collation_key(title)
            matches = [a for a in matches if a.title is not None and collation_key(a.title) == key]
        ordered = order_records(matches, orderby, desc, "UserCanvas", Agent.columns, AGENT_COLUMNS)
        return mysql_page(ordered, page, page_size)

    def matches_filters(self, agent_id: str | None, title: str | None) -> bool:
        """The server's `query(id=…, title=…)` check: every given (non-None) filter must match one agent."""
        for agent in self._candidates(agent_id, title):
            if agent_id is not None and agent.id.lower() != agent_id.lower():
                continue
            if title is not None and (agent.title is None or collation_key(agent.title) != collation_key(title)):
                continue
            return True
        return False

    def _candidates(self, agent_id: str | None, title: str | None) -> list[Agent]:
        """The agents an id filter (else a title filter) can match, in insertion order (all without filters)."""
        if agent_id is not None:
            return self.table.find("id", agent_id.lower())
        if title is not None:
            return self.table.find("title", collation_key(title))
        return self.table.members(True)

    def seed(
        self,
        title: str,
        description: str | None = None,
        dsl: dict[str, Any] | None = None,
        dataset_ids: list[str] | None = None,
    ) -> Agent:
        """Create an agent for a world: the default Q&A flow, or `dsl` with empty Retrieval `kb_ids` filled."""
        if self.by_title(title) is not None:
            raise DataError(f"Agent with title {title} already exists.")
        ids = list(dataset_ids or [])
        graph = copy.deepcopy(dsl) if dsl is not None else default_dsl(ids)
        for node in (graph.get("components") or {}).values() if isinstance(graph, dict) else []:
            obj = node.get("obj") if isinstance(node, dict) else None
            if isinstance(obj, dict) and obj.get("component_name") == "Retrieval":
                params = obj.setdefault("params", {})
                if not params.get("kb_ids"):
                    params["kb_ids"] = list(ids)
        return self.insert(title, graph, description=description)
