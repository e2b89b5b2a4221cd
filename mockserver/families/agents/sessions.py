"""Agent sessions (API4Conversation): the record, `AgentSessionStore`, and create/list/delete handlers."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from mockserver.core.errors import DataError, PythonError
from mockserver.core.pagination import mysql_page, order_records
from mockserver.core.validation import check_duplicate_ids, partial_result
from mockserver.families.agents.canvas import Canvas, OfflineServices
from mockserver.families.chats.sessions import reduced_chunks

if TYPE_CHECKING:
    from mockserver.families.agents.models import Agent
    from mockserver.state.backend import TenantBackend


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
