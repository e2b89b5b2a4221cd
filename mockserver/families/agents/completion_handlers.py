"""Agent completions: one turn of an agent session (shared by every agent endpoint) and the native/agentbot handlers."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.core import sse
from mockserver.core.errors import DataError, HtmlServerError, PythonError
from mockserver.core.search import count_tokens
from mockserver.families.agents.canvas import Canvas, CanvasFailure, Notice, Step, entry
from mockserver.families.agents.services import flow_services
from mockserver.http.envelope import result
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.families.agents.models import Agent
    from mockserver.families.agents.sessions import AgentSession
    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import TenantBackend
    from mockserver.state.emulator import EmulatorState

_NAMED = ("question", "session_id", "stream")
"""Body keys `completion(tenant_id, agent_id, question, session_id=None, stream=True, **kwargs)` binds by name."""


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

    state: EmulatorState
    tenant: TenantBackend
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
        return self.tenant.clock.now()

    def events(self, stream: bool) -> list[Notice | Step]:
        """Run the canvas up to its next Answer (raises `CanvasFailure` for exceptions inside the run)."""
        return list(self.canvas.run(flow_services(self.state, self.tenant), stream=stream))

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
            entry_: dict[str, Any] = {"role": "assistant", "content": answer, "id": self.message_id}
            if streamed:
                entry_ = {"role": "assistant", "content": answer, "created_at": self.now(), "id": self.message_id}
                self.canvas.history.append(["assistant", answer])
            self.canvas.messages.append(entry_)
            if reference:
                self.canvas.reference.append(copy.deepcopy(reference))
        self.session.dsl = self.canvas.to_dsl()
        self.tenant.agent_sessions.append_message(self.session)


def open_turn(
    state: EmulatorState,
    tenant: TenantBackend,
    agent: Agent,
    question: Any,
    session_id: Any,
    kwargs: dict[str, Any],
) -> AgentTurn:
    """`completion()` up to the run: a new session (Begin inputs checked) or the existing one continued.

    Raises `CanvasFailure` the way the server's generator fails before its first event.
    """
    canvas = Canvas(agent.dsl)
    canvas.reset()
    message_id = tenant.ids.message()
    store = tenant.agent_sessions
    if not session_id:
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
    turn = AgentTurn(state, tenant, agent, canvas, session, message_id)
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
            stored.update_time, stored.update_date = tenant.clock.epoch_ms(), tenant.clock.http_date()
    return turn


def native_script(turn: AgentTurn) -> StreamScript:
    """The native agent stream: running notices, cumulative answer steps, an error frame, the terminator."""
    frames: list[StreamFrame] = []
    final: dict[str, Any] = {"reference": [], "content": ""}
    shown = ""
    try:
        for event in turn.events(stream=True):
            if isinstance(event, Notice):
                payload = {"answer": event.text, "running_status": True}
                frames.append(StreamFrame(sse.frame({"code": 0, "message": "", "data": payload})))
                continue
            final["content"] = event.content
            final["reference"] = event.reference
            data = turn.structure_answer(event.content, event.reference)
            new_text = event.content[len(shown) :] if event.content.startswith(shown) else event.content
            shown = event.content
            frame = sse.frame({"code": 0, "message": "", "data": data})
            frames.append(StreamFrame(frame, tokens=max(1, count_tokens(new_text))))
        turn.finish(final["content"], final["reference"])
    except CanvasFailure as failure:
        turn.finish()
        error = {"answer": "**ERROR**: " + failure.detail, "reference": []}
        frames.append(StreamFrame(sse.frame({"code": 500, "message": failure.detail, "data": error})))
    frames.append(StreamFrame(sse.frame({"code": 0, "message": "", "data": True})))
    made = turn.canvas.generated
    return StreamScript(
        frames=frames,
        tokens_per_second=made.tokens_per_second if made else None,
        first_token_delay=made.first_token_delay if made else None,
    )


def first_answer(turn: AgentTurn) -> dict[str, Any]:
    """Non-streaming: the first answer (its rows joined by newlines), saved, as the response data."""
    step = next(e for e in turn.events(stream=False) if isinstance(e, Step))
    turn.canvas.messages.append({"role": "assistant", "content": step.content, "id": turn.message_id})
    turn.session.dsl = turn.canvas.to_dsl()
    data = turn.structure_answer(step.content, [])
    turn.tenant.agent_sessions.append_message(turn.session)
    return data


def call_completion(body: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Bind the body like Python binds `completion(tenant_id, agent_id, **req)`: question, session id, kwargs."""
    for key in body:
        if key in ("tenant_id", "agent_id"):
            raise PythonError("TypeError", f"completion() got multiple values for argument '{key}'")
    if "question" not in body:
        raise PythonError("TypeError", "completion() missing 1 required positional argument: 'question'")
    kwargs = {k: v for k, v in body.items() if k not in _NAMED}
    return body["question"], body.get("session_id"), kwargs


