"""The OpenAI-compatible chat endpoint and reusable OpenAI-shape helpers (reasoning split, incremental deltas)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.errors import DataError
from mockserver.core.python_failures import gettable, item, python_semantics
from mockserver.families.chats.answers import engine_of
from mockserver.families.chats.engine import ChatFailure, chat_events
from mockserver.http.context import RequestContext
from mockserver.http.envelope import EnvelopeResponse
from mockserver.http.request_args import require_arguments
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler

_THINK_RE = re.compile(r"<think>(.*?)</think>", re.DOTALL)


def split_reasoning(text: str) -> tuple[str, str]:
    """`(reasoning, content)`: the text inside `<think>…</think>` and what follows it; no tags → `("", text)`."""
    found = _THINK_RE.search(text)
    if found is None:
        return "", text
    return found.group(1), text[found.end() :]


@dataclass
class DeltaTracker:
    """Turns the cumulative answers of a stream into OpenAI deltas, the way the server computes them."""

    reasoning: str = ""
    content: str = ""
    emitted_chars: int = 0

    def step(self, cumulative: str) -> tuple[str, str]:
        """`(content_delta, reasoning_delta)` for the next cumulative answer (either may be empty)."""
        reasoning, content = split_reasoning(cumulative)
        reasoning_delta = ""
        if reasoning:
            reasoning_delta = reasoning[len(self.reasoning) :] if reasoning.startswith(self.reasoning) else reasoning
            self.reasoning = reasoning
        content_delta = content[len(self.content) :] if content.startswith(self.content) else ""
        self.content = content
        self.emitted_chars += len(content_delta) + len(reasoning_delta)
        return content_delta, reasoning_delta


def chunk_object(completion_id: str, created: int) -> dict[str, Any]:
    """The one streaming response object the server mutates and re-serialises for every event (key order kept)."""
    return {
        "id": completion_id,
        "choices": [
            {
                "delta": {
                    "content": None,
                    "role": "assistant",
                    "function_call": None,
                    "tool_calls": None,
                    "reasoning_content": None,
                },
                "finish_reason": None,
                "index": 0,
                "logprobs": None,
            }
        ],
        "created": created,
        "model": "model",
        "object": "chat.completion.chunk",
        "system_fingerprint": "",
        "usage": None,
    }


def completion_object(
    completion_id: str, created: int, model: Any, content: Any, prompt_tokens: int, reasoning_tokens: int
) -> dict[str, Any]:
    """The non-streaming `chat.completion` object (lengths in characters, as the server counts)."""
    with python_semantics():
        completion_tokens = len(content)
    return {
        "choices": [
            {
                "finish_reason": "stop",
                "index": 0,
                "logprobs": None,
                "message": {"content": content, "role": "assistant"},
            }
        ],
        "created": created,
        "id": completion_id,
        "model": model,
        "object": "chat.completion",
        "usage": {
            "completion_tokens": completion_tokens,
            "completion_tokens_details": {
                "accepted_prediction_tokens": completion_tokens,
                "reasoning_tokens": reasoning_tokens,
                "rejected_prediction_tokens": 0,
            },
            "prompt_tokens": prompt_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def history_of(messages: list[Any]) -> list[Any]:
    """The history the chat sees: system messages dropped, leading assistant messages dropped."""
    kept: list[Any] = []
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system" or (role == "assistant" and not kept):
            continue
        kept.append(message)
    return kept


async def create_openai_chat_completion(ctx: RequestContext) -> Response:
    """createOpenaiChatCompletion: POST /api/v1/chats_openai/{chat_id}/chat/completions (guard before API key)."""
    chat_id = ctx.path_param("chat_id")
    await require_arguments(ctx, "model", "messages")
    ctx.authenticate()
    req = gettable(await ctx.json_forced())
    messages = req.get("messages", [])
    with python_semantics():
        if len(messages) < 1:
            raise DataError("You have to provide messages.")
        last = messages[-1]
    if item(last, "role") != "user":
        raise DataError("The last content of this conversation is not from user.")
    prompt = item(last, "content")
    with python_semantics():
        reasoning_tokens = sum(len(item(m, "content")) for m in messages)
        prompt_tokens = len(prompt)
    tenant = ctx.tenant
    chat = tenant.chats.owned(chat_id, f"You don't own the chat {chat_id}")
    completion_id = f"chatcmpl-{chat_id}"
    created = int(tenant.clock.now())
    question = prompt if isinstance(prompt, str) else str(prompt)
    stream = bool(req.get("stream", True))
    engine = engine_of(ctx.state)
    if not stream:
        try:
            events, _ = chat_events(tenant, chat, question, {}, engine, stream=False)
        except ChatFailure as failure:
            raise failure from None
        content = events[-1].data["answer"]
        body = completion_object(completion_id, created, req.get("model", ""), content, prompt_tokens, reasoning_tokens)
        return EnvelopeResponse(body)
    response = chunk_object(completion_id, created)
    delta = response["choices"][0]["delta"]
    tracker = DeltaTracker()
    frames: list[StreamFrame] = []
    answer = None
    try:
        events, answer = chat_events(tenant, chat, question, {}, engine, stream=True)
        for event in events:
            content_delta, reasoning_delta = tracker.step(event.data["answer"])
            if not content_delta and not reasoning_delta:
                continue
            delta["content"] = content_delta or None
            delta["reasoning_content"] = reasoning_delta or None
            frames.append(StreamFrame(sse.frame(response), event.tokens))
    except ChatFailure as failure:
        delta["content"] = "**ERROR**: " + failure.detail
        frames.append(StreamFrame(sse.frame(response)))
    before_end = copy.deepcopy(response)
    frames.extend(StreamFrame(f) for f in final_frames(response, prompt_tokens, tracker.emitted_chars))

    def error_frames(message: str) -> list[bytes]:
        failed = copy.deepcopy(before_end)
        failed["choices"][0]["delta"]["content"] = "**ERROR**: " + message
        return [sse.frame(failed), *final_frames(failed, prompt_tokens, tracker.emitted_chars)]

    script = StreamScript(
        frames,
        error_frames=error_frames,
        tokens_per_second=None if answer is None else answer.tokens_per_second,
        first_token_delay=None if answer is None else answer.first_token_delay,
    )
    return stream_response(ctx, script)


def final_frames(response: dict[str, Any], prompt_tokens: int, completion_tokens: int) -> list[bytes]:
    """The closing chunk (`finish_reason` "stop", usage in characters) and `data:[DONE]`."""
    choice = response["choices"][0]
    choice["delta"]["content"] = None
    choice["delta"]["reasoning_content"] = None
    choice["finish_reason"] = "stop"
    response["usage"] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    return [sse.frame(response), sse.DONE]


HANDLERS: dict[str, Handler] = {"createOpenaiChatCompletion": create_openai_chat_completion}

__all__ = ["HANDLERS", "DeltaTracker", "chunk_object", "completion_object", "history_of", "split_reasoning"]
