"""Chat assistants: every case of reference §2 with the exact code and message."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.families.chats.config import DEFAULT_SYSTEM_PROMPT
from tests.support.chatkit import chat_ok, create_chat, parsed_dataset
from tests.support.knowledge import API, create_dataset, tenant_of

CREATE_KEYS = {
    "avatar",
    "create_date",
    "create_time",
    "dataset_ids",
    "description",
    "do_refer",
    "id",
    "language",
    "llm",
    "name",
    "prompt",
    "prompt_type",
    "status",
    "tenant_id",
    "update_date",
    "update_time",
}


def error(body: Any) -> tuple[int, str]:
    return body["code"], body["message"]


@pytest.fixture
def kb(client: TestClient) -> str:
    return parsed_dataset(client)


# -- create ----------------------------------------------------------------------------------------
def test_create_chat_defaults(client: TestClient, kb: str) -> None:
    """createChat: the reply's keys and every default (llm setting, prompt in API names)."""
    body = create_chat(client, "helper", [kb])
    assert body["code"] == 0
    data = body["data"]
    assert set(data) == CREATE_KEYS
    assert data["dataset_ids"] == [kb]
    assert data["description"] == "A helpful Assistant"
    assert (data["avatar"], data["do_refer"], data["status"], data["prompt_type"]) == ("", "1", "1", "simple")
    assert data["llm"] == {
        "frequency_penalty": 0.7,
        "max_tokens": 512,
        "model_name": "qwen-plus@Tongyi-Qianwen",
        "presence_penalty": 0.4,
        "temperature": 0.1,
        "top_p": 0.3,
    }
    assert data["prompt"] == {
        "empty_response": "Sorry! No relevant content was found in the knowledge base!",
        "keywords_similarity_weight": 0.7,
        "opener": "Hi! I'm your assistant, what can I do for you?",
        "prompt": DEFAULT_SYSTEM_PROMPT,
        "refine_multiturn": True,
        "rerank_model": "",
        "show_quote": True,
        "similarity_threshold": 0.2,
        "top_n": 6,
        "tts": False,
        "variables": [{"key": "knowledge", "optional": False}],
    }


def test_keywords_weight_round_trips_as_one_minus_input(client: TestClient) -> None:
    """createChat, listChats: `keywords_similarity_weight` is stored as 1 - weight; `top_k` only in the list."""
    data = create_chat(client, "w", [], prompt={"keywords_similarity_weight": 0.7, "top_k": 99})["data"]
    assert data["prompt"]["keywords_similarity_weight"] == 0.30000000000000004
    assert "top_k" not in data and "top_k" not in data["prompt"]
    listed = client.get(f"{API}/chats", params={"id": data["id"]}).json()["data"][0]
    assert listed["top_k"] == 99


def test_llm_model_name_replaces_the_default_setting(client: TestClient) -> None:
    """createChat: `llm.model_name` picks the model, the rest of `llm` replaces the default setting."""
    data = create_chat(client, "m", [], llm={"model_name": "qwen-plus@Tongyi-Qianwen"})["data"]
    assert data["llm"] == {"model_name": "qwen-plus@Tongyi-Qianwen"}
    sdk_default = {"model_name": None, "temperature": 0.5}
    assert create_chat(client, "n", [], llm=sdk_default)["data"]["llm"] == {
        "model_name": "qwen-plus@Tongyi-Qianwen",
        "temperature": 0.5,
    }
    assert error(create_chat(client, "o", [], llm={"model_name": "gpt-x"})) == (102, "`model_name` gpt-x doesn't exist")


def test_create_body_and_dataset_errors(client: TestClient, other_client: TestClient, kb: str) -> None:
    """createChat: body crashes, dataset ownership and parsed-content checks; empty ids are skipped."""
    assert error(client.post(f"{API}/chats").json()) == (
        100,
        "AttributeError(\"'NoneType' object has no attribute 'get'\")",
    )
    nulls = client.post(f"{API}/chats", json={"name": "x", "dataset_ids": None}).json()
    assert error(nulls) == (100, "TypeError(\"'NoneType' object is not iterable\")")
    assert error(create_chat(client, "x", ["nope"])) == (102, "You don't own the dataset nope")
    foreign = parsed_dataset(other_client, "theirs")
    assert error(create_chat(client, "x", [foreign])) == (102, f"You don't own the dataset {foreign}")
    empty = create_dataset(client, "empty")["id"]
    assert error(create_chat(client, "x", [empty])) == (102, f"The dataset {empty} doesn't own parsed file")
    assert create_chat(client, "skips-empty-ids", ["", kb])["data"]["dataset_ids"] == ["", kb]


