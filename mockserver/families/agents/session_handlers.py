"""Agent-session handlers (`/api/v1/agents/{agent_id}/sessions`): parse, let `AgentSessionStore` decide, answer."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.core.errors import DataError, PythonError
from mockserver.core.pagination import loose_desc, python_int
from mockserver.families.agents.canvas import Canvas, entry
from mockserver.families.agents.services import flow_services
from mockserver.http.envelope import result

if TYPE_CHECKING:
    from starlette.datastructures import UploadFile
    from starlette.responses import Response

    from mockserver.families.agents.models import Agent
    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler

from mockserver.families.agents.sessions import AgentSession, AgentSessionStore


def _getter(source: Any) -> Callable[[str], Any]:
    """`source.get` for a JSON body or form, crashing like Python for other JSON values."""
    if source is None or hasattr(source, "get"):
        return lambda key: None if source is None else source.get(key)

    def crash(_: str) -> Any:
        raise PythonError("AttributeError", f"'{type(source).__name__}' object has no attribute 'get'")

    return crash


async def _file_text(upload: UploadFile) -> str:
    """`<filename>\\n<parsed text>`: the emulator reads uploads as UTF-8 text."""
    data = await upload.read()
    return f"{upload.filename}\n{data.decode('utf-8', errors='replace')}"


async def apply_session_inputs(canvas: Canvas, body: Any, files: Any) -> None:
    """Validate and set the Begin inputs of a new session (JSON or form values, uploaded files)."""
    get = _getter(body)
    for ele in canvas.inputs():
        optional = entry(ele, "optional")
        kind = entry(ele, "type")
        key = entry(ele, "key")
        upload = files.get(key) if files is not None and kind == "file" else None
        if not optional:
            if kind == "file":
                if not upload:
                    raise DataError(f"`{key}` with type `{kind}` is required")
                ele["value"] = await _file_text(upload)
            else:
                value = get(key)
                if not value:
                    raise DataError(f"`{key}` with type `{kind}` is required")
                ele["value"] = value
        elif kind == "file" and upload:
            ele["value"] = await _file_text(upload)
        elif kind != "file" and get(key):
            ele["value"] = get(key)
        else:
            ele.pop("value", None)


def owned_agent(ctx: RequestContext, message: str) -> Agent:
    """The tenant's agent of the path, or the 102 error `message` (with `{agent_id}` filled)."""
    agent_id = ctx.path_param("agent_id")
    agent = ctx.tenant.agents.get(agent_id)
    if agent is None:
        raise DataError(message.format(agent_id=agent_id))
    return agent


# -- HTTP half -----------------------------------------------------------------------------------
async def create_agent_session(ctx: RequestContext) -> Response:
    """POST /api/v1/agents/{agent_id}/sessions (JSON body or multipart form with files)."""
    mime = ctx.request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    is_json = mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))
    body: Any = None
    files: dict[str, Any] | None = None
    if is_json:
        body = await ctx.json_forced()
    else:
        form = await ctx.form()
        body, files = {}, {}
        for name, value in form.multi_items():
            target = body if isinstance(value, str) else files
            target.setdefault(name, value)
    user_id = ctx.query.get("user_id", "")
    agent_id = ctx.path_param("agent_id")
    store = ctx.tenant.agents
    agent = store.get(agent_id)
    if agent is None:
        raise DataError("You cannot access the agent." if store.exists_anywhere(agent_id) else "Agent not found.")
    canvas = Canvas(agent.dsl)
    canvas.reset()
    await apply_session_inputs(canvas, body, files)
    for _ in canvas.run(flow_services(ctx.state, ctx.tenant), stream=False):
        pass
    prologue = canvas.prologue()
    session = ctx.tenant.agent_sessions.create(
        agent.id, user_id, [{"role": "assistant", "content": prologue}], canvas.to_dsl()
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
    """GET /api/v1/agents/{agent_id}/sessions."""
    agent = owned_agent(ctx, "You don't own the agent {agent_id}.")
    query = ctx.query
    session_id, user_id = query.get("id"), query.get("user_id")
    page = python_int(query.get("page"), 1)
    page_size = python_int(query.get("page_size"), 30)
    found = ctx.tenant.agent_sessions.listing(
        agent.id,
        session_id=session_id,
        user_id=user_id,
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "update_time"),
        desc=loose_desc(query.get("desc")),
    )
    include_dsl = query.get("dsl") not in ("False", "false")
    return result([s.to_listing(include_dsl) for s in found])


async def delete_agent_sessions(ctx: RequestContext) -> Response:
    """DELETE /api/v1/agents/{agent_id}/sessions."""
    body = await ctx.json_forced()
    agent = owned_agent(ctx, "You don't own the agent {agent_id}")
    store = ctx.tenant.agent_sessions
    if not store.of_agent(agent.id):
        raise DataError(f"Agent {agent.id} has no sessions")
    if not body:
        ids = None
    elif isinstance(body, dict):
        ids = body.get("ids")
    else:
        raise PythonError("AttributeError", f"'{type(body).__name__}' object has no attribute 'get'")
    return result(store.delete(agent.id, ids))


HANDLERS: dict[str, Handler] = {
    "createAgentSession": create_agent_session,
    "listAgentSessions": list_agent_sessions,
    "deleteAgentSessions": delete_agent_sessions,
}

__all__ = ["HANDLERS", "AgentSession", "AgentSessionStore", "apply_session_inputs", "owned_agent"]
