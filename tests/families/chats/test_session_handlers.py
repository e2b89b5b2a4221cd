"""Chat sessions: every case of reference §3.1–3.4 with the exact code and message."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.support.chatkit import chat_ok, parsed_dataset, session_ok, sessions_of
from tests.support.knowledge import API, tenant_of

SESSION_KEYS = {
    "chat_id",
    "create_date",
    "create_time",
    "id",
    "messages",
    "name",
    "update_date",
    "update_time",
    "user_id",
}
OPENER = {"role": "assistant", "content": "Hi! I'm your assistant, what can I do for you?"}


def error(body: Any) -> tuple[int, str]:
    return body["code"], body["message"]


def test_create_session(client: TestClient, other_client: TestClient) -> None:
    """createChatSession: the reply shape, name/user id and the errors."""
    chat_id = chat_ok(client, "c")
    session = session_ok(client, chat_id)
    assert set(session) == SESSION_KEYS
    assert (session["chat_id"], session["name"], session["user_id"]) == (chat_id, "New session", "")
    assert session["messages"] == [OPENER]
    assert session_ok(client, chat_id, name="mine", user_id="u1")["user_id"] == "u1"
    url = f"{API}/chats/{chat_id}/sessions"
    assert error(client.post(url).json()) == (100, "TypeError(\"'NoneType' object does not support item assignment\")")
    assert error(client.post(url, json={"name": ""}).json()) == (102, "`name` can not be empty.")
    assert error(client.post(url, json={"name": None}).json()) == (102, "`name` can not be empty.")
    assert error(other_client.post(url, json={}).json()) == (102, "You do not own the assistant.")
    assert error(client.post(f"{API}/chats/nope/sessions", json={}).json()) == (102, "You do not own the assistant.")


def test_update_session(client: TestClient, other_client: TestClient) -> None:
    """updateChatSession: rename and user id; message/reference/name refusals, crashes, ownership."""
    chat_id = chat_ok(client, "c")
    session = session_ok(client, chat_id)
    url = f"{API}/chats/{chat_id}/sessions/{session['id']}"
    assert client.put(url, json={"name": "renamed", "user_id": "u9"}).json() == {"code": 0}
    listed = sessions_of(client, chat_id)[0]
    assert (listed["name"], listed["user_id"]) == ("renamed", "u9")
    assert error(client.put(f"{API}/chats/{chat_id}/sessions/nope", json={}).json()) == (102, "Session does not exist")
    assert error(other_client.put(url, json={}).json()) == (102, "Session does not exist")
    assert error(client.put(url, json={"messages": []}).json()) == (102, "`message` can not be change")
    assert error(client.put(url, json={"reference": []}).json()) == (102, "`reference` can not be change")
    assert error(client.put(url, json={"name": ""}).json()) == (102, "`name` can not be empty.")
    code, message = error(client.put(url, json={"bogus": 1}).json())
    assert code == 100 and message.startswith('ValueError(\'Unrecognized field name: "bogus" in {')
    assert error(client.put(url).json()) == (100, "TypeError(\"'NoneType' object does not support item assignment\")")
    tenant_of(client).chats.items[chat_id].status = "0"
    assert error(client.put(url, json={"name": "x"}).json()) == (102, "You do not own the session")


def test_list_sessions(client: TestClient, other_client: TestClient) -> None:
    """listChatSessions: order, filters, paging and the ownership and orderby errors."""
    chat_id = chat_ok(client, "c")
    first = session_ok(client, chat_id, name="alpha", user_id="u1")
    session_ok(client, chat_id, name="beta")
    assert [s["name"] for s in sessions_of(client, chat_id)] == ["beta", "alpha"]
    assert [s["name"] for s in sessions_of(client, chat_id, desc="false")] == ["alpha", "beta"]
    assert [s["id"] for s in sessions_of(client, chat_id, name="alpha")] == [first["id"]]
    assert [s["id"] for s in sessions_of(client, chat_id, user_id="u1")] == [first["id"]]
    assert sessions_of(client, chat_id, id="nope") == []
    assert sessions_of(client, chat_id, page=2, page_size=1)[0]["name"] == "alpha"
    url = f"{API}/chats/{chat_id}/sessions"
    assert error(other_client.get(url).json()) == (102, f"You don't own the assistant {chat_id}.")
    assert error(client.get(url, params={"orderby": "nope"}).json()) == (
        100,
        "AttributeError(\"type object 'Conversation' has no attribute 'nope'\")",
    )


def test_list_attaches_reduced_references_to_answers(client: TestClient) -> None:
    """listChatSessions after createChatCompletion: answers carry their reduced reference chunks."""
    kb = parsed_dataset(client)
    chat_id = chat_ok(client, "geo", [kb])
    session = session_ok(client, chat_id)
    body = {"question": "Which river is the longest?", "session_id": session["id"], "stream": False}
    answer = client.post(f"{API}/chats/{chat_id}/completions", json=body).json()["data"]
    messages = sessions_of(client, chat_id)[0]["messages"]
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant"]
    assert "reference" not in messages[0] and "reference" not in messages[1]
    reduced = messages[2]["reference"]
    assert [set(c) for c in reduced] == [
        {"id", "content", "document_id", "document_name", "dataset_id", "image_id", "positions"}
    ] * len(reduced)
    assert [c["id"] for c in reduced] == [c["id"] for c in answer["reference"]["chunks"]]
    assert messages[2]["id"] == messages[1]["id"] == answer["id"]


def test_delete_sessions(client: TestClient, other_client: TestClient) -> None:
    """deleteChatSessions: ownership, partial results, duplicates, misses and delete-all."""
    chat_id = chat_ok(client, "c")
    a, b, c = (session_ok(client, chat_id)["id"] for _ in range(3))
    url = f"{API}/chats/{chat_id}/sessions"
    assert error(other_client.request("DELETE", url, json={"ids": [a]}).json()) == (102, "You don't own the chat")
    partial = client.request("DELETE", url, json={"ids": [a, "x"]}).json()
    assert partial == {"code": 0, "data": {"errors": ["The chat doesn't own the session x"], "success_count": 1}}
    dup = client.request("DELETE", url, json={"ids": [b, b]}).json()
    assert dup == {"code": 0, "data": {"errors": [f"Duplicate session ids: {b}"], "success_count": 1}}
    assert error(client.request("DELETE", url, json={"ids": ["y", "z"]}).json()) == (
        102,
        "The chat doesn't own the session y; The chat doesn't own the session z",
    )
    assert client.request("DELETE", url, json={"ids": []}).json() == {"code": 0}
    assert sessions_of(client, chat_id) == []
    assert c  # deleted by the empty-ids call


def test_sessions_survive_chat_deletion(client: TestClient) -> None:
    """deleteChats: a deleted chat's sessions stay stored."""
    chat_id = chat_ok(client, "c")
    session_ok(client, chat_id)
    client.request("DELETE", f"{API}/chats", json={"ids": [chat_id]})
    assert len(tenant_of(client).sessions.of_chat(chat_id)) == 1
