"""2024-10-draft chat and session routes (T16–T23 and the 10-11 variant's row 22): seed requests, bytes, negatives."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.families.draft_2024_10.chat_views import DRAFT_PROMPT_DEFAULTS, DRAFT_SYSTEM_PROMPT
from tests.families.draft_2024_10.conftest import CHAT, STAMP, UPDATED, create_dataset, tenant_of
from tests.support.profiles import wire

DEFAULT_LLM = {"frequency_penalty": 0.7, "max_tokens": 512, "model_name": "qwen-plus@Tongyi-Qianwen",
               "presence_penalty": 0.4, "temperature": 0.1, "top_p": 0.3}  # fmt: skip
DEFAULT_PROMPT = {
    "empty_response": DRAFT_PROMPT_DEFAULTS["empty_response"],
    "keywords_similarity_weight": 0.3,
    "opener": DRAFT_PROMPT_DEFAULTS["prologue"],
    "prompt": DRAFT_SYSTEM_PROMPT,
    "rerank_model": "",
    "similarity_threshold": 0.2,
    "top_n": 6,
    "variables": [{"key": "knowledge", "optional": False}],
}


def seed_knowledgebase(dataset_id: str) -> dict[str, Any]:
    """The dataset object of the seed's create-chat example, with a real id."""
    return {"avatar": None, "chunk_count": 0, "description": None, "document_count": 0, "embedding_model": "",
            "id": dataset_id, "language": "English", "name": "Test_assistant", "parse_method": "naive",
            "parser_config": {"pages": [[1, 1000000]]}, "permission": "me",
            "tenant_id": "4fb0cd625f9311efba4a0242ac120006"}  # fmt: skip


def create_chat(client: TestClient, name: str = "new_chat_1") -> tuple[str, str]:
    dataset_id = create_dataset(client, f"kb-{name}")
    body = client.post(CHAT, json={"knowledgebases": [{"id": dataset_id}], "name": name}).json()
    assert body["code"] == 0, body
    return body["data"]["id"], dataset_id


def test_create_chat_with_the_seeds_example(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    knowledgebases = [seed_knowledgebase(dataset_id)]
    got = client.post(CHAT, json={"knowledgebases": knowledgebases, "name": "new_chat_1"})
    data = got.json()["data"]
    expected = {
        "avatar": "", **STAMP, "description": "A helpful Assistant", "do_refer": "1", "id": data["id"],
        "knowledgebases": knowledgebases, "language": "English", "llm": DEFAULT_LLM, "name": "new_chat_1",
        "prompt": DEFAULT_PROMPT, "prompt_type": "simple", "status": "1", "tenant_id": tenant_of(client),
        "top_k": 1024, **UPDATED,
    }  # fmt: skip
    assert got.content == wire({"code": 0, "data": expected})


def test_create_chat_stores_the_weight_as_sent(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    prompt = {"keywords_similarity_weight": 0.7, "top_n": 8, "opener": "Hi", "show_quote": False}
    data = client.post(CHAT, json={"knowledgebases": [{"id": dataset_id}], "name": "c", "prompt": prompt}).json()[
        "data"
    ]
    assert (data["prompt"]["keywords_similarity_weight"], data["prompt"]["top_n"]) == (0.7, 8)
    assert (data["prompt"]["opener"], data["prompt"]["show_quote"]) == ("Hi", False)
    current = client.get(f"/api/v1/chats?id={data['id']}").json()["data"][0]
    assert current["prompt"]["keywords_similarity_weight"] == pytest.approx(0.3)  # the current profile shows 1 − x


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": "x"}, b'{"code":102,"message":"knowledgebases are required"}\n'),
        ({"name": "x", "knowledgebases": ["kb1"]}, b'{"data":null,"retcode":100,"retmsg":"TypeError(\\"string indices must be integers, not \'str\'\\")"}\n'),
        ({"name": "x", "knowledgebases": [{}]}, b'{"data":null,"retcode":100,"retmsg":"KeyError(\'id\')"}\n'),
        ({"name": "x", "knowledgebases": [{"id": ""}]}, b'{"code":102,"message":"knowledgebase needs id"}\n'),
        ({"name": "x", "knowledgebases": [{"id": "nope"}]}, b'{"code":102,"message":"you do not own the knowledgebase"}\n'),
        ({"knowledgebases": "KB"}, b'{"code":102,"message":"name is required."}\n'),
        ({"name": "NEW_CHAT_1", "knowledgebases": "KB"}, b'{"code":102,"message":"Duplicated chat name in creating dataset."}\n'),
        ({"name": "y", "knowledgebases": "KB", "tenant_id": "t"}, b'{"code":102,"message":"tenant_id must not be provided."}\n'),
        ({"name": "y", "knowledgebases": "KB", "llm": {"model_name": "nope"}}, b'{"code":102,"message":"the model_name does not exist."}\n'),
    ],
)  # fmt: skip
def test_create_chat_rejections(client: TestClient, body: dict[str, Any], expected: bytes) -> None:
    _, dataset_id = create_chat(client)
    if body.get("knowledgebases") == "KB":
        body["knowledgebases"] = [{"id": dataset_id}]
    assert client.post(CHAT, json=body).content == expected