def respond(
    ctx: RequestContext, agent: Agent, body: dict[str, Any], on_error: Callable[[CanvasFailure], Exception]
) -> Response:
    """Run one completion turn and answer it streamed (default) or as JSON; `on_error` maps JSON-mode failures.

    A failure before the first event of a stream is Werkzeug's HTML 500 page, as on the server.
    """
    stream = bool(body.get("stream", True))
    question, session_id, kwargs = call_completion(body)
    try:
        turn = open_turn(ctx.state, ctx.tenant, agent, question, session_id, kwargs)
    except CanvasFailure as failure:
        raise (HtmlServerError(failure.detail) if stream else on_error(failure)) from None
    if stream:
        return stream_response(ctx, native_script(turn))
    try:
        return result(first_answer(turn))
    except CanvasFailure as failure:
        raise on_error(failure) from None


# -- HTTP half -----------------------------------------------------------------------------------
async def create_agent_completion(ctx: RequestContext) -> Response:
    """POST /api/v1/agents/{agent_id}/completions."""
    body = await ctx.json_forced()
    agent_id = ctx.path_param("agent_id")
    agent = ctx.tenant.agents.get(agent_id)
    if agent is None:
        raise DataError(f"You don't own the agent {agent_id}")
    if not isinstance(body, dict):
        raise PythonError("AttributeError", f"'{type(body).__name__}' object has no attribute 'get'")
    if body.get("session_id"):
        sessions = ctx.tenant.agent_sessions
        owned = sessions.of_agent(agent.id, body["session_id"]) if isinstance(body["session_id"], str) else []
        if not owned:
            raise DataError(f"You don't own the session {body['session_id']}")
        if body.get("sync_dsl", False) is True and agent.update_time > owned[0].update_time:
            sync_dsl(owned[0], agent, ctx.tenant)
    else:
        body["question"] = ""
    return respond(ctx, agent, body, lambda failure: DataError(failure.detail))


def sync_dsl(session: AgentSession, agent: Agent, tenant: TenantBackend) -> None:
    """`sync_dsl`: the session takes the agent's current DSL but keeps its history, messages, path, reference."""
    current = session.dsl if isinstance(session.dsl, dict) else {}
    states = {name: current.get(name, []) for name in ("history", "messages", "path", "reference")}
    current.update(copy.deepcopy(agent.dsl) if isinstance(agent.dsl, dict) else {})
    current.update(states)
    session.dsl = current
    clock = tenant.clock
    session.update_time, session.update_date = clock.epoch_ms(), clock.http_date()


async def create_agentbot_completion(ctx: RequestContext) -> Response:
    """POST /api/v1/agentbots/{agent_id}/completions (beta token; the agent must be the token tenant's)."""
    body = await ctx.json_forced()
    if not isinstance(body, dict):
        if body is None or isinstance(body, int | float | bool):
            raise PythonError("TypeError", f"argument of type '{type(body).__name__}' is not iterable")
        raise PythonError("TypeError", "list indices must be integers or slices, not str")
    body.setdefault("quote", False)
    stream = bool(body.get("stream", True))
    agent_id = ctx.path_param("agent_id")
    agent = ctx.tenant.agents.get(agent_id)
    call_completion(body)
    if agent is None:
        text = "You do not own the agent." if ctx.tenant.agents.exists_anywhere(agent_id) else "Agent not found."
        raise HtmlServerError(text) if stream else PythonError("AssertionError", text)
    return respond(ctx, agent, body, lambda failure: failure)


HANDLERS: dict[str, Handler] = {
    "createAgentCompletion": create_agent_completion,
    "createAgentbotCompletion": create_agentbot_completion,
}

__all__ = ["HANDLERS", "AgentTurn", "chunks_format", "open_turn"]
