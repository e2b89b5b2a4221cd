"""Every stream type compared byte for byte with its golden transcript in fixtures/streams/.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/families/chats/test_golden_streams.py`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.paths import fixtures_dir
from tests.support.chatkit import chat_ok, parsed_dataset, session_ok

KEY = "ragflow-golden-key"
GOLDEN = fixtures_dir() / "streams"
QUESTION = "Which river is the longest in Africa?"


def world() -> tuple[TestClient, str, str]:
    """A fresh deterministic emulator (Settings.for_tests) with one parsed dataset and one chat on it."""
    client = TestClient(create_app(Settings.for_tests(api_keys=(KEY,))), headers={"Authorization": f"Bearer {KEY}"})
    dataset_id = parsed_dataset(client)
    return client, dataset_id, chat_ok(client, "geo", [dataset_id])


def chat_completion() -> bytes:
    client, _, chat_id = world()
    sid = session_ok(client, chat_id)["id"]
    return client.post(f"/api/v1/chats/{chat_id}/completions", json={"question": QUESTION, "session_id": sid}).content


def chat_completion_no_session() -> bytes:
    client, _, chat_id = world()
    return client.post(f"/api/v1/chats/{chat_id}/completions", json={"question": QUESTION}).content


def chat_completion_error() -> bytes:
    client, dataset_id, _ = world()
    prompt = {
        "prompt": "{knowledge} in {lang}",
        "variables": [{"key": "knowledge", "optional": False}, {"key": "lang", "optional": False}],
    }
    chat_id = chat_ok(client, "vars", [dataset_id], prompt=prompt)
    sid = session_ok(client, chat_id)["id"]
    return client.post(f"/api/v1/chats/{chat_id}/completions", json={"question": QUESTION, "session_id": sid}).content


def chat_completion_empty() -> bytes:
    client, _, chat_id = world()
    sid = session_ok(client, chat_id)["id"]
    body = {"question": "xylophone quartz", "session_id": sid}
    return client.post(f"/api/v1/chats/{chat_id}/completions", json=body).content


def openai_chat() -> bytes:
    client, _, chat_id = world()
    body = {"model": "model", "messages": [{"role": "user", "content": QUESTION}]}
    return client.post(f"/api/v1/chats_openai/{chat_id}/chat/completions", json=body).content


def ask() -> bytes:
    client, dataset_id, _ = world()
    body = {"question": "What is the highest mountain?", "dataset_ids": [dataset_id]}
    return client.post("/api/v1/sessions/ask", json=body).content


def chatbot_completion() -> bytes:
    client, _, chat_id = world()
    app: Any = client.app
    beta = app.state.emulator.backends.token(KEY).beta
    headers = {"Authorization": f"Bearer {beta}"}
    url = f"/api/v1/chatbots/{chat_id}/completions"
    first = client.post(url, json={"question": ""}, headers=headers).content
    sid = first.split(b'"session_id": "')[1].split(b'"')[0].decode()
    return first + client.post(url, json={"question": QUESTION, "session_id": sid}, headers=headers).content


SCENARIOS: dict[str, Callable[[], bytes]] = {
    "chat_completion.sse": chat_completion,
    "chat_completion_no_session.sse": chat_completion_no_session,
    "chat_completion_error.sse": chat_completion_error,
    "chat_completion_empty.sse": chat_completion_empty,
    "openai_chat.sse": openai_chat,
    "ask.sse": ask,
    "chatbot_completion.sse": chatbot_completion,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_stream_matches_golden_transcript(name: str) -> None:
    """createChatCompletion, createOpenaiChatCompletion, askDatasets, createChatbotCompletion: golden bytes."""
    produced = SCENARIOS[name]()
    path: Path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(produced)
    assert path.is_file(), f"missing golden transcript {path}; run with UPDATE_GOLDEN=1"
    assert produced == path.read_bytes()


def test_same_scenario_twice_gives_the_same_bytes() -> None:
    """createChatCompletion: the same scenario twice gives the same bytes."""
    assert chat_completion() == chat_completion()