def test_datasets_with_different_embedding_models(client: TestClient, kb: str) -> None:
    """createChat: datasets with two embedding models are refused with 109."""
    other = tenant_of(client).datasets.insert(
        name="bce", embd_id="maidalun1020/bce-embedding-base_v1@Youdao", chunk_num=1
    )
    body = create_chat(client, "mix", [kb, other.id])
    assert body == {"code": 109, "message": 'Datasets use different embedding models."'}


def test_create_name_rules(client: TestClient) -> None:
    """createChat: name required and unique (MySQL collation), no `tenant_id`, known reranker."""
    assert error(create_chat(client, "", [])) == (102, "`name` is required.")
    assert error(client.post(f"{API}/chats", json={"dataset_ids": []}).json()) == (102, "`name` is required.")
    chat_ok(client, "Dup")
    assert error(create_chat(client, "dup ", [])) == (102, "Duplicated chat name in creating chat.")
    assert error(create_chat(client, "t", [], tenant_id="x")) == (102, "`tenant_id` must not be provided.")
    assert error(create_chat(client, "r", [], prompt={"rerank_model": "foo"})) == (
        102,
        "`rerank_model` foo doesn't exist",
    )
    assert create_chat(client, "r2", [], prompt={"rerank_model": "BAAI/bge-reranker-v2-m3"})["code"] == 0


def test_prompt_variables_must_be_used(client: TestClient) -> None:
    """createChat: non-optional prompt variables must appear in the system prompt."""
    custom = {"prompt": "Answer briefly."}
    assert error(create_chat(client, "p", [], prompt=custom)) == (102, "Parameter 'knowledge' is not used")
    optional = {"prompt": "Answer briefly.", "variables": [{"key": "knowledge", "optional": True}]}
    assert create_chat(client, "p", [], prompt=optional)["data"]["prompt"]["prompt"] == "Answer briefly."
    no_flag = {"variables": [{"key": "knowledge"}]}
    assert error(create_chat(client, "q", [], prompt=no_flag)) == (100, "KeyError('optional')")
    lang = {
        "prompt": "{knowledge} in {lang}",
        "variables": [{"key": "knowledge", "optional": False}, {"key": "lang", "optional": False}],
    }
    assert create_chat(client, "v", [], prompt=lang)["code"] == 0
    empty_system = create_chat(client, "s", [], prompt={"prompt": "", "empty_response": ""})["data"]["prompt"]
    assert (empty_system["prompt"], empty_system["empty_response"]) == (DEFAULT_SYSTEM_PROMPT, "")


def test_missing_dataset_ids_creates_the_chat_but_answers_key_error(client: TestClient) -> None:
    """createChat: without `dataset_ids` the chat is saved, then the reply is KeyError."""
    body = client.post(f"{API}/chats", json={"name": "ghost"}).json()
    assert error(body) == (100, "KeyError('dataset_ids')")
    assert [c["name"] for c in client.get(f"{API}/chats").json()["data"]] == ["ghost"]


# -- update ----------------------------------------------------------------------------------------
def test_update_chat(client: TestClient, kb: str) -> None:
    """updateChat, listChats: name, llm setting and prompt merge into the stored chat."""
    chat_id = chat_ok(client, "u", [kb])
    reply = client.put(
        f"{API}/chats/{chat_id}",
        json={"name": "U2", "llm": {"temperature": 0.9}, "prompt": {"opener": "Yo"}, "show_quotation": "0"},
    ).json()
    assert reply == {"code": 0}
    item = client.get(f"{API}/chats", params={"id": chat_id}).json()["data"][0]
    assert item["name"] == "U2"
    assert item["llm"]["temperature"] == 0.9 and item["llm"]["max_tokens"] == 512
    assert item["prompt"]["opener"] == "Yo" and item["prompt"]["show_quote"] is True
    assert item["do_refer"] == "0"


