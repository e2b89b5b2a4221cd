"""One completion turn of an agent session: `completion()` up to the run, the run, and the session written back.

Shared by every agent completion route (native, agentbot, OpenAI-compatible); the routes only render the events.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from mockserver.families.agents.canvas import Canvas, CanvasFailure, Notice, Step, entry
from mockserver.families.agents.executor import FlowServices, run
from mockserver.families.agents.models import Agent
from mockserver.families.agents.sessions import AgentSession, AgentSessionStore


def chunks_format(reference: dict[str, Any]) -> list[dict[str, Any]]:
    """The server's `chunks_format`: reference chunks in the §5.1 key order, from internal or API names."""

    def value(chunk: dict[str, Any], first: str, second: str) -> Any:
        return chunk.get(first, chunk.get(second))

    return [
        {
            "id": value(c, "chunk_id", "id"),
            "content": value(c, "content", "content_with_weight"),
            "document_id": value(c, "doc_id", "document_id"),
            "document_name": value(c, "docnm_kwd", "document_name"),
            "dataset_id": value(c, "kb_id", "dataset_id"),
            "image_id": value(c, "image_id", "img_id"),
            "positions": value(c, "positions", "position_int"),
            "url": c.get("url"),
            "similarity": c.get("similarity"),
            "vector_similarity": c.get("vector_similarity"),
            "term_similarity": c.get("term_similarity"),
        }
        for c in reference.get("chunks", [])
    ]


@dataclass
class AgentTurn:
    """One completion against an agent: the canvas, a working copy of the session, the turn's message id."""

    store: AgentSessionStore
    services: FlowServices
    agent: Agent
    canvas: Canvas
    session: AgentSession
    message_id: str

    @property
    def session_id(self) -> str:
        """The session answered in (new or existing)."""
        return self.session.id

    def now(self) -> float:
        """`time.time()` on the app's clock."""
        return self.store.tenant.clock.now()

    def events(self, stream: bool) -> list[Notice | Step]:
        """Run the canvas up to its next Answer (raises `CanvasFailure` for exceptions inside the run)."""
        return list(run(self.canvas, self.services, stream=stream))

    def structure_answer(self, answer: str, reference: Any) -> dict[str, Any]:
        """The server's `structure_answer`: the event data, and the session's last answer/reference updated."""
        data: dict[str, Any] = {"answer": answer, "reference": reference, "param": self.canvas.inputs()}
        local = reference
        if not isinstance(local, dict):
            local, data["reference"] = {}, {}
        local["chunks"] = chunks_format(local)
        data["id"], data["session_id"] = self.message_id, self.session.id
        turn = {"role": "assistant", "content": answer, "created_at": self.now(), "id": self.message_id}
        messages = self.session.message
        if not messages or messages[-1].get("role", "") != "assistant":
            messages.append(turn)
        else:
            messages[-1] = turn
        if self.session.reference:
            self.session.reference[-1] = copy.deepcopy(local)
        return data

    def finish(self, answer: str | None = None, reference: Any = None, *, streamed: bool = True) -> None:
        """Record the answer in the canvas, store the canvas state and append the turn (one more round)."""
        if answer is not None:
            row: dict[str, Any] = {"role": "assistant", "content": answer, "id": self.message_id}
            if streamed:
                row = {"role": "assistant", "content": answer, "created_at": self.now(), "id": self.message_id}
                self.canvas.history.append(["assistant", answer])
            self.canvas.messages.append(row)
            if reference:
                self.canvas.reference.append(copy.deepcopy(reference))
        self.session.dsl = self.canvas.to_dsl()
        self.store.append_message(self.session)

    def first_answer(self) -> dict[str, Any]:
        """Non-streaming: the first answer (its rows joined by newlines), saved, as the response data."""
        step = next(e for e in self.events(stream=False) if isinstance(e, Step))
        self.canvas.messages.append({"role": "assistant", "content": step.content, "id": self.message_id})
        self.session.dsl = self.canvas.to_dsl()
        data = self.structure_answer(step.content, [])
        self.store.append_message(self.session)
        return data


def _set_turn_inputs(canvas: Canvas, kwargs: dict[str, Any]) -> None:
    """A new session's Begin inputs from the call's keyword arguments (a missing required one fails the run)."""
    for ele in canvas.inputs():
        key = None
        if not entry(ele, "optional"):
            key = entry(ele, "key")
            if not kwargs.get(key):
                raise CanvasFailure(f"`{key}` is required", "AssertionError")
            ele["value"] = kwargs[key]
        if ele["optional"]:
            key = entry(ele, "key")
            if kwargs.get(key):
                ele["value"] = kwargs[key]
            else:
                ele.pop("value", None)


def open_turn(
    store: AgentSessionStore,
    services: FlowServices,
    agent: Agent,
    question: Any,
    session_id: Any,
    kwargs: dict[str, Any],
) -> AgentTurn:
    """createAgentCompletion, createAgentbotCompletion, createOpenaiAgentCompletion: `completion()` up to the run.

    A new session (Begin inputs checked) or the existing one continued; raises `CanvasFailure` the way the
    server's generator fails before its first event.
    """
    tenant = store.tenant
    canvas = Canvas(agent.dsl)
    canvas.reset()
    message_id = tenant.ids.message()
    if not session_id:
        _set_turn_inputs(canvas, kwargs)
        opener = {"role": "assistant", "content": canvas.prologue(), "created_at": tenant.clock.now()}
        session = copy.deepcopy(store.create(agent.id, kwargs.get("user_id", ""), [opener], canvas.to_dsl()))
    else:
        found = store.get(session_id) if isinstance(session_id, str) else None
        if found is None:
            raise CanvasFailure("Session not found!", "AssertionError")
        session = copy.deepcopy(found)
        canvas = Canvas(session.dsl)
        canvas.messages.append({"role": "user", "content": question, "id": message_id})
        canvas.add_user_input(question)
        session.message.append({"role": "user", "content": question, "id": message_id})
        session.reference.append({"chunks": [], "doc_aggs": []})
    turn = AgentTurn(store, services, agent, canvas, session, message_id)
    changed = False
    for ele in canvas.inputs() if kwargs else []:
        key = entry(ele, "key")
        if key in kwargs and entry(ele, "value") != kwargs[key]:
            ele["value"] = kwargs[key]
            changed = True
    if changed:
        turn.session.dsl = canvas.to_dsl()
        stored = store.get(turn.session.id)
        if stored is not None:
            stored.dsl = copy.deepcopy(turn.session.dsl)
            tenant.clock.touch(stored)
    return turn


def required_input(agent: Agent) -> str | None:
    """createOpenaiAgentCompletion without a session: "`key` is required" for the first required Begin input."""
    for ele in Canvas(agent.dsl).inputs():
        if not entry(ele, "optional"):
            return f"`{entry(ele, 'key')}` is required"
    return None
