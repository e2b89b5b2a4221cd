"""Profile 2024-05-legacy keys and conversations: v07NewToken, v07ListTokens, v07NewConversation, v07GetConversation."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from tests.families.legacy_2024_05.worldkit import (
    INVALID_KEY,
    NO_SPLIT,
    NOT_FOUND,
    ONE_WORD,
    PREFIX,
    World,
    new_conversation,
    provision,
    stored_conversation,
)


def test_new_conversation_answers_the_whole_v07_row_in_the_servers_bytes(world: World) -> None:
    """v07NewConversation: the seed's request (`user_id`), 13 columns sorted, the chat's prologue first."""
    reply = world.web.get("/v1/api/new_conversation", headers=world.key, params={"user_id": "user-1"})
    row = stored_conversation(world, reply.json()["data"]["id"])
    expected = (
        f'{{"data":{{"create_date":"{row.create_date}","create_time":{row.create_time},'
        f'"dialog_id":"{world.chat_id}","duration":0.0,"id":"{row.id}",'
        '"message":[{"content":"Hi! I\'m your assistant, what can I do for you?","role":"assistant"}],'
        '"reference":[],"round":0,"thumb_up":0,"tokens":0,'
        f'"update_date":"{row.update_date}","update_time":{row.update_time},"user_id":"user-1"}},'
        '"retcode":0,"retmsg":"success"}\n'
    )
    assert reply.content == expected.encode()
    assert reply.headers["content-type"] == "application/json"


def test_user_id_is_not_validated_and_defaults_to_empty(world: World) -> None:
    """v07NewConversation: the seed's 32-character rule does not exist at v0.7.0."""
    long_id = "ü" * 40 + " /?"
    assert new_conversation(world, long_id)["user_id"] == long_id
    assert world.web.get("/v1/api/new_conversation", headers=world.key).json()["data"]["user_id"] == ""


def test_key_failures_are_the_v07_texts(world: World) -> None:
    """v07NewConversation: no header, one word, unknown key; any first word is accepted."""
    url = "/v1/api/new_conversation"
    assert world.web.get(url).json() == NO_SPLIT
    assert world.web.get(url, headers={"Authorization": "ragflow-x"}).json() == ONE_WORD
    wrong = world.web.get(url, headers={"Authorization": "Bearer ragflow-nope"})
    assert wrong.content == b'{"data":false,"retcode":109,"retmsg":"Token is not valid!\\""}\n'
    token = world.key["Authorization"].split()[1]
    assert world.web.get(url, headers={"Authorization": f"Token {token}"}).json()["retcode"] == 0


def test_a_key_without_a_chat_has_no_dialog(world: World) -> None:
    """v07NewConversation: an SDK key of the tenant passes the check but is bound to no chat (R2, no `data`)."""
    reply = world.web.get("/v1/api/new_conversation", headers=world.api)
    assert reply.content == b'{"retcode":102,"retmsg":"Dialog not found"}\n'


def test_get_conversation_needs_no_key_and_renames_docnm_kwd(world: World) -> None:
    """v07GetConversation: no authentication; unknown id is R2; stored `docnm_kwd` shows as `doc_name`."""
    conversation = new_conversation(world)
    row = stored_conversation(world, conversation["id"])
    row.reference = [{"chunks": [{"docnm_kwd": "a.txt", "chunk_id": "c"}], "doc_aggs": []}]
    got = world.web.get(f"/v1/api/conversation/{conversation['id']}").json()
    assert got["retcode"] == 0 and got["data"]["reference"][0]["chunks"] == [{"chunk_id": "c", "doc_name": "a.txt"}]
    assert sorted(got["data"]) == sorted(conversation)
    missing = world.web.get("/v1/api/conversation/nope", headers={"Authorization": "whatever"})
    assert missing.content == b'{"retcode":102,"retmsg":"Conversation not found!"}\n'
    row.reference = [[]]
    broken = world.web.get(f"/v1/api/conversation/{conversation['id']}").json()
    assert broken == {
        "data": None,
        "retcode": 100,
        "retmsg": "TypeError('list indices must be integers or slices, not str')",
    }


def test_new_token_binds_a_key_to_a_chat_and_lists_in_v07_columns(world: World) -> None:
    """v07NewToken, v07ListTokens: the guard before the login, 7 columns, no `source`/`beta`."""
    guard = world.web.post("/v1/api/new_token", json={})
    assert guard.json() == {"data": None, "retcode": 101, "retmsg": "required argument are missing: dialog_id; "}
    login = world.web.post("/v1/api/new_token", json={"dialog_id": world.chat_id})
    assert login.json() == {"data": None, "retcode": 401, "retmsg": "<Unauthorized '401: Unauthorized'>"}
    made = world.web.post("/v1/api/new_token", headers=world.login, json={"dialog_id": world.chat_id}).json()["data"]
    assert list(made) == ["create_date", "create_time", "dialog_id", "tenant_id", "token", "update_date", "update_time"]
    assert made["update_date"] is None and made["token"].startswith("ragflow-") and len(made["token"]) == 40
    rows = world.web.get("/v1/api/token_list", headers=world.login, params={"dialog_id": world.chat_id}).json()
    assert [r["token"] for r in rows["data"]][-1] == made["token"]
    assert all("source" not in r and "beta" not in r for r in rows["data"])
    no_dialog = world.web.get("/v1/api/token_list", headers=world.login).json()
    assert no_dialog == {"data": None, "retcode": 100, "retmsg": "KeyError('dialog_id')"}


def test_unknown_paths_and_methods_under_v1_api_use_the_old_envelope(world: World) -> None:
    """The profile owns `/v1/api`: the current-only routes are gone, 404/405 are `retcode` bodies."""
    assert world.web.post("/v1/api/completion_aibotk", json={}).json() == NOT_FOUND
    assert world.web.get("/v1/api/document/rm").json() == NOT_FOUND
    assert world.web.put("/v1/api/completion").json() == {
        "data": None,
        "retcode": 100,
        "retmsg": "<MethodNotAllowed '405: Method Not Allowed'>",
    }
    current = world.web.get("/api/v1/nothing").content
    assert json.loads(current) == {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}


def test_the_prefix_mount_serves_the_profile_next_to_the_current_legacy_api(app: object) -> None:
    """Without the switch `/v1/api` stays current; `/_p/2024-05-legacy/v1/api` is v0.7.0."""
    with TestClient(app) as web:  # type: ignore[arg-type]
        world = provision(web, base=PREFIX)
        old = new_conversation(world)
        assert len(old) == 13
        current = web.get("/v1/api/new_conversation", headers=world.key).json()
        assert current["code"] == 0 and sorted(current["data"]) == ["dialog_id", "id", "message", "user_id"]
        assert web.get(f"{PREFIX}/v1/api/new_conversation", headers={"Authorization": "Bearer x"}).json() == INVALID_KEY
        assert web.get(f"{PREFIX}/v1/api/nope").json() == NOT_FOUND


def test_a_soft_deleted_chat_still_opens_conversations(world: World) -> None:
    """v07NewConversation: the chat is looked up without a status check (deleteChats only sets status 0)."""
    deleted = world.web.request("DELETE", "/api/v1/chats", headers=world.api, json={"ids": [world.chat_id]})
    assert deleted.json() == {"code": 0}
    assert new_conversation(world)["dialog_id"] == world.chat_id
