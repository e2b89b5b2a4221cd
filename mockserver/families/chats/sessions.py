"""Chat sessions: the `Conversation` record and `SessionStore`, the rules behind `/api/v1/chats/{id}/sessions`."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from mockserver.core.bulk import bulk_delete
from mockserver.core.columns import fit_varchar
from mockserver.core.errors import DataError
from mockserver.core.indexes import Indexed, Key, Table
from mockserver.core.pagination import mysql_page, order_records, table_page
from mockserver.core.python_failures import python_semantics
from mockserver.core.tenancy import TenantContext
from mockserver.families.chats.config import check_update_fields, varchar
from mockserver.families.chats.models import Chat, ChatStore
from mockserver.families.chats.schemas import ABSENT, SessionCreate, SessionQuery, SessionUpdate, Stage

CONVERSATION_COLUMNS = (
    "id",
    "dialog_id",
    "name",
    "message",
    "reference",
    "user_id",
    "create_time",
    "create_date",
    "update_time",
    "update_date",
)
"""The Conversation table's columns."""

_REFERENCE_FIELDS = (
    ("id", "chunk_id", "id"),
    ("content", "content_with_weight", "content"),
    ("document_id", "doc_id", "document_id"),
    ("document_name", "docnm_kwd", "document_name"),
    ("dataset_id", "kb_id", "dataset_id"),
    ("image_id", "image_id", "img_id"),
    ("positions", "positions", "position_int"),
)
"""List-view chunk key ← (internal name, API name) the value is read from."""


class SessionTenant(TenantContext, Protocol):
    """What `SessionStore` uses of its tenant: the chats the sessions belong to."""

    chats: ChatStore


@dataclass
class Conversation(Indexed):
    """One chat session row: messages and one reference entry per answered question."""

    id: str
    dialog_id: str
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    name: str | None = "New session"
    message: list[dict[str, Any]] = field(default_factory=list)
    reference: list[Any] = field(default_factory=list)
    user_id: Any = ""

    def columns(self) -> dict[str, Any]:
        """Column → value (what `orderby` sorts on)."""
        return asdict(self)

    def to_api(self) -> dict[str, Any]:
        """The create-response shape (`messages`, `chat_id`, no `reference`)."""
        return {
            "chat_id": self.dialog_id,
            "create_date": self.create_date,
            "create_time": self.create_time,
            "id": self.id,
            "messages": copy.deepcopy(self.message),
            "name": self.name,
            "update_date": self.update_date,
            "update_time": self.update_time,
            "user_id": self.user_id,
        }

    def to_list_item(self) -> dict[str, Any]:
        """The list shape: messages without `prompt`, answers carrying their reduced reference chunks."""
        item = self.to_api()
        messages: list[dict[str, Any]] = item["messages"]
        for message in messages:
            message.pop("prompt", None)
        if self.reference:
            entry = 0
            for message in messages[1:]:
                if message.get("role") == "user":
                    continue
                with python_semantics():
                    stored = self.reference[entry]
                message["reference"] = reduced_chunks(stored)
                entry += 1
        return item


def reduced_chunks(reference: Any) -> list[dict[str, Any]]:
    """A stored reference entry as the session list shows it: 7 keys per chunk, from internal or API names."""
    chunks = reference.get("chunks", []) if isinstance(reference, dict) else []
    reduced = []
    for chunk in chunks if isinstance(chunks, list) else []:
        if not isinstance(chunk, dict):
            continue
        reduced.append({key: chunk.get(internal, chunk.get(api)) for key, internal, api in _REFERENCE_FIELDS})
    return reduced


SESSION_KEYS = {
    "id": Key(("id",), lambda s: str(s.id).lower()),
    "name": Key(("dialog_id", "name"), lambda s: (s.dialog_id, str(s.name).lower())),
    "user_id": Key(("dialog_id", "user_id"), lambda s: (s.dialog_id, str(s.user_id).lower())),
}
"""The session table's maps: the list filters (`str(column).lower()` equality) within a chat."""
OF_CHAT = Key(("dialog_id",), lambda s: s.dialog_id)
"""Sessions are listed per chat."""


