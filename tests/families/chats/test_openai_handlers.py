"""OpenAI-compatible chat (§1.1): validation before auth, deltas, reasoning, usage in characters, [DONE]."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.core import sse
from mockserver.families.chats.openai_handlers import DeltaTracker, split_reasoning
from tests.support.chatkit import chat_ok, parsed_dataset

QUESTION = "Which river carries more water?"


@pytest.fixture
def chat_id(client: TestClient) -> str:
    return chat_ok(client, "geo", [parsed_dataset(client)])


def url(chat_id: str) -> str:
    return f"/api/v1/chats_openai/{chat_id}/chat/completions"


def ask(client: TestClient, chat_id: str, **body: Any) -> Any:
    payload = {"model": "any", "messages": [{"role": "user", "content": QUESTION}], **body}
    return client.post(url(chat_id), json=payload)


def test_validation_runs_before_the_api_key(anon_client: TestClient, client: TestClient, chat_id: str) -> None:
    """createOpenaiChatCompletion: the argument guard answers before the API-key check."""
    assert anon_client.post(url(chat_id), json={}).json() == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: model,messages; ",
    }
    assert anon_client.post(url(chat_id), json={"model": "m"}).json()["message"] == (
        "required argument are missing: messages; "
    )
    assert anon_client.post(url(chat_id), json={"model": "m", "messages": []}).json() == {
        "code": 0,
        "data": False,
        "message": "`Authorization` can't be empty",
    }


def test_message_errors(client: TestClient, other_client: TestClient, chat_id: str) -> None:
    """createOpenaiChatCompletion: message list errors and chat ownership."""

    def reply(messages: Any) -> Any:
        return client.post(url(chat_id), json={"model": "m", "messages": messages}).json()

    assert reply([]) == {"code": 102, "message": "You have to provide messages."}
    assert reply([{"role": "assistant", "content": "x"}]) == {
        "code": 102,
        "message": "The last content of this conversation is not from user.",
    }
    assert reply([{"content": "x"}]) == {"code": 100, "data": None, "message": "KeyError('role')"}
    assert reply([{"role": "user"}]) == {"code": 100, "data": None, "message": "KeyError('content')"}
    foreign = other_client.post(url(chat_id), json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
    assert foreign.json() == {"code": 102, "message": f"You don't own the chat {chat_id}"}


def test_streaming_chunks(client: TestClient, chat_id: str) -> None:
    """createOpenaiChatCompletion streamed: chunk objects, deltas and the closing usage chunk."""
    response = ask(client, chat_id)
    frames = sse.parse(response.content)
    assert frames[-1] == b"data:[DONE]\n\n"
    chunks = sse.payloads(response.content)[:-1]
    for chunk in chunks:
        assert list(chunk) == [
            "id", "choices", "created", "model", "object", "system_fingerprint", "usage",
        ]  # fmt: skip
        assert chunk["id"] == f"chatcmpl-{chat_id}" and chunk["model"] == "model"
        assert list(chunk["choices"][0]["delta"]) == [
            "content", "role", "function_call", "tool_calls", "reasoning_content",
        ]  # fmt: skip
    *deltas, last = chunks
    text = "".join(c["choices"][0]["delta"]["content"] for c in deltas)
    assert "Amazon" in text
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["choices"][0]["delta"]["content"] is None
    assert last["usage"] == {
        "prompt_tokens": len(QUESTION),
        "completion_tokens": len(text),
        "total_tokens": len(QUESTION) + len(text),
    }


def test_non_streaming_matches_streaming(client: TestClient, chat_id: str) -> None:
    """createOpenaiChatCompletion: the non-streamed content equals the joined deltas."""
    streamed = "".join(
        c["choices"][0]["delta"]["content"] or "" for c in sse.payloads(ask(client, chat_id).content)[:-1]
    )
    history = [{"role": "system", "content": "be nice"}, {"role": "assistant", "content": "hello"}]
    body = client.post(
        url(chat_id),
        json={"model": "gpt-x", "stream": False, "messages": [*history, {"role": "user", "content": QUESTION}]},
    ).json()
    content = body["choices"][0]["message"]["content"]
    assert content == streamed
    assert body["model"] == "gpt-x" and body["object"] == "chat.completion"
    assert body["usage"] == {
        "completion_tokens": len(content),
        "completion_tokens_details": {
            "accepted_prediction_tokens": len(content),
            "reasoning_tokens": len("be nice") + len("hello") + len(QUESTION),
            "rejected_prediction_tokens": 0,
        },
        "prompt_tokens": len(QUESTION),
        "total_tokens": len(QUESTION) + len(content),
    }


def test_reasoning_content(client: TestClient, chat_id: str) -> None:
    """createOpenaiChatCompletion: `<think>` text streams as `reasoning_content`."""
    client.app.state.emulator.answers.add(  # type: ignore[attr-defined]
        {"match": "think", "reasoning": "Let me consider the rivers.", "answer": "The Amazon."}
    )
    chunks = sse.payloads(ask(client, chat_id, messages=[{"role": "user", "content": "think"}]).content)[:-2]
    reasoning = "".join(c["choices"][0]["delta"]["reasoning_content"] or "" for c in chunks)
    assert reasoning == "Let me consider the rivers."
    body = ask(client, chat_id, stream=False, messages=[{"role": "user", "content": "think"}]).json()
    assert body["choices"][0]["message"]["content"] == "<think>Let me consider the rivers.</think>The Amazon."


def test_delta_tracker_follows_the_server() -> None:
    """createOpenaiChatCompletion: reasoning split and delta computation as the server does them."""
    assert split_reasoning("<think>a</think>b") == ("a", "b")
    tracker = DeltaTracker()
    assert tracker.step("Hello") == ("Hello", "")
    assert tracker.step("Hello world") == (" world", "")
    assert tracker.step("Hello ##0$$ world") == ("", "")  # not an extension: empty delta
    assert tracker.step("Hello ##0$$ world!") == ("!", "")
    assert tracker.emitted_chars == len("Hello world!")
