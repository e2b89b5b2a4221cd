"""Chat and session listings from the ordered index equal a naive full sort of the rows (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from mockserver.core.errors import DataError
from mockserver.families.chats.config import CHAT_COLUMNS
from mockserver.families.chats.models import Chat
from mockserver.families.chats.schemas import ChatQuery, Paging, SessionQuery
from mockserver.families.chats.sessions import CONVERSATION_COLUMNS, Conversation
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend
from tests.support.ordering import Listing, check_listing, collated, lowered, scripts


def _chats(t: TenantBackend, orderby: str, desc: bool, page: int, size: int, **filters: Any) -> list[Chat]:
    try:
        return t.chats.listing(ChatQuery(**filters, paging=Paging(page, size, orderby, desc)))
    except DataError:  # a filter matching nothing is "The chat doesn't exist"
        return []


CHATS = Listing(
    model_name="Dialog",
    known=CHAT_COLUMNS,
    columns=Chat.columns,
    add=lambda t, i: t.chats.insert(name=f"c{i}"),
    page=_chats,
    rows=lambda t: [c for c in t.chats.items.values() if c.status == "1"],
    delete=lambda t, ids: t.chats.delete(ids),
    free=("description", "icon", "top_n", "similarity_threshold", "llm_setting", "kb_ids", "create_time"),
    texts=("name",),
    filters={
        "name": lambda t, value, orderby, desc: _chats(t, orderby, desc, 1, 1000, name=value),
        "id": lambda t, value, orderby, desc: _chats(t, orderby, desc, 1, 1000, chat_id=value),
    },
    matches={"name": collated("name"), "id": lowered("id")},
)


def _chat(t: TenantBackend) -> Chat:
    found = t.chats.by_name("host")
    return found if found is not None else t.chats.insert(name="host")


def _sessions(t: TenantBackend, orderby: str, desc: bool, page: int, size: int, **filters: Any) -> list[Conversation]:
    return t.sessions.listing(_chat(t).id, SessionQuery(**filters, paging=Paging(page, size, orderby, desc)))


SESSIONS = Listing(
    model_name="Conversation",
    known=CONVERSATION_COLUMNS,
    columns=Conversation.columns,
    add=lambda t, i: t.sessions.create(_chat(t), f"s{i}", f"u{i % 3}"),
    page=_sessions,
    rows=lambda t: [s for s in t.sessions.items.values() if s.dialog_id == _chat(t).id],
    delete=lambda t, ids: t.sessions.delete(_chat(t), ids),
    free=("create_time", "update_time", "message", "reference"),
    texts=("name", "user_id"),
    filters={
        "name": lambda t, value, orderby, desc: _sessions(t, orderby, desc, 1, 1000, name=value),
        "id": lambda t, value, orderby, desc: _sessions(t, orderby, desc, 1, 1000, session_id=value),
        "user_id": lambda t, value, orderby, desc: _sessions(t, orderby, desc, 1, 1000, user_id=value),
    },
    matches={"name": lowered("name"), "id": lowered("id"), "user_id": lowered("user_id")},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts(CHATS))
def test_chat_pages_equal_a_full_sort(script: list[tuple[Any, ...]]) -> None:
    check_listing(CHATS, Backends(Settings.for_tests()).create_tenant(), script)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts(SESSIONS))
def test_session_pages_equal_a_full_sort(script: list[tuple[Any, ...]]) -> None:
    check_listing(SESSIONS, Backends(Settings.for_tests()).create_tenant(), script)
