"""Agents (UserCanvas): the `Agent` record and `AgentStore` rules, and the four `/api/v1/agents` handlers."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mockserver.canvas import default_dsl
from mockserver.envelope import json_result, result
from mockserver.errors import ArgumentError, DataError, OperatingError, PythonError
from mockserver.pagination import collation_key, loose_desc, mysql_page, order_records, python_int

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.backend import TenantBackend
    from mockserver.context import RequestContext
    from mockserver.routing import Handler

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
def _item_assignment_crash(body: Any) -> PythonError:
    if isinstance(body, list):
        return PythonError("TypeError", "list indices must be integers or slices, not str")
    return PythonError("TypeError", f"'{type(body).__name__}' object does not support item assignment")


async def list_agents(ctx: RequestContext) -> Response:
    """GET /api/v1/agents."""
    store = ctx.tenant.agents
    query = ctx.query
    agent_id, title = query.get("id"), query.get("title")
    if (agent_id or title) and not store.matches_filters(agent_id, title):
        raise DataError("The agent doesn't exist.")
    page = python_int(query.get("page"), 1)
    page_size = python_int(query.get("page_size"), 30)
    found = store.listing(
        agent_id=agent_id,
        title=title,
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "update_time"),
        desc=loose_desc(query.get("desc")),
    )
    return result([a.to_api() for a in found])


async def create_agent(ctx: RequestContext) -> Response:
    """POST /api/v1/agents."""
    body = await ctx.json_forced()
    if not isinstance(body, dict):
        raise _item_assignment_crash(body)
    ctx.tenant.agents.create(body)
    return json_result(data=True)


async def update_agent(ctx: RequestContext) -> Response:
    """PUT /api/v1/agents/{agent_id}."""
    body = await ctx.json_forced()
    if not isinstance(body, dict):
        raise PythonError("AttributeError", f"'{type(body).__name__}' object has no attribute 'items'")
    ctx.tenant.agents.update(ctx.path_param("agent_id"), body)
    return json_result(data=True)


async def delete_agent(ctx: RequestContext) -> Response:
    """DELETE /api/v1/agents/{agent_id}."""
    ctx.tenant.agents.delete(ctx.path_param("agent_id"))
    return json_result(data=True)


HANDLERS: dict[str, Handler] = {
    "listAgents": list_agents,
    "createAgent": create_agent,
    "updateAgent": update_agent,
    "deleteAgent": delete_agent,
}

__all__ = ["HANDLERS", "Agent", "AgentStore"]
