"""Stored client values keep every later reply valid; cross-tenant keys reach nothing (issue 16 item 14)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver import Settings, create_app
from tests.families.accounts.webkit import auth, login, register
from tests.http.test_spec import json_200_pointer, validator_for


def _check(operation_id: str, reply: Any) -> None:
    validator_for(json_200_pointer(operation_id)).validate(reply)


def test_a_non_string_opener_keeps_chat_and_session_replies_valid(client: TestClient) -> None:
    """createChat stores `prompt` values as sent (the server checks no type); later lists still match the spec."""
    odd: dict[str, Any] = {"opener": {"nested": [1]}, "empty_response": 7, "show_quote": "x", "tts": 3}
    created = client.post("/api/v1/chats", json={"name": "odd", "dataset_ids": [], "prompt": odd}).json()
    assert created["code"] == 0 and created["data"]["prompt"]["opener"] == {"nested": [1]}
    chat_id = created["data"]["id"]
    for number in (5, None, ["x"]):
        client.post("/api/v1/chats", json={"name": f"c{number}", "dataset_ids": [], "prompt": {"opener": number}})
    listed = client.get("/api/v1/chats").json()
    assert listed["code"] == 0 and len(listed["data"]) == 4
    _check("listChats", listed)
    session = client.post(f"/api/v1/chats/{chat_id}/sessions", json={"name": "s"}).json()
    assert session["data"]["messages"] == [{"content": {"nested": [1]}, "role": "assistant"}]
    _check("createChatSession", session)
    _check("listChatSessions", client.get(f"/api/v1/chats/{chat_id}/sessions").json())


def _account(web: TestClient, email: str) -> tuple[dict[str, str], dict[str, str]]:
    assert register(web, email=email, nickname=email.split("@")[0]).json()["code"] == 0
    token = login(web, email=email)
    key = web.post("/v1/system/new_token", headers=auth(token)).json()["data"]["token"]
    return auth(token), {"Authorization": f"Bearer {key}"}


def test_legacy_key_for_another_tenant_s_chat_is_issued_but_reaches_nothing() -> None:
    """createLegacyToken checks no ownership (the server replies success); the key's conversations are looked up
    in its own tenant, so another tenant's chat stays out of reach: `Dialog not found`."""
    with TestClient(create_app(Settings.for_tests(api_keys=()))) as web:
        _, owner_api = _account(web, "owner@example.com")
        intruder_login, _ = _account(web, "intruder@example.com")
        chat = web.post("/api/v1/chats", headers=owner_api, json={"name": "bot", "dataset_ids": []}).json()["data"]
        issued = web.post("/v1/api/new_token", headers=intruder_login, json={"dialog_id": chat["id"]}).json()
        assert issued["code"] == 0 and issued["data"]["dialog_id"] == chat["id"]
        foreign_key = {"Authorization": f"Bearer {issued['data']['token']}"}
        assert web.get("/v1/api/new_conversation", headers=foreign_key).json() == {
            "code": 102,
            "message": "Dialog not found",
        }
        assert web.get("/api/v1/chats", headers=foreign_key).json() == {"code": 0, "data": []}


def test_a_non_string_opener_streams_as_stored(client: TestClient) -> None:
    """createChatCompletion without a session: the opener frame carries the stored value; frames match the spec."""
    from mockserver.core.sse import payloads

    created = client.post("/api/v1/chats", json={"name": "n", "dataset_ids": [], "prompt": {"opener": 112910122525}})
    chat_id = created.json()["data"]["id"]
    reply = client.post(f"/api/v1/chats/{chat_id}/completions", json={"question": "hi", "stream": True})
    frames = payloads(reply.content)
    assert frames[0]["data"]["answer"] == 112910122525
    validator_for("/components/schemas/ChatAnswer").validate(frames[0]["data"])
