"""`SessionStore` rules called directly (no HTTP): open, update, listing, delete and the completion's lookup."""

from __future__ import annotations

import re

import pytest

from mockserver.core.errors import DataError, PythonError
from mockserver.families.chats.models import Chat
from mockserver.families.chats.schemas import (
    SessionCreate,
    parse_session_query,
    parse_session_update,
)
from mockserver.families.chats.sessions import Conversation, SessionStore
from mockserver.state.backend import TenantBackend


@pytest.fixture
def store(tenant: TenantBackend) -> SessionStore:
    return tenant.sessions


@pytest.fixture
def chat(tenant: TenantBackend) -> Chat:
    return tenant.chats.insert(name="c")


def test_open_needs_an_owned_chat_and_a_name(store: SessionStore, chat: Chat) -> None:
    """createChatSession: the chat's opener as the only message; chat ownership first, then the name."""
    session = store.open(chat.id, SessionCreate())
    assert (session.name, session.user_id, session.dialog_id) == ("New session", "", chat.id)
    assert session.message == [{"role": "assistant", "content": chat.prologue}]
    assert store.open(chat.id, SessionCreate(5, 7)).name == "5"
    with pytest.raises(DataError, match=re.escape("You do not own the assistant.")):
        store.open("nope", SessionCreate(""))
    with pytest.raises(DataError, match=re.escape("`name` can not be empty.")):
        store.open(chat.id, SessionCreate(None))


def test_update_rules_in_the_server_order(store: SessionStore, tenant: TenantBackend, chat: Chat) -> None:
    """updateChatSession: session, chat ownership, message/reference/name refusals, then peewee's fields."""
    session = store.open(chat.id, SessionCreate())

    def update(session_id: str, **body: object) -> None:
        store.update(chat.id, session_id, parse_session_update(body, chat.id))

    update(session.id, name="renamed", user_id="u9")
    assert (session.name, session.user_id) == ("renamed", "u9")
    with pytest.raises(DataError, match=re.escape("Session does not exist")):
        update("nope", messages=[])
    with pytest.raises(DataError, match=re.escape("`message` can not be change")):
        update(session.id, message=[], reference=[])
    with pytest.raises(DataError, match=re.escape("`reference` can not be change")):
        update(session.id, reference=[], name="")
    with pytest.raises(DataError, match=re.escape("`name` can not be empty.")):
        update(session.id, name="", bogus=1)
    with pytest.raises(PythonError) as unknown:
        update(session.id, bogus=1)
    assert unknown.value.message.startswith(
        f"ValueError('Unrecognized field name: \"bogus\" in {{\\'bogus\\': 1, \\'dialog_id\\': \\'{chat.id}\\'"
    )
    chat.status = "0"
    with pytest.raises(DataError, match=re.escape("You do not own the session")):
        update(session.id, name="x")


def test_listing_checks_ownership_before_the_page_numbers(store: SessionStore, chat: Chat) -> None:
    """listChatSessions: ownership before `int(page)`; filters never fail; order and page."""
    first = store.open(chat.id, SessionCreate("alpha", "u1"))
    store.open(chat.id, SessionCreate("beta"))
    with pytest.raises(DataError, match=re.escape("You don't own the assistant nope.")):
        store.listing("nope", parse_session_query({"page": "x"}))
    with pytest.raises(PythonError, match=re.escape("invalid literal for int")):
        store.listing(chat.id, parse_session_query({"page": "x"}))
    assert [s.name for s in store.listing(chat.id, parse_session_query({}))] == ["beta", "alpha"]
    assert store.listing(chat.id, parse_session_query({"user_id": "U1"})) == [first]
    assert store.listing(chat.id, parse_session_query({"id": "nope"})) == []
    with pytest.raises(PythonError, match=re.escape("type object 'Conversation' has no attribute 'nope'")):
        store.listing(chat.id, parse_session_query({"orderby": "nope"}))


def test_delete_hard_deletes_with_partial_results(store: SessionStore, tenant: TenantBackend, chat: Chat) -> None:
    """deleteChatSessions: ownership, partial results, duplicates, everything when `ids` is empty."""
    with pytest.raises(DataError, match=re.escape("You don't own the chat")):
        store.chat_to_clear("nope")
    owned = store.chat_to_clear(chat.id)
    a, b, _ = (store.open(chat.id, SessionCreate()) for _ in range(3))
    other = store.open(tenant.chats.insert(name="d").id, SessionCreate())
    assert store.delete(owned, [a.id, other.id]) == {
        "errors": [f"The chat doesn't own the session {other.id}"],
        "success_count": 1,
    }
    assert store.delete(owned, [b.id, b.id]) == {"errors": [f"Duplicate session ids: {b.id}"], "success_count": 1}
    assert store.delete(owned, []) is None
    assert store.of_chat(chat.id) == [] and store.items == {other.id: other}


def test_completion_lookup_and_reduced_references(store: SessionStore, chat: Chat) -> None:
    """createChatCompletion: the continued session (None opens one); listChatSessions: reduced references."""
    session = store.open(chat.id, SessionCreate())
    assert store.continued(chat, "") is None
    assert store.continued(chat, session.id) is session
    with pytest.raises(DataError, match=re.escape("You don't own the session zz")):
        store.continued(chat, "zz")
    session.message += [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "prompt": "p"}]
    session.reference = [{"chunks": [{"chunk_id": "c1", "content_with_weight": "text", "doc_id": "d"}]}]
    listed = Conversation.to_list_item(session)["messages"]
    assert "prompt" not in listed[2]
    assert listed[2]["reference"][0] == {
        "id": "c1",
        "content": "text",
        "document_id": "d",
        "document_name": None,
        "dataset_id": None,
        "image_id": None,
        "positions": None,
    }
    session.reference = []
    session.message.append({"role": "assistant", "content": "b"})
    session.reference = [{"chunks": []}]
    with pytest.raises(PythonError, match=re.escape("list index out of range")):
        session.to_list_item()