class SessionStore:
    """A tenant's chat sessions (hard-deleted; they survive the deletion of their chat)."""

    def __init__(self, tenant: SessionTenant) -> None:
        self.tenant = tenant
        self.items: dict[str, Conversation] = {}
        self.table: Table[Conversation] = Table(lambda: self.items, SESSION_KEYS, OF_CHAT)

    def get(self, session_id: Any, chat_id: str) -> Conversation | None:
        """The session with this id if it belongs to `chat_id`."""
        if not isinstance(session_id, str):
            return None
        found = self.items.get(session_id) or self.items.get(session_id.lower())
        return found if found is not None and found.dialog_id == chat_id else None

    def of_chat(self, chat_id: str) -> list[Conversation]:
        """Sessions of a chat in creation order."""
        return self.table.members(chat_id)

    def create(
        self,
        chat: Chat,
        name: Any = "New session",
        user_id: Any = "",
        *,
        created_at: bool = False,
        session_id: str | None = None,
    ) -> Conversation:
        """Save a session whose only message is the chat's opener (`created_at` on it when made by a completion;
        `session_id` when the client chose the id, as the web UI does)."""
        opener: dict[str, Any] = {"role": "assistant", "content": chat.prologue}
        if created_at:
            opener["created_at"] = self.tenant.clock.now()
        clock = self.tenant.clock
        now = clock.now()
        session = Conversation(
            id=session_id or self.tenant.ids.entity(),
            dialog_id=chat.id,
            name=fit_varchar("name", varchar(name)),
            message=[opener],
            reference=[],
            user_id=fit_varchar("user_id", varchar(user_id)),
            create_time=clock.epoch_ms(now),
            create_date=clock.http_date(now),
            update_time=clock.epoch_ms(now),
            update_date=clock.http_date(now),
        )
        self.table.put(session.id, session)
        return session

    def open(self, chat_id: str, request: SessionCreate) -> Conversation:
        """createChatSession: a new session of an owned chat; its name must not be empty."""
        chat = self.tenant.chats.owned(chat_id, "You do not own the assistant.")
        if not request.name:
            raise DataError("`name` can not be empty.")
        return self.create(chat, request.name, request.user_id)

    def continued(self, chat: Chat, session_id: Any) -> Conversation | None:
        """createChatCompletion: the session a question continues (None when none is named, a new one opens)."""
        if not session_id:
            return None
        session = self.get(session_id, chat.id)
        if session is None:
            raise DataError(f"You don't own the session {session_id}")
        return session

    def touch(self, session: Conversation) -> None:
        """Move `update_time/update_date` to now (every save does)."""
        self.tenant.clock.touch(session)

    def update(self, chat_id: str, session_id: str, request: SessionUpdate) -> None:
        """updateChatSession: rename a session or change its user id, in the server's order of checks."""
        session = self.get(session_id, chat_id)
        if session is None:
            raise DataError("Session does not exist")
        self.tenant.chats.owned(chat_id, "You do not own the session")
        if request.changes_messages:
            raise DataError("`message` can not be change")
        if request.changes_reference:
            raise DataError("`reference` can not be change")
        if request.name is not ABSENT and not request.name:
            raise DataError("`name` can not be empty.")
        check_update_fields(request.fields, CONVERSATION_COLUMNS, self.tenant.clock)
        written = {k: fit_varchar(k, varchar(request.fields[k])) for k in ("name", "user_id") if k in request.fields}
        for key, value in written.items():
            setattr(session, key, value)
        self.touch(session)

    def listing(self, chat_id: str, query: SessionQuery) -> list[Conversation]:
        """listChatSessions: an owned chat's sessions filtered by id/name/user_id, ordered and paged (no error for
        unmatched filters)."""
        self.tenant.chats.owned(chat_id, f"You don't own the assistant {chat_id}.")
        paging = query.paging
        paging.crash.reach(Stage.PAGING)
        filters = ((query.session_id, "id"), (query.name, "name"), (query.user_id, "user_id"))
        if not any(wanted for wanted, _ in filters):
            return table_page(
                self.table,
                chat_id,
                orderby=paging.orderby,
                desc=paging.desc,
                page=paging.page,
                page_size=paging.page_size,
                model_name="Conversation",
                known=CONVERSATION_COLUMNS,
            )
        if query.session_id:
            matches = [s for s in self.table.find("id", query.session_id.lower()) if s.dialog_id == chat_id]
        elif query.name:
            matches = self.table.find("name", (chat_id, query.name.lower()))
        else:
            matches = self.table.find("user_id", (chat_id, str(query.user_id).lower()))
        for wanted, column in filters:
            if wanted:
                matches = [s for s in matches if str(getattr(s, column)).lower() == wanted.lower()]
        ordered = order_records(
            matches, paging.orderby, paging.desc, "Conversation", Conversation.columns, CONVERSATION_COLUMNS
        )
        return mysql_page(ordered, paging.page, paging.page_size)

    def chat_to_clear(self, chat_id: str) -> Chat:
        """deleteChatSessions: the owned chat whose sessions go (checked before the body is read), or 102."""
        return self.tenant.chats.owned(chat_id, "You don't own the chat")

    def delete(self, chat: Chat, ids: Any) -> dict[str, Any] | None:
        """deleteChatSessions: hard-delete sessions of a chat (all of them when `ids` is falsy); partial results."""

        def remove(session: Conversation) -> None:
            self.table.pop(session.id)

        return bulk_delete(
            ids,
            "session",
            lambda: [s.id for s in self.of_chat(chat.id)],
            lambda target: self.get(target, chat.id),
            remove,
            "The chat doesn't own the session {}".format,
        )