def test_update_errors(client: TestClient, other_client: TestClient, kb: str) -> None:
    """updateChat: ownership, datasets, name, model, variables and peewee's unknown-field crash."""
    chat_id = chat_ok(client, "u", [kb])
    chat_ok(client, "taken")
    url = f"{API}/chats/{chat_id}"
    assert error(other_client.put(url, json={"name": "x"}).json()) == (102, "You do not own the chat")
    assert error(client.put(f"{API}/chats/nope", json={}).json()) == (102, "You do not own the chat")
    assert error(client.put(url, json={"dataset_ids": []}).json()) == (109, 'Datasets use different embedding models."')
    assert error(client.put(url, json={"dataset_ids": [""]}).json()) == (102, "You don't own the dataset ")
    assert error(client.put(url, json={"name": ""}).json()) == (102, "`name` cannot be empty.")
    assert error(client.put(url, json={"name": "TAKEN"}).json()) == (102, "Duplicated chat name in updating chat.")
    assert client.put(url, json={"name": "U"}).json() == {"code": 0}
    assert error(client.put(url, json={"llm": {"model_name": "nope"}}).json()) == (
        102,
        "`model_name` nope doesn't exist",
    )
    assert error(client.put(url, json={"prompt": {"prompt": "plain"}}).json()) == (
        102,
        "Parameter 'knowledge' is not used",
    )
    code, message = error(client.put(url, json={"foo": 1}).json())
    assert code == 100
    assert message.startswith("ValueError('Unrecognized field name: \"foo\" in {\\'foo\\': 1, ")
    assert message.endswith("\\'update_date\\': datetime.datetime(2025, 5, 9, 19, 17, 8)}.')")
    assert error(client.put(url).json()) == (100, "AttributeError(\"'NoneType' object has no attribute 'get'\")")


# -- list ------------------------------------------------------------------------------------------
def test_list_chats_shape_and_filters(client: TestClient, other_client: TestClient, kb: str) -> None:
    """listChats: the list shape, filters, order, paging and their errors."""
    first = chat_ok(client, "one", [kb])
    chat_ok(client, "two")
    items = client.get(f"{API}/chats").json()["data"]
    assert [i["name"] for i in items] == ["two", "one"]
    listed = next(i for i in items if i["id"] == first)
    assert "dataset_ids" not in listed
    assert listed["datasets"][0]["id"] == kb and listed["datasets"][0]["chunk_num"] > 0
    assert {"embd_id", "parser_id", "doc_num", "created_by"} <= set(listed["datasets"][0])
    assert listed["top_k"] == 1024
    assert [i["name"] for i in client.get(f"{API}/chats", params={"desc": "false"}).json()["data"]] == ["one", "two"]
    assert [i["name"] for i in client.get(f"{API}/chats", params={"name": "ONE"}).json()["data"]] == ["one"]
    assert client.get(f"{API}/chats", params={"page": 2, "page_size": 1}).json()["data"][0]["name"] == "one"
    assert error(client.get(f"{API}/chats", params={"name": "zzz"}).json()) == (102, "The chat doesn't exist")
    assert error(client.get(f"{API}/chats", params={"id": first, "name": "two"}).json()) == (
        102,
        "The chat doesn't exist",
    )
    assert error(client.get(f"{API}/chats", params={"orderby": "foo"}).json()) == (
        100,
        "AttributeError(\"type object 'Dialog' has no attribute 'foo'\")",
    )
    assert error(client.get(f"{API}/chats", params={"page": "x"}).json()) == (
        100,
        "ValueError(\"invalid literal for int() with base 10: 'x'\")",
    )
    assert other_client.get(f"{API}/chats").json() == {"code": 0, "data": []}
    assert error(other_client.get(f"{API}/chats", params={"id": first}).json()) == (102, "The chat doesn't exist")


# -- delete ----------------------------------------------------------------------------------------
def test_delete_chats(client: TestClient, other_client: TestClient) -> None:
    """deleteChats: partial results, duplicates, misses, delete-all and the freed name."""
    a, b = chat_ok(client, "a"), chat_ok(client, "b")
    c = chat_ok(client, "c")
    assert error(other_client.request("DELETE", f"{API}/chats", json={"ids": [a]}).json()) == (
        102,
        f"Assistant({a}) not found.",
    )
    partial = client.request("DELETE", f"{API}/chats", json={"ids": [a, "x"]}).json()
    assert partial == {"code": 0, "data": {"errors": ["Assistant(x) not found."], "success_count": 1}}
    dup = client.request("DELETE", f"{API}/chats", json={"ids": [b, b]}).json()
    assert dup == {"code": 0, "data": {"errors": [f"Duplicate assistant ids: {b}"], "success_count": 1}}
    assert error(client.request("DELETE", f"{API}/chats", json={"ids": [a, "y"]}).json()) == (
        102,
        f"Assistant({a}) not found.; Assistant(y) not found.",
    )
    assert chat_ok(client, "a") != a  # a deleted chat's name is free again
    assert client.request("DELETE", f"{API}/chats").json() == {"code": 0}
    assert client.get(f"{API}/chats").json() == {"code": 0, "data": []}
    assert error(client.put(f"{API}/chats/{c}", json={"name": "z"}).json()) == (102, "You do not own the chat")
