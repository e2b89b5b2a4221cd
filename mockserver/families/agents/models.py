"""Agents (UserCanvas): the `Agent` record and `AgentStore` rules, and the four `/api/v1/agents` handlers."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mockserver.core.errors import ArgumentError, DataError, OperatingError, PythonError
from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.families.agents.canvas import default_dsl

if TYPE_CHECKING:
    from mockserver.state.backend import TenantBackend

NOT_OWNER = "Only owner of canvas authorized for this operation."


@dataclass
class Agent:
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
        return copy.deepcopy(value)
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise PythonError("JSONDecodeError", str(exc)) from None


def strip_title(value: Any) -> str:
    """`title.strip()`, crashing like Python for a non-string."""
    if not isinstance(value, str):
        raise PythonError("AttributeError", f"'{type(value).__name__}' object has no attribute 'strip'")
    return value.strip()


class AgentStore:
    """A tenant's agents and the rules of creating, listing, updating and deleting them."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant
        self.items: dict[str, Agent] = {}

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, agent_id: str) -> Agent | None:
        """The tenant's agent with this id (ids compare case-insensitively, like MySQL)."""
        found = self.items.get(agent_id)
        if found is None:
            found = next((a for a in self.items.values() if a.id.lower() == agent_id.lower()), None)
        return found

    def by_title(self, title: str) -> Agent | None:
        """The tenant's agent with this title under MySQL collation."""
        key = collation_key(title)
        return next((a for a in self.items.values() if a.title is not None and collation_key(a.title) == key), None)

    def exists_anywhere(self, agent_id: str) -> bool:
        """Whether any tenant has an agent with this id (the server's unscoped `get_by_id`)."""
        return any(t.agents.get(agent_id) is not None for t in list(self.tenant.backends.tenants.values()))

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
            title=title,
            dsl=copy.deepcopy(dsl),
            **{**values, **self._stamp()},
        )
        self.items[agent.id] = agent
        return agent

    def create(self, body: dict[str, Any]) -> Agent:
        """`POST /api/v1/agents` rules, in the server's order (error envelopes raised)."""
        if body.get("dsl") is None:
            raise ArgumentError("No DSL data in request.", data=False)
        dsl = parse_dsl(body["dsl"])
        if body.get("title") is None:
            raise ArgumentError("No title in request.", data=False)
        title = strip_title(body["title"])
        if self.by_title(title) is not None:
            raise DataError(f"Agent with title {title} already exists.")
        return self.insert(title, dsl, **{k: v for k, v in body.items() if k not in ("title", "dsl")})

    def update(self, agent_id: str, body: dict[str, Any]) -> None:
        """`PUT /api/v1/agents/{id}`: null fields ignored, title stripped, dsl parsed, columns written."""
        changes = {k: v for k, v in body.items() if v is not None}
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
            raise PythonError("ValueError", f'Unrecognized field name: "{unknown}" in {changes!r}.')
        changes["update_date"] = clock.http_date(now)
        old_id = agent.id
        for key, value in changes.items():
            setattr(agent, key, column_value(key, value))
        if agent.id != old_id:
            self.items.pop(old_id, None)
            self.items[agent.id] = agent

    def delete(self, agent_id: str) -> None:
        """`DELETE /api/v1/agents/{id}` (the agent's sessions stay, unreachable, as on the server)."""
        agent = self.get(agent_id)
        if agent is None:
            raise OperatingError(NOT_OWNER, data=False)
        self.items.pop(agent.id, None)

    def listing(
        self, *, agent_id: str | None, title: str | None, page: int, page_size: int, orderby: str, desc: bool
    ) -> list[Agent]:
        """Filter (truthy filters only), order and page the tenant's agents."""
        matches = list(self.items.values())
        if agent_id:
            matches = [a for a in matches if a.id.lower() == agent_id.lower()]
        if title:
            key = collation_key(title)
            matches = [a for a in matches if a.title is not None and collation_key(a.title) == key]
        ordered = order_records(matches, orderby, desc, "UserCanvas", Agent.columns, AGENT_COLUMNS)
        return mysql_page(ordered, page, page_size)

    def matches_filters(self, agent_id: str | None, title: str | None) -> bool:
        """The server's `query(id=…, title=…)` check: every given (non-None) filter must match one agent."""
        for agent in self.items.values():
            if agent_id is not None and agent.id.lower() != agent_id.lower():
                continue
            if title is not None and (agent.title is None or collation_key(agent.title) != collation_key(title)):
                continue
            return True
        return False

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


# -- HTTP half -----------------------------------------------------------------------------------
