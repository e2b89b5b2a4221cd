"""The v0.7.0 conversation rules, driven without HTTP (`families/legacy_2024_05/conversations.py`)."""

from __future__ import annotations

import pytest

from mockserver.core.errors import DataError, PythonError
from mockserver.core.validation import validate_model
from mockserver.families.chats.engine import ChatFailure
from mockserver.families.chats.schemas import parse_chat_create
from mockserver.families.datasets.schemas import CreateDatasetBody
from mockserver.families.legacy_2024_05.conversations import (
    CONVERSATION_COLUMNS,
    check_last_from_user,
    client_messages,
    new_conversation,
    read_conversation,
)
from mockserver.state.backend import TenantBackend


def chat_key(tenant: TenantBackend) -> object:
    tenant.datasets.create(validate_model(CreateDatasetBody, {"name": "kb"}))
    chat = tenant.chats.create(parse_chat_create({"name": "bot", "dataset_ids": []}))
    return tenant.backends.add_token(tenant, "ragflow-v07", dialog_id=chat.id)


def test_new_conversation_is_the_13_column_row_with_the_prologue(tenant: TenantBackend) -> None:
    """v07NewConversation."""
    key = chat_key(tenant)
    row = new_conversation(tenant, key, "u")  # type: ignore[arg-type]
    assert tuple(row) == CONVERSATION_COLUMNS and row["round"] == 0 and row["user_id"] == "u"
    assert row["message"] == [{"role": "assistant", "content": tenant.chats.items[row["dialog_id"]].prologue}]
    assert tenant.agent_sessions.get(row["id"]).source is None  # type: ignore[union-attr]


def test_new_conversation_needs_a_bound_chat_with_a_prologue(tenant: TenantBackend) -> None:
    """v07NewConversation: no chat → Dialog not found; a chat without the key → KeyError('prologue')."""
    unbound = tenant.backends.add_token(tenant, "ragflow-plain")
    with pytest.raises(DataError, match=r"^Dialog not found$"):
        new_conversation(tenant, unbound, "")
    key = chat_key(tenant)
    chat = tenant.chats.items[key.dialog_id]  # type: ignore[attr-defined]
    chat.prompt_config = {k: v for k, v in chat.prompt_config.items() if k != "prologue"}
    with pytest.raises(PythonError, match=r"KeyError\('prologue'\)"):
        new_conversation(tenant, key, "")  # type: ignore[arg-type]


def test_read_conversation_searches_every_tenant(tenant: TenantBackend) -> None:
    """v07GetConversation: no key, so any tenant's conversation is found; unknown ids are R2."""
    key = chat_key(tenant)
    row = new_conversation(tenant, key, "")  # type: ignore[arg-type]
    other = tenant.backends.create_tenant()
    assert other.agent_sessions.get(row["id"]) is None
    assert read_conversation(tenant.backends, row["id"])["id"] == row["id"]
    with pytest.raises(DataError, match="Conversation not found!"):
        read_conversation(tenant.backends, "nope")


def test_client_messages_drop_system_and_leading_assistant_messages() -> None:
    """v07Completion's `msg`: role + content only, crashes as Python for malformed input."""
    messages = [
        {"role": "system", "content": "s"},
        {"role": "assistant", "content": "hi"},
        {"role": "user", "content": "q", "id": "x"},
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "q2"},
    ]
    assert client_messages(messages) == [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a"},
        {"role": "user", "content": "q2"},
    ]
    with pytest.raises(PythonError, match="IndexError"):
        client_messages([{"role": "assistant", "content": "hi"}])
    with pytest.raises(PythonError, match=r"KeyError\('content'\)"):
        client_messages([{"role": "user"}])
    with pytest.raises(PythonError, match="not iterable"):
        client_messages(3)
    with pytest.raises(ChatFailure, match="not from user"):
        check_last_from_user([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}])
