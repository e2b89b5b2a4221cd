"""Agent sessions (API4Conversation): the record and `AgentSessionStore`, the rules of the session operations."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

from mockserver.core.bulk import bulk_delete
from mockserver.core.errors import DataError
from mockserver.core.indexes import Indexed, Key, Table
from mockserver.core.pagination import mysql_page, order_records, table_page
from mockserver.core.python_failures import get, python_semantics
from mockserver.core.tenancy import TenantContext
from mockserver.families.agents.canvas import Canvas, entry
from mockserver.families.agents.executor import FlowServices, OfflineServices, run
from mockserver.families.agents.models import Agent, AgentStore
from mockserver.families.chats.sessions import reduced_chunks

NOT_ACCESSIBLE = "You cannot access the agent."
"""createAgentSession's 102 for another tenant's agent."""


@dataclass
class AgentSession(Indexed):
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
        with python_semantics():
            reference = references[next_ref]
        message["reference"] = reduced_chunks(reference)
        next_ref += 1


SESSION_COLUMNS = frozenset(f.name for f in fields(AgentSession))
AGENT_SESSION_KEYS = {
    "id": Key(("id",), lambda s: s.id.lower()),
    "user_id": Key(
        ("dialog_id", "user_id"),
        lambda s: (s.dialog_id.lower(), s.user_id.lower()) if isinstance(s.user_id, str) else None,
    ),
}
"""The agent-session table's maps: ids as MySQL compares them, user ids within an agent."""
OF_AGENT = Key(("dialog_id",), lambda s: s.dialog_id.lower())
"""Sessions are listed per agent (dialog ids compared case-insensitively)."""


def set_session_inputs(canvas: Canvas, values: Any, uploads: Mapping[str, str] | None) -> None:
    """createAgentSession's Begin inputs: required ones must be given, optional ones set or cleared.

    `values` is the JSON body or the form's text fields (read with `.get`, a non-object crashing as in Python;
    None reads nothing); `uploads` the form's files as `<filename>\\n<text>` (None for a JSON request).
    """

    def value(key: Any) -> Any:
        return None if values is None else get(values, key)

    for ele in canvas.inputs():
        optional = entry(ele, "optional")
        kind = entry(ele, "type")
        key = entry(ele, "key")
        upload = uploads.get(key) if uploads is not None and kind == "file" else None
        if not optional:
            given = upload if kind == "file" else value(key)
            if not given:
                raise DataError(f"`{key}` with type `{kind}` is required")
            ele["value"] = given
        elif kind == "file" and upload:
            ele["value"] = upload
        elif kind != "file" and value(key):
            ele["value"] = value(key)
        else:
            ele.pop("value", None)


class AgentSessionTenant(TenantContext, Protocol):
    """What `AgentSessionStore` uses of its tenant: the context and its agents."""

    @property
    def agents(self) -> AgentStore:
        """The tenant's agents (the dialogs of its sessions)."""


