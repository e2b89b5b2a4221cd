"""`ChatStore` rules called directly (no HTTP): create, update, listing, delete, in the server's order of checks."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockserver.core.errors import DataError, MySQLError, PythonError, RagflowError
from mockserver.families.chats.config import DEFAULT_SYSTEM_PROMPT
from mockserver.families.chats.models import Chat, ChatStore
from mockserver.families.chats.schemas import (
    parse_chat_create,
    parse_chat_query,
    parse_chat_update,
)
from mockserver.state.backend import TenantBackend


@pytest.fixture
def store(tenant: TenantBackend) -> ChatStore:
    return tenant.chats


@pytest.fixture
def kb(tenant: TenantBackend) -> str:
    """A dataset with parsed content (the chat rules only look at `chunk_num` and the embedding model)."""
    return tenant.datasets.insert(name="kb", chunk_num=3).id


def create(store: ChatStore, **body: Any) -> Chat:
    return store.create(parse_chat_create({"dataset_ids": [], **body}))


def update(store: ChatStore, chat: Chat, **body: Any) -> None:
    store.update(chat, parse_chat_update(body))


def message(error: pytest.ExceptionInfo[RagflowError]) -> tuple[int, str]:
    return error.value.instance_code, error.value.message


# -- createChat -----------------------------------------------------------------------------------------
def test_create_fills_the_server_defaults(store: ChatStore, kb: str) -> None:
    """createChat: defaults of the Dialog row, API names mapped to columns."""
    chat = create(store, name="geo", dataset_ids=[kb, ""], avatar="pic", prompt={"opener": "Hey", "top_n": 3})
    assert (chat.kb_ids, chat.icon, chat.top_n, chat.top_k, chat.rerank_id) == ([kb], "pic", 3, 1024, "")
    assert chat.llm_id == store.tenant.llm_id
    assert chat.prompt_config["prologue"] == "Hey" and chat.prompt_config["system"] == DEFAULT_SYSTEM_PROMPT
    assert store.get(chat.id) is chat and store.get(chat.id.upper()) is chat


def test_create_checks_datasets_before_a_malformed_llm(store: ChatStore, tenant: TenantBackend) -> None:
    """createChat: a crash in `llm` is met only after the dataset checks, a bad `prompt` after the model check."""
    with pytest.raises(DataError, match=re.escape("You don't own the dataset nope")):
        create(store, name="x", dataset_ids=["nope"], llm=5)
    with pytest.raises(PythonError) as crash:
        create(store, name="x", llm=5)
    assert crash.value.message == "TypeError(\"argument of type 'int' is not iterable\")"
    with pytest.raises(DataError, match=re.escape("`model_name` gpt-x doesn't exist")):
        create(store, name="x", llm={"model_name": "gpt-x"}, prompt="opener")
    with pytest.raises(PythonError, match=re.escape("'str' object has no attribute 'pop'")):
        create(store, name="x", prompt="opener")
    empty = tenant.datasets.insert(name="empty").id
    with pytest.raises(DataError, match=re.escape(f"The dataset {empty} doesn't own parsed file")):
        create(store, name="x", dataset_ids=[empty])


def test_create_embedding_models_must_agree(store: ChatStore, tenant: TenantBackend, kb: str) -> None:
    """createChat: datasets over two embedding models are refused with 109."""
    other = tenant.datasets.insert(name="bce", embd_id="maidalun1020/bce-embedding-base_v1@Youdao", chunk_num=1)
    with pytest.raises(RagflowError) as refused:
        create(store, name="mix", dataset_ids=[kb, other.id])
    assert message(refused) == (109, 'Datasets use different embedding models."')


def test_create_name_tenant_and_rerank_rules(store: ChatStore) -> None:
    """createChat: reranker exists, name required and unique under MySQL collation, no `tenant_id`."""
    with pytest.raises(DataError, match=re.escape("`rerank_model` foo doesn't exist")):
        create(store, name="", rerank_id="foo")
    with pytest.raises(DataError, match=re.escape("`name` is required.")):
        create(store, name="")
    create(store, name="Dup")
    with pytest.raises(DataError, match=re.escape("Duplicated chat name in creating chat.")):
        create(store, name="dup ", tenant_id="t")
    with pytest.raises(DataError, match=re.escape("`tenant_id` must not be provided.")):
        create(store, name="t", tenant_id="t")


def test_create_column_values_fail_as_mysql_and_peewee_do(store: ChatStore) -> None:
    """createChat: a null NOT NULL column is MySQL's 1048, a non-number `top_n` is Python's int() crash."""
    with pytest.raises(MySQLError) as null:
        create(store, name="n", prompt_type=None)
    assert null.value.message == "1048"
    with pytest.raises(PythonError, match=re.escape("invalid literal for int")):
        create(store, name="n", top_n="many")
    with pytest.raises(PythonError, match=re.escape("'list' object has no attribute 'get'")):
        create(store, name="n", prompt_config=[])
    with pytest.raises(DataError, match=re.escape("Parameter 'knowledge' is not used")):
        create(store, name="n", prompt={"prompt": "plain"})


# -- updateChat -----------------------------------------------------------------------------------------
def test_update_merges_prompt_and_llm(store: ChatStore, kb: str) -> None:
    """updateChat: prompt and llm merge into the stored values; `show_quotation` and `avatar` are renamed."""
    chat = create(store, name="u", dataset_ids=[kb])
    update(store, chat, name="U2", llm={"temperature": 0.9}, prompt={"opener": "Yo"}, show_quotation="0", avatar="a")
    assert (chat.name, chat.do_refer, chat.icon) == ("U2", "0", "a")
    assert chat.llm_setting["temperature"] == 0.9 and chat.llm_setting["max_tokens"] == 512
    assert chat.prompt_config["prologue"] == "Yo" and chat.prompt_config["quote"] is True


def test_update_rules(store: ChatStore, kb: str) -> None:
    """updateChat: ownership, exactly one embedding model, name rules, crash order, unknown fields."""
    with pytest.raises(DataError, match=re.escape("You do not own the chat")):
        store.to_update("nope")
    chat = create(store, name="u", dataset_ids=[kb])
    create(store, name="taken")
    with pytest.raises(RagflowError, match=re.escape("Datasets use different embedding models")):
        update(store, chat, dataset_ids=[], llm=5)
    with pytest.raises(DataError, match=re.escape("`name` cannot be empty.")):
        update(store, chat, name="")
    with pytest.raises(PythonError, match=re.escape("'int' object has no attribute 'lower'")):
        update(store, chat, name=5)
    with pytest.raises(DataError, match=re.escape("Duplicated chat name in updating chat.")):
        update(store, chat, name="TAKEN")
    update(store, chat, name="U")
    with pytest.raises(PythonError) as unknown:
        update(store, chat, foo=1)
    assert unknown.value.message.startswith("ValueError('Unrecognized field name: \"foo\" in {\\'foo\\': 1, ")
    assert chat.name == "U"


# -- listChats / deleteChats ----------------------------------------------------------------------------
def test_listing_checks_the_filters_before_the_page_numbers(store: ChatStore) -> None:
    """listChats: an unmatched filter is 102 even when the page number would crash; then order and page."""
    for name in ("one", "two", "three"):
        create(store, name=name)
    with pytest.raises(DataError, match=re.escape("The chat doesn't exist")):
        store.listing(parse_chat_query({"name": "zzz", "page": "x"}))
    with pytest.raises(PythonError, match=re.escape("invalid literal for int")):
        store.listing(parse_chat_query({"name": "ONE", "page": "x"}))
    assert [c.name for c in store.listing(parse_chat_query({}))] == ["three", "two", "one"]
    assert [c.name for c in store.listing(parse_chat_query({"desc": "false", "page_size": "2"}))] == ["one", "two"]
    with pytest.raises(PythonError, match=re.escape("type object 'Dialog' has no attribute 'foo'")):
        store.listing(parse_chat_query({"orderby": "foo"}))


def test_delete_soft_deletes_with_partial_results(store: ChatStore) -> None:
    """deleteChats: soft delete (status "0"), partial results, duplicates, everything when `ids` is empty."""
    a, b, c = (create(store, name=n) for n in "abc")
    assert store.delete([a.id, "x"]) == {"errors": ["Assistant(x) not found."], "success_count": 1}
    assert (a.status, store.get(a.id)) == ("0", None)
    assert store.delete([b.id, b.id]) == {"errors": [f"Duplicate assistant ids: {b.id}"], "success_count": 1}
    with pytest.raises(DataError, match=r"Assistant\(y\) not found."):
        store.delete(["y"])
    assert store.delete(None) is None
    assert store.valid() == [] and c.status == "0"
    assert create(store, name="a").id != a.id
