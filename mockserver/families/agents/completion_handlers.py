"""Agent completions: the native and agentbot handlers, and the native stream of one turn (`turns` runs it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.errors import DataError, HtmlServerError
from mockserver.core.python_failures import assertion_failed, bind_arguments, contains, no_attribute, python_semantics
from mockserver.core.search import count_tokens
from mockserver.families.agents.canvas import CanvasFailure, Notice
from mockserver.families.agents.models import Agent
from mockserver.families.agents.services import flow_services
from mockserver.families.agents.turns import AgentTurn, open_turn
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler

_NAMED = ("question", "session_id", "stream")
"""Body keys `completion(tenant_id, agent_id, question, session_id=None, stream=True, **kwargs)` binds by name."""
NOT_THE_BOTS = "You do not own the agent."
"""createAgentbotCompletion's failure for another tenant's agent."""


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


def call_completion(body: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Bind the body like Python binds `completion(tenant_id, agent_id, **req)`: question, session id, kwargs."""
    bind_arguments("completion", body, ("tenant_id", "agent_id"))
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
    services = flow_services(ctx.state, ctx.tenant)
    try:
        turn = open_turn(ctx.tenant.agent_sessions, services, agent, question, session_id, kwargs)
    except CanvasFailure as failure:
        raise (HtmlServerError(failure.detail) if stream else on_error(failure)) from None
    if stream:
        return stream_response(ctx, native_script(turn))
    try:
        return result(turn.first_answer())
    except CanvasFailure as failure:
        raise on_error(failure) from None


async def create_agent_completion(ctx: RequestContext) -> Response:
    """createAgentCompletion: POST /api/v1/agents/{agent_id}/completions."""
    body = await ctx.json_forced()
    agent = ctx.tenant.agents.owned(ctx.path_param("agent_id"))
    if not isinstance(body, dict):
        raise no_attribute(body, "get")
    if body.get("session_id"):
        ctx.tenant.agent_sessions.claim(agent, body["session_id"], sync=body.get("sync_dsl", False) is True)
    else:
        body["question"] = ""
    return respond(ctx, agent, body, lambda failure: DataError(failure.detail))


async def create_agentbot_completion(ctx: RequestContext) -> Response:
    """createAgentbotCompletion: POST /api/v1/agentbots/{agent_id}/completions (beta token; the token's tenant)."""
    body = await ctx.json_forced()
    if not contains(body, "quote"):
        with python_semantics():
            body["quote"] = False
    if not isinstance(body, dict):
        raise no_attribute(body, "get")
    stream = bool(body.get("stream", True))
    agent_id = ctx.path_param("agent_id")
    agent = ctx.tenant.agents.get(agent_id)
    call_completion(body)
    if agent is None:
        text = ctx.tenant.agents.refusal(agent_id, NOT_THE_BOTS)
        raise assertion_failed(text, stream=stream)
    return respond(ctx, agent, body, lambda failure: failure)


HANDLERS: dict[str, Handler] = {
    "createAgentCompletion": create_agent_completion,
    "createAgentbotCompletion": create_agentbot_completion,
}
