"""Agent-session handlers (`/api/v1/agents/{agent_id}/sessions`): parse, let `AgentSessionStore` decide, answer."""

from __future__ import annotations

import copy
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.pagination import loose_desc, page_numbers
from mockserver.core.python_failures import get
from mockserver.families.agents.services import flow_services
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler


async def _file_text(upload: UploadFile) -> str:
    """`<filename>\\n<parsed text>`: the emulator reads uploads as UTF-8 text."""
    data = await upload.read()
    return f"{upload.filename}\n{data.decode('utf-8', errors='replace')}"


async def _session_inputs(ctx: RequestContext) -> tuple[Any, dict[str, str] | None]:
    """The Begin input values: a JSON body (any JSON value), or a form's text fields and its files as text."""
    mime = ctx.request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json")):
        return await ctx.json_forced(), None
    form = await ctx.form()
    values: dict[str, Any] = {}
    uploads: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, value)
        elif name not in uploads:
            uploads[name] = await _file_text(value)
    return values, uploads


async def create_agent_session(ctx: RequestContext) -> Response:
    """createAgentSession: POST /api/v1/agents/{agent_id}/sessions (JSON body or multipart form with files)."""
    values, uploads = await _session_inputs(ctx)
    services = flow_services(ctx.state, ctx.tenant)
    session = ctx.tenant.agent_sessions.open(
        ctx.path_param("agent_id"), ctx.query.get("user_id", ""), values, uploads, services
    )
    return result(
        {
            "id": session.id,
            "user_id": session.user_id,
            "message": copy.deepcopy(session.message),
            "source": session.source,
            "dsl": copy.deepcopy(session.dsl),
            "agent_id": session.dialog_id,
        }
    )


async def list_agent_sessions(ctx: RequestContext) -> Response:
    """listAgentSessions: GET /api/v1/agents/{agent_id}/sessions."""
    query = ctx.query
    page, page_size = page_numbers(query)
    found = ctx.tenant.agent_sessions.listing(
        ctx.path_param("agent_id"),
        session_id=query.get("id"),
        user_id=query.get("user_id"),
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "update_time"),
        desc=loose_desc(query.get("desc")),
    )
    include_dsl = query.get("dsl") not in ("False", "false")
    return result([s.to_listing(include_dsl) for s in found])


async def delete_agent_sessions(ctx: RequestContext) -> Response:
    """deleteAgentSessions: DELETE /api/v1/agents/{agent_id}/sessions (the body is read after the agent checks)."""
    body = await ctx.json_forced()
    store = ctx.tenant.agent_sessions
    agent_id = ctx.path_param("agent_id")
    store.require_sessions(agent_id)
    ids = None if not body else get(body, "ids")
    return result(store.delete(agent_id, ids))


HANDLERS: dict[str, Handler] = {
    "createAgentSession": create_agent_session,
    "listAgentSessions": list_agent_sessions,
    "deleteAgentSessions": delete_agent_sessions,
}