def test_update_chat(client: TestClient) -> None:
    chat_id, _ = create_chat(client)
    create_chat(client, "other")
    url = f"{CHAT}/{chat_id}"
    assert client.put(url, json={"name": "Test"}).content == b'{"code":0}\n'
    assert client.put(url, json={"name": "OTHER"}).content == (
        b'{"code":102,"message":"Duplicated chat name in updating dataset."}\n'
    )
    assert client.put(url, json={"name": ""}).content == b'{"code":102,"message":"name is not empty."}\n'
    assert client.put(url, json={"knowledgebases": []}).content == (
        b'{"code":102,"message":"knowledgebases can\'t be empty value"}\n'
    )
    assert client.put(url, json={"llm": {}}).json()["retmsg"].startswith('ValueError(\'Unrecognized field name: "llm"')
    assert client.put(f"{CHAT}/nope", json={}).content == b'{"code":102,"message":"You do not own the chat"}\n'
    assert client.put(url, json={"prompt": {"opener": "Hello"}}).content == b'{"code":0}\n'
    listed = client.get(CHAT, params={"id": chat_id}).json()["data"][0]
    assert (listed["name"], listed["prompt"]["opener"]) == ("Test", "Hello")


def test_list_chats_shows_dataset_rows_and_one_shared_prompt(client: TestClient) -> None:
    assert client.get(CHAT).content == b'{"code":102,"message":"The chat doesn\'t exist"}\n'
    first, dataset_id = create_chat(client, "a")
    second, _ = create_chat(client, "b")
    client.put(f"{CHAT}/{first}", json={"prompt": {"opener": "only a"}})
    items = client.get(CHAT, params={"page": 1, "page_size": 1024, "orderby": "create_time", "desc": "True"}).json()[
        "data"
    ]
    assert [i["id"] for i in items] == [second, first]
    assert items[0]["prompt"] == items[1]["prompt"]  # the code's shared dict: later items overwrite
    assert items[0]["prompt"]["opener"] == "only a"
    assert items[1]["knowledgebases"][0]["id"] == dataset_id and "parser_id" in items[1]["knowledgebases"][0]
    assert client.get(CHAT, params={"name": "nope"}).content == b'{"code":102,"message":"The chat doesn\'t exist"}\n'


def test_delete_chats_one_by_one(client: TestClient) -> None:
    first, _ = create_chat(client, "a")
    assert client.request("DELETE", CHAT, json={"ids": []}).content == b'{"code":102,"message":"ids are required"}\n'
    assert client.request("DELETE", CHAT, json={"ids": [first, "test_2"]}).content == (
        b'{"code":102,"message":"You don\'t own the chat test_2"}\n'
    )
    assert client.get(CHAT).content == b'{"code":102,"message":"The chat doesn\'t exist"}\n'  # the first went


