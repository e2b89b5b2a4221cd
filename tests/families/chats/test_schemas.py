"""Request parsing of the chat and session routes: typed values, renames, and crashes kept for their stage."""

from __future__ import annotations

import re

import pytest

from mockserver.core.errors import PythonError
from mockserver.families.chats.schemas import (
    ABSENT,
    Stage,
    parse_chat_create,
    parse_chat_query,
    parse_chat_update,
    parse_ids,
    parse_session_create,
    parse_session_query,
    parse_session_update,
)


def test_create_renames_api_names_and_fills_defaults() -> None:
    """createChat: `llm`, `prompt` and `avatar` become Dialog columns in the server's dict order."""
    body = {"name": "n", "dataset_ids": ["a", "", None], "llm": {"model_name": "m", "temperature": 1}}
    body["prompt"] = {"opener": "Hi", "top_n": 2, "rerank_model": "r", "keywords_similarity_weight": 0.7}
    request = parse_chat_create(body)
    assert (request.dataset_ids, request.echoed_dataset_ids, request.model_name) == (["a"], ["a", "", None], "m")
    assert list(request.columns) == [
        "name", "kb_ids", "llm_id", "llm_setting", "vector_similarity_weight", "top_n", "rerank_id",
        "prompt_config", "description", "icon", "top_k",
    ]  # fmt: skip
    assert request.columns["llm_setting"] == {"temperature": 1}
    assert request.columns["prompt_config"] == {"prologue": "Hi"}
    assert body["llm"] == {"model_name": "m", "temperature": 1}, "the body is not mutated"
    assert parse_chat_create({"name": "n"}).echoed_dataset_ids is ABSENT


def test_create_crashes_now_or_at_their_stage() -> None:
    """createChat: body shape and `dataset_ids` crash at once; `llm` and `prompt` crashes wait for their stage."""
    with pytest.raises(PythonError, match=re.escape("'list' object has no attribute 'get'")):
        parse_chat_create([])
    with pytest.raises(PythonError, match=re.escape("'NoneType' object is not iterable")):
        parse_chat_create({"dataset_ids": None})
    model = parse_chat_create({"llm": ["model_name"]}).crash
    assert model.stage is Stage.MODEL
    assert (
        model.error is not None
        and model.error.message == "TypeError(\"'str' object cannot be interpreted as an integer\")"
    )
    model.reach(Stage.SETTINGS)
    with pytest.raises(PythonError):
        model.reach(Stage.MODEL)
    settings = parse_chat_create({"llm": {"model_name": "m"}, "prompt": 5})
    assert (settings.crash.stage, settings.model_name) == (Stage.SETTINGS, "m")
    assert parse_chat_create({"llm": "abc"}).crash.stage is Stage.SETTINGS


def test_update_keeps_the_fields_peewee_receives() -> None:
    """updateChat: renames, placeholders for the merged config and setting, unknown keys kept in order."""
    request = parse_chat_update({"foo": 1, "show_quotation": "0", "avatar": "a", "dataset_ids": ["x"], "name": 5})
    assert list(request.fields) == ["foo", "name", "do_refer", "kb_ids", "prompt_config", "llm_setting", "icon"]
    assert (request.dataset_ids, request.name, request.prompt_config, request.llm_setting) == (["x"], 5, ABSENT, ABSENT)
    assert parse_chat_update({"prompt": {"rerank_model": "r"}}).rerank_id == "r"
    assert parse_chat_update({}).dataset_ids is None


def test_queries_defer_their_page_numbers() -> None:
    """listChats, listChatSessions: filters and order read now, a bad page number kept for the paging stage."""
    query = parse_chat_query({"id": "c", "page": "2", "page_size": "5", "desc": "false", "orderby": "name"})
    assert (query.chat_id, query.paging.page, query.paging.page_size, query.paging.desc) == ("c", 2, 5, False)
    bad = parse_session_query({"page_size": "x", "user_id": "u"})
    assert (bad.user_id, bad.paging.crash.stage) == ("u", Stage.PAGING)


def test_session_bodies_and_bulk_ids() -> None:
    """createChatSession, updateChatSession, deleteChats, deleteChatSessions: body shapes as the server reads them."""
    assert parse_session_create({"name": "n"}, "c").name == "n"
    assert parse_session_create({}, "c").user_id == ""
    with pytest.raises(PythonError, match=re.escape("'NoneType' object does not support item assignment")):
        parse_session_create(None, "c")
    with pytest.raises(PythonError, match=re.escape("list indices must be integers or slices, not str")):
        parse_session_update([], "c")
    update = parse_session_update({"messages": [], "dialog_id": "other"}, "c")
    assert update.fields == {"messages": [], "dialog_id": "c"} and update.changes_messages and update.name is ABSENT
    assert (parse_ids(None), parse_ids({}), parse_ids({"ids": ["a"]})) == (None, None, ["a"])
    with pytest.raises(PythonError, match=re.escape("'str' object has no attribute 'get'")):
        parse_ids("ids")
