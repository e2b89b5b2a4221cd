"""Agent sessions (API4Conversation): the record, `AgentSessionStore`, and create/list/delete handlers."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from mockserver.canvas import Canvas, entry
from mockserver.envelope import result
from mockserver.errors import DataError, PythonError
from mockserver.pagination import loose_desc, mysql_page, order_records, python_int
from mockserver.resources.agent_services import OfflineServices, flow_services
from mockserver.resources.sessions import reduced_chunks
from mockserver.validation import check_duplicate_ids, partial_result

if TYPE_CHECKING:
    from starlette.datastructures import UploadFile
    from starlette.responses import Response

    from mockserver.backend import TenantBackend
    from mockserver.context import RequestContext
    from mockserver.resources.agents import Agent
    from mockserver.routing import Handler


@dataclass
class AgentSession:
    """One API4Conversation row of an agent: messages, references, the canvas state (`dsl`), counters."""

    id: str
    dialog_id: str
    user_id: str
    message: list[dict[str, Any]]
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    reference: list[Any] = field(default_factory=list)
    dsl: dict[str, Any] = field(default_factory=dict)
    source: str | None = "agent"
    tokens: int = 0
    duration: float = 0.0
    round: int = 0
    thumb_up: int = 0

    def columns(self) -> dict[str, Any]:
        """Column → value (what `orderby` sorts on)."""
        return asdict(self)

    def to_listing(self, include_dsl: bool) -> dict[str, Any]:
        """A list item: `message` → `messages`, `dialog_id` → `agent_id`, references attached to answers."""
        item = copy.deepcopy(asdict(self))
        if not include_dsl:
            item.pop("dsl")
        messages = item.pop("message")
        for message in messages:
            message.pop("prompt", None)
        references = item.pop("reference")
        if references:
            attach_references(messages, references)
        item["messages"] = messages
        item["agent_id"] = item.pop("dialog_id")
        return item


def attach_references(messages: list[dict[str, Any]], references: list[Any]) -> None:
    """Pair every non-user message after the first with the next stored reference (reduced chunks)."""
    next_ref = 0
    for index, message in enumerate(messages):
        if index == 0 or message.get("role") == "user":
            continue
        if next_ref >= len(references):
            raise PythonError("IndexError", "list index out of range")
        message["reference"] = reduced_chunks(references[next_ref])
        next_ref += 1


SESSION_COLUMNS = frozenset(f.name for f in fields(AgentSession))


class AgentSessionStore:
    """A tenant's agent sessions (API4Conversation rows whose dialog is one of its agents)."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant
        self.items: dict[str, AgentSession] = {}

    def get(self, session_id: str) -> AgentSession | None:
        """A session by id (case-insensitive, like MySQL)."""
        found = self.items.get(session_id)
        if found is None:
            found = next((s for s in self.items.values() if s.id.lower() == session_id.lower()), None)
        return found

    def of_agent(self, agent_id: str, session_id: str | None = None) -> list[AgentSession]:
        """Sessions whose dialog is `agent_id` (optionally only the one with `session_id`)."""
        return [
            s
            for s in self.items.values()
            if s.dialog_id.lower() == agent_id.lower() and (session_id is None or s.id.lower() == session_id.lower())
        ]

    def create(self, agent_id: str, user_id: Any, message: list[dict[str, Any]], dsl: dict[str, Any]) -> AgentSession:
        """Save a new agent session."""
        clock = self.tenant.clock
        now = clock.now()
        ms, date = clock.epoch_ms(now), clock.http_date(now)
        session = AgentSession(
            id=self.tenant.ids.entity(),
            dialog_id=agent_id,
            user_id=user_id,
            message=copy.deepcopy(message),
            dsl=copy.deepcopy(dsl),
            create_time=ms,
            create_date=date,
            update_time=ms,
            update_date=date,
        )
        self.items[session.id] = session
        return session

    def append_message(self, session: AgentSession) -> None:
        """The server's `append_message`: write the row back (new `update_time`) and count one round."""
        self.tenant.clock.touch(session)
        session.round += 1
        self.items[session.id] = session

    def listing(
        self,
        agent_id: str,
        *,
        session_id: str | None,
        user_id: str | None,
        page: int,
        page_size: int,
        orderby: str,
        desc: bool,
    ) -> list[AgentSession]:
        """Sessions of an agent, filtered by truthy `id`/`user_id`, ordered and paged."""
        matches = self.of_agent(agent_id)
        if session_id:
            matches = [s for s in matches if s.id.lower() == session_id.lower()]
        if user_id:
            matches = [s for s in matches if isinstance(s.user_id, str) and s.user_id.lower() == user_id.lower()]
        ordered = order_records(matches, orderby, desc, "API4Conversation", AgentSession.columns, SESSION_COLUMNS)
        return mysql_page(ordered, page, page_size)

    def delete(self, agent_id: str, ids: Any) -> dict[str, Any] | None:
        """Delete sessions of an agent (all when `ids` is falsy); partial results as data, like the server."""
        sessions = self.of_agent(agent_id)
        if not sessions:
            raise DataError(f"Agent {agent_id} has no sessions")
        targets, duplicates = check_duplicate_ids(ids if ids else [s.id for s in sessions], "session")
        errors: list[str] = []
        success = 0
        for target in targets:
            found = self.of_agent(agent_id, target) if isinstance(target, str) else []
            if not found:
                errors.append(f"The agent doesn't own the session {target}")
                continue
            self.items.pop(found[0].id, None)
            success += 1
        return partial_result(errors, duplicates, success)

    def seed(self, agent: Agent, messages: list[dict[str, str]] | None = None) -> AgentSession:
        """A session for a world: the prologue, then the given turns (assistant turns get empty references)."""
        canvas = Canvas(agent.dsl)
        canvas.reset()
        for _ in canvas.run(OfflineServices(), stream=False):
            pass
        history = [{"role": "assistant", "content": canvas.prologue()}]
        references: list[Any] = []
        for turn in messages or []:
            entry: dict[str, Any] = {"role": turn["role"], "content": turn["content"], "id": self.tenant.ids.message()}
            history.append(entry)
            canvas.messages.append(dict(entry))
            canvas.history.append([turn["role"], turn["content"]])
            if turn["role"] == "assistant":
                references.append({"chunks": [], "doc_aggs": []})
        session = self.create(agent.id, "", history, canvas.to_dsl())
        session.reference = references
        return session


# -- Begin inputs --------------------------------------------------------------------------------
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