class AgentSessionStore:
    """A tenant's agent sessions (API4Conversation rows whose dialog is one of its agents)."""

    def __init__(self, tenant: AgentSessionTenant) -> None:
        self.tenant = tenant
        self.items: dict[str, AgentSession] = {}
        self.table: Table[AgentSession] = Table(lambda: self.items, AGENT_SESSION_KEYS, OF_AGENT)

    def get(self, session_id: str) -> AgentSession | None:
        """A session by id (case-insensitive, like MySQL)."""
        found = self.items.get(session_id)
        if found is None:
            found = self.table.first("id", session_id.lower())
        return found

    def of_agent(self, agent_id: str, session_id: str | None = None) -> list[AgentSession]:
        """Sessions whose dialog is `agent_id` (optionally only the one with `session_id`)."""
        if session_id is None:
            return self.table.members(agent_id.lower())
        return [s for s in self.table.find("id", session_id.lower()) if s.dialog_id.lower() == agent_id.lower()]

    def create(self, agent_id: str, user_id: Any, message: list[dict[str, Any]], dsl: dict[str, Any]) -> AgentSession:
        """Save a new session row (no rules: the operations, seeding and the chat/legacy routes use it)."""
        session = AgentSession(
            id=self.tenant.ids.entity(),
            dialog_id=agent_id,
            user_id=user_id,
            message=copy.deepcopy(message),
            dsl=copy.deepcopy(dsl),
            **self.tenant.clock.stamps(),
        )
        self.table.put(session.id, session)
        return session

    def open(
        self, agent_id: str, user_id: Any, values: Any, uploads: Mapping[str, str] | None, services: FlowServices
    ) -> AgentSession:
        """createAgentSession: the caller's agent, Begin inputs checked, the flow run to its first Answer."""
        agents = self.tenant.agents
        agent = agents.get(agent_id)
        if agent is None:
            raise DataError(agents.refusal(agent_id, NOT_ACCESSIBLE))
        canvas = Canvas(agent.dsl)
        canvas.reset()
        set_session_inputs(canvas, values, uploads)
        for _ in run(canvas, services, stream=False):
            pass
        return self.create(agent.id, user_id, [{"role": "assistant", "content": canvas.prologue()}], canvas.to_dsl())

    def append_message(self, session: AgentSession) -> None:
        """The server's `append_message`: write the row back (new `update_time`) and count one round."""
        self.tenant.clock.touch(session)
        session.round += 1
        if self.items.get(session.id) is not session:
            self.table.put(session.id, session)

    def claim(self, agent: Agent, session_id: Any, *, sync: bool) -> AgentSession:
        """createAgentCompletion with a session id: one of the agent's sessions (102 otherwise).

        With `sync` (the body's `sync_dsl: true`) a session older than the agent takes the agent's DSL first.
        """
        owned = self.of_agent(agent.id, session_id) if isinstance(session_id, str) else []
        if not owned:
            raise DataError(f"You don't own the session {session_id}")
        if sync and agent.update_time > owned[0].update_time:
            self.sync_dsl(owned[0], agent)
        return owned[0]

    def sync_dsl(self, session: AgentSession, agent: Agent) -> None:
        """`sync_dsl`: the session takes the agent's current DSL but keeps history, messages, path, reference."""
        current = session.dsl if isinstance(session.dsl, dict) else {}
        states = {name: current.get(name, []) for name in ("history", "messages", "path", "reference")}
        current.update(copy.deepcopy(agent.dsl) if isinstance(agent.dsl, dict) else {})
        current.update(states)
        session.dsl = current
        self.tenant.clock.touch(session)

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
        """listAgentSessions: the caller's agent (102 otherwise), filtered by truthy `id`/`user_id`, paged."""
        agent = self.tenant.agents.owned(agent_id, "You don't own the agent {agent_id}.")
        if not (session_id or user_id):
            return table_page(
                self.table,
                agent.id.lower(),
                orderby=orderby,
                desc=desc,
                page=page,
                page_size=page_size,
                model_name="API4Conversation",
                known=SESSION_COLUMNS,
            )
        if session_id:
            matches = self.of_agent(agent.id, session_id)
        else:
            matches = self.table.find("user_id", (agent.id.lower(), (user_id or "").lower()))
        if user_id:
            matches = [s for s in matches if isinstance(s.user_id, str) and s.user_id.lower() == user_id.lower()]
        ordered = order_records(matches, orderby, desc, "API4Conversation", AgentSession.columns, SESSION_COLUMNS)
        return mysql_page(ordered, page, page_size)

    def require_sessions(self, agent_id: str) -> Agent:
        """deleteAgentSessions' first checks: the caller's agent, with at least one session (102 otherwise)."""
        agent = self.tenant.agents.owned(agent_id)
        if not self.table.count(agent.id.lower()):
            raise DataError(f"Agent {agent.id} has no sessions")
        return agent

    def delete(self, agent_id: str, ids: Any) -> dict[str, Any] | None:
        """deleteAgentSessions: sessions of the agent (all when `ids` is falsy); partial results as data."""
        agent = self.require_sessions(agent_id)

        def find(session_id: Any) -> AgentSession | None:
            found = self.of_agent(agent.id, session_id) if isinstance(session_id, str) else []
            return found[0] if found else None

        def remove(session: AgentSession) -> None:
            self.table.pop(session.id)

        return bulk_delete(
            ids,
            "session",
            everything=lambda: [s.id for s in self.of_agent(agent.id)],
            find=find,
            remove=remove,
            missing=lambda session_id: f"The agent doesn't own the session {session_id}",
        )

    def seed(self, agent: Agent, messages: list[dict[str, str]] | None = None) -> AgentSession:
        """A session for a world: the prologue, then the given turns (assistant turns get empty references)."""
        canvas = Canvas(agent.dsl)
        canvas.reset()
        for _ in run(canvas, OfflineServices(), stream=False):
            pass
        history = [{"role": "assistant", "content": canvas.prologue()}]
        references: list[Any] = []
        for turn in messages or []:
            row: dict[str, Any] = {"role": turn["role"], "content": turn["content"], "id": self.tenant.ids.message()}
            history.append(row)
            canvas.messages.append(dict(row))
            canvas.history.append([turn["role"], turn["content"]])
            if turn["role"] == "assistant":
                references.append({"chunks": [], "doc_aggs": []})
        session = self.create(agent.id, "", history, canvas.to_dsl())
        session.reference = references
        return session
