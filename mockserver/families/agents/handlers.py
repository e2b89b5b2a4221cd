"""The four `/api/v1/agents` handlers: parse the request, let `AgentStore` decide, answer the envelope."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.core.errors import PythonError
from mockserver.core.pagination import loose_desc, page_numbers
from mockserver.core.python_failures import bad_index, no_attribute, no_item_assignment
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result, result
from mockserver.http.types import Handler


def assignment_failure(body: Any) -> PythonError:
    """`body["key"] = value` on a JSON body that is not an object (a list's index must be an integer).

    Candidate for `core.python_failures` (reported to the lead).
    """
    return bad_index(body, "key") if isinstance(body, list) else no_item_assignment(body)


async def list_agents(ctx: RequestContext) -> Response:
    """listAgents: GET /api/v1/agents."""
    query = ctx.query
    page, page_size = page_numbers(query)
    found = ctx.tenant.agents.listing(
        agent_id=query.get("id"),
        title=query.get("title"),
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "update_time"),
        desc=loose_desc(query.get("desc")),
    )
    return result([a.to_api() for a in found])


async def create_agent(ctx: RequestContext) -> Response:
    """createAgent: POST /api/v1/agents."""
    body = await ctx.json_forced()
    if not isinstance(body, dict):
        raise assignment_failure(body)
    columns = {k: v for k, v in body.items() if k not in ("title", "dsl")}
    ctx.tenant.agents.create(body.get("title"), body.get("dsl"), columns)
    return json_result(data=True)


async def update_agent(ctx: RequestContext) -> Response:
    """updateAgent: PUT /api/v1/agents/{agent_id}."""
    body = await ctx.json_forced()
    if not isinstance(body, dict):
        raise no_attribute(body, "items")
    ctx.tenant.agents.update(ctx.path_param("agent_id"), body)
    return json_result(data=True)


async def delete_agent(ctx: RequestContext) -> Response:
    """deleteAgent: DELETE /api/v1/agents/{agent_id}."""
    ctx.tenant.agents.delete(ctx.path_param("agent_id"))
    return json_result(data=True)


HANDLERS: dict[str, Handler] = {
    "listAgents": list_agents,
    "createAgent": create_agent,
    "updateAgent": update_agent,
    "deleteAgent": delete_agent,
}
