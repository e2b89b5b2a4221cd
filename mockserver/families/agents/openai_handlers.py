"""`POST /api/v1/agents_openai/{agent_id}/chat/completions`: an agent turn in the endpoint's OpenAI-like shape."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.errors import DataError, HtmlServerError
from mockserver.core.python_failures import item, iterate, no_attribute
from mockserver.core.search import count_tokens
from mockserver.families.agents.canvas import CanvasFailure, Notice
from mockserver.families.agents.executor import FlowServices
from mockserver.families.agents.models import Agent
from mockserver.families.agents.services import flow_services
from mockserver.families.agents.sessions import AgentSessionStore
from mockserver.families.agents.turns import AgentTurn, open_turn, required_input
from mockserver.http.context import RequestContext
from mockserver.http.envelope import EnvelopeResponse
from mockserver.http.request_args import require_arguments
from mockserver.http.streaming import ScriptedStreamResponse, StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler
from mockserver.state.faults import StreamFault

NO_VALID_MESSAGES = "No valid messages found (user or assistant)."


def openai_object(
    object_id: Any,
    model: Any,
    content: str,
    *,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    finish_reason: str | None = None,
    kind: str = "chat.completion",
    param: Any = None,
) -> dict[str, Any]:
    """The endpoint's response object (key order as streamed); `created` is always null, `id` a string."""
    return {
        "id": f"{object_id}",
        "object": kind,
        "created": None,
        "model": model,
        "param": param,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "choices": [
            {
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": finish_reason,
                "index": 0,
            }
        ],
    }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


class OpenaiAgentRun:
    """One call: the pre-run error object or the turn, rendered streamed or as one object."""

    def __init__(
        self, sessions: AgentSessionStore, services: FlowServices, agent: Agent, question: str, session_id: Any
    ) -> None:
        self.sessions = sessions
        self.services = services
        self.agent = agent
        self.question = question
        self.session_id = session_id
        self.prompt_tokens = count_tokens(_text(question))

    def open(self) -> AgentTurn | dict[str, Any]:
        """The turn, or the object the server yields instead of running (required input, unknown session)."""
        if not self.session_id:
            text = required_input(self.agent)
            if text is not None:
                return openai_object(
                    None,
                    self.agent.id,
                    text,
                    completion_tokens=count_tokens(text),
                    prompt_tokens=self.prompt_tokens,
                )
        elif not isinstance(self.session_id, str) or self.sessions.get(self.session_id) is None:
            return openai_object(self.session_id, self.agent.id, "**ERROR**: Session not found!")
        return open_turn(self.sessions, self.services, self.agent, self.question, self.session_id, {})

    def error_object(self, turn: AgentTurn, failure: CanvasFailure) -> dict[str, Any]:
        """The object an exception inside the run answers (`**ERROR**: …`, finish reason `stop`)."""
        return self.final_object(turn, "**ERROR**: " + failure.detail)

    def final_object(self, turn: AgentTurn, content: str, param: Any = None) -> dict[str, Any]:
        """A finished answer (finish reason `stop`) with its token counts."""
        return openai_object(
            turn.session_id,
            self.agent.id,
            content,
            finish_reason="stop",
            completion_tokens=count_tokens(content),
            prompt_tokens=self.prompt_tokens,
            param=param,
        )

    def script(self, turn: AgentTurn) -> StreamScript:
        """Notices and cumulative answers as `chat.completion.chunk` objects, then `data: [DONE]`."""
        frames: list[StreamFrame] = []
        completion_tokens = 0
        final = ""
        try:
            for event in turn.events(stream=True):
                text = event.text if isinstance(event, Notice) else event.content
                completion_tokens += count_tokens(text)
                if isinstance(event, Notice):
                    finish = None
                else:
                    final, finish = text, "stop"
                chunk = openai_object(
                    turn.session_id,
                    self.agent.id,
                    text,
                    kind="chat.completion.chunk",
                    finish_reason=finish,
                    completion_tokens=completion_tokens,
                    prompt_tokens=self.prompt_tokens,
                )
                frames.append(StreamFrame(sse.frame_spaced(chunk), tokens=0 if finish is None else 1))
            turn.finish(final)
        except CanvasFailure as failure:
            turn.finish()
            frames.append(StreamFrame(sse.frame_spaced(self.error_object(turn, failure))))
        frames.append(StreamFrame(sse.DONE_SPACED))

        def error_frames(message: str) -> list[bytes]:
            return [sse.frame_spaced(self.error_object(turn, CanvasFailure(message))), sse.DONE_SPACED]

        return StreamScript(frames=frames, server_headers=False, error_frames=error_frames)

    def single(self, turn: AgentTurn) -> dict[str, Any]:
        """Non-streaming: the answers' texts concatenated, `param` = the Begin inputs."""
        try:
            content = "".join(e.content for e in turn.events(stream=False) if not isinstance(e, Notice))
        except CanvasFailure as failure:
            turn.finish()
            return self.error_object(turn, failure)
        turn.finish(content)
        return self.final_object(turn, content, turn.canvas.inputs())


def _closed_stream(ctx: RequestContext) -> Response:
    """Headers sent, then the connection dropped: what the server does when its generator yields a dict."""
    script = StreamScript(frames=[StreamFrame(b"")], server_headers=False)
    return ScriptedStreamResponse(script, ctx.state.clock, 0.0, 0.0, StreamFault(disconnect_after=0))


async def create_openai_agent_completion(ctx: RequestContext) -> Response:
    """createOpenaiAgentCompletion: POST /api/v1/agents_openai/{agent_id}/chat/completions (arguments, then key)."""
    body = await require_arguments(ctx, "model", "messages")
    ctx.authenticate()
    if not isinstance(body, dict):
        raise no_attribute(body, "get")
    messages = iterate(body.get("messages", []))
    if not messages:
        raise DataError("You must provide at least one message.")
    agent_id = ctx.path_param("agent_id")
    agent = ctx.tenant.agents.owned(agent_id)
    kept = [m for m in messages if item(m, "role") in ("user", "assistant")]
    prompt_tokens = sum(count_tokens(_text(item(m, "content"))) for m in kept)
    if not kept:
        empty = openai_object(
            agent_id,
            body.get("model", ""),
            NO_VALID_MESSAGES,
            finish_reason="stop",
            completion_tokens=count_tokens(NO_VALID_MESSAGES),
            prompt_tokens=prompt_tokens,
        )
        return EnvelopeResponse(empty)
    question = next((item(m, "content") for m in reversed(messages) if item(m, "role") == "user"), "")
    stream = bool(body.get("stream", True))
    services = flow_services(ctx.state, ctx.tenant)
    run = OpenaiAgentRun(ctx.tenant.agent_sessions, services, agent, question, body.get("id", ""))
    try:
        opened = run.open()
    except CanvasFailure as failure:
        raise (HtmlServerError(failure.detail) if stream else failure) from None
    if isinstance(opened, dict):
        return _closed_stream(ctx) if stream else EnvelopeResponse(opened)
    if stream:
        return stream_response(ctx, run.script(opened))
    return EnvelopeResponse(run.single(opened))


HANDLERS: dict[str, Handler] = {"createOpenaiAgentCompletion": create_openai_agent_completion}
