"""The four `/api/v1/agents` handlers: parse the request, let `AgentStore` decide, answer the envelope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.core.errors import DataError, PythonError
from mockserver.core.pagination import loose_desc, python_int
from mockserver.http.envelope import json_result, result

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler

from mockserver.families.agents.models import Agent, AgentStore


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
