"""The official `openai` client against `/api/v1/chats_openai/<chat_id>` over a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai import OpenAI
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.server import ThreadedServer
from tests.support.chatkit import chat_ok, parsed_dataset

KEY = "ragflow-openai-key"
QUESTION = "Which river carries more water than any other?"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client_and_chat() -> Iterator[tuple[OpenAI, str]]:
    app = create_app(Settings.for_tests(api_keys=(KEY,)))
    with TestClient(app, headers={"Authorization": f"Bearer {KEY}"}) as setup:
        chat_id = chat_ok(setup, "geo", [parsed_dataset(setup)])
    with ThreadedServer(app) as server:
        yield OpenAI(api_key=KEY, base_url=f"{server.base_url}/api/v1/chats_openai/{chat_id}"), chat_id


def test_streamed_text_equals_non_streamed_text(client_and_chat: tuple[OpenAI, str]) -> None:
    """createOpenaiChatCompletion via the openai client: streamed text equals the non-streamed one."""
    client, chat_id = client_and_chat
    messages = [{"role": "user", "content": QUESTION}]
    stream = client.chat.completions.create(model="model", messages=messages, stream=True)  # type: ignore[arg-type]
    chunks = list(stream)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == len(streamed)
    assert all(c.id == f"chatcmpl-{chat_id}" for c in chunks)
    completion = client.chat.completions.create(model="model", messages=messages, stream=False)  # type: ignore[arg-type]
    assert completion.choices[0].message.content == streamed
    assert "Amazon" in streamed
    assert completion.usage is not None and completion.usage.prompt_tokens == len(QUESTION)


def test_errors_surface_as_bodies(client_and_chat: tuple[OpenAI, str]) -> None:
    """createOpenaiChatCompletion via the openai client: errors arrive as envelope bodies."""
    client, _ = client_and_chat
    completion = client.chat.completions.create(
        model="model",
        messages=[{"role": "assistant", "content": "hi"}],  # type: ignore[list-item]
        stream=False,
    )
    assert completion.model_extra == {"code": 102, "message": "The last content of this conversation is not from user."}