# -- sessions ---------------------------------------------------------------------------------------------------
def test_create_session_with_the_seeds_example(client: TestClient) -> None:
    chat_id, _ = create_chat(client)
    got = client.post(f"{CHAT}/{chat_id}/session", json={"name": "new session"})
    expected = {"chat_id": chat_id, **STAMP, "id": got.json()["data"]["id"],
                "messages": [{"content": "Hi! I am your assistant\uff0ccan I help you?", "role": "assistant"}],
                "name": "new session", **UPDATED}  # fmt: skip
    assert got.content == wire({"code": 0, "data": expected})
    assert b"assistant\\uff0ccan" in got.content
    assert client.post(f"{CHAT}/{chat_id}/session", json={"name": ""}).content == (
        b'{"code":102,"message":"Name can not be empty."}\n'
    )
    assert (
        client.post(f"{CHAT}/nope/session", json={}).content
        == b'{"code":102,"message":"You do not own the assistant"}\n'
    )
    assert client.post(f"{CHAT}/{chat_id}/session").json()["retmsg"] == (
        "TypeError(\"'NoneType' object does not support item assignment\")"
    )


def test_list_sessions(client: TestClient) -> None:
    chat_id, _ = create_chat(client)
    url = f"{CHAT}/{chat_id}/session"
    assert client.get(url).content == b'{"code":102,"message":"The session doesn\'t exist"}\n'
    session_id = client.post(url, json={}).json()["data"]["id"]
    got = client.get(url, params={"page": 1, "page_size": 1024, "orderby": "create_time", "desc": "True"})
    item = {"chat": chat_id, **STAMP, "id": session_id,
            "messages": [{"content": "Hi! I am your assistant\uff0ccan I help you?", "role": "assistant"}],
            "name": "New session", **UPDATED}  # fmt: skip
    assert got.content == wire({"code": 0, "data": [item]})
    assert (
        client.get(f"{CHAT}/nope/session").content == b'{"code":102,"message":"You don\'t own the assistant nope."}\n'
    )


def test_update_session(client: TestClient) -> None:
    chat_id, _ = create_chat(client)
    session_id = client.post(f"{CHAT}/{chat_id}/session", json={}).json()["data"]["id"]
    url = f"{CHAT}/{chat_id}/session/{session_id}"
    assert client.put(url, json={"name": "Updated session"}).content == b'{"code":0}\n'
    assert client.get(f"{CHAT}/{chat_id}/session").json()["data"][0]["name"] == "Updated session"
    for body, message in (
        ({"name": ""}, "Name can not be empty."),
        ({"messages": []}, "Message can not be change"),
        ({"reference": []}, "Reference can not be change"),
        ({"chat_id": "other"}, "Can't change chat_id"),
    ):
        assert client.put(url, json=body).content == wire({"code": 102, "message": message})
    assert (
        client.put(url, json={"chat_id": chat_id})
        .json()["retmsg"]
        .startswith('ValueError(\'Unrecognized field name: "chat_id"')
    )
    assert (
        client.put(f"{CHAT}/{chat_id}/session/nope", json={}).content
        == b'{"code":102,"message":"Session does not exist"}\n'
    )


def test_delete_sessions_both_drafts(client: TestClient) -> None:
    chat_id, _ = create_chat(client)
    url = f"{CHAT}/{chat_id}/session"
    ids = [client.post(url, json={}).json()["data"]["id"] for _ in range(3)]
    seed_header = {"Authorization": "Bear ragflow-test-key"}  # the 10-12 seed's typo: the scheme is not checked
    assert client.request("DELETE", url, json={"ids": ["test_1", "test_2"]}, headers=seed_header).content == (
        b'{"code":102,"message":"The chat doesn\'t own the session"}\n'
    )
    assert (
        client.request("DELETE", url, json={}).content
        == b'{"code":102,"message":"`ids` is required in deleting operation"}\n'
    )
    assert client.request("DELETE", url, json={"ids": ids[:2]}).content == b'{"code":0}\n'
    assert client.delete(f"{url}/{ids[2]}").content == b'{"code":0}\n'  # the 10-11 draft's row 22
    assert client.delete(f"{url}/{ids[2]}").content == b'{"code":102,"message":"The chat doesn\'t own the session"}\n'
    assert client.request("DELETE", f"{CHAT}/nope/session", json={"ids": ["x"]}).content == (
        b'{"code":102,"message":"You don\'t own the chat"}\n'
    )


def test_list_chats_with_a_deleted_dataset(client: TestClient) -> None:
    _, dataset_id = create_chat(client)
    assert client.request("DELETE", "/api/v1/datasets", json={"ids": [dataset_id]}).json() == {"code": 0}
    assert client.get(CHAT).content == wire({"code": 102, "message": f"Don't exist the kb {dataset_id}"})
