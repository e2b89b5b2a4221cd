"""Profile `2024-10-draft`: chat (`/api/v1/chat`) and session (`…/session`) rules and views over the shared stores.

Chats are the current profile's `Chat` rows: the draft sends datasets as `knowledgebases: [{"id": …}]`, shows
`keywords_similarity_weight` as stored (no `1 − x`), fills its own (Chinese) prompt defaults, and opens sessions
with a fixed greeting. Every list item shares one `prompt` object (the code's bug, kept).
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.core.errors import DataError, PythonError
from mockserver.core.pagination import collation_key, loose_desc, mysql_page, order_records, python_int, table_page
from mockserver.core.python_failures import (
    gettable,
    item,
    iterate,
    keyed,
    no_attribute,
    no_item_assignment,
    not_subscriptable,
)
from mockserver.families.chats.config import (
    CHAT_COLUMNS,
    DEFAULT_LLM_SETTING,
    INTERNAL_NAMES,
    WRITABLE,
    chat_model_exists,
    check_parameters,
    check_update_fields,
    varchar,
)
from mockserver.families.chats.models import Chat
from mockserver.families.chats.sessions import CONVERSATION_COLUMNS, Conversation
from mockserver.families.dataset_2024_06.views import dataset_row
from mockserver.families.draft_2024_10.chat_views import (
    COLUMN_KEYS,
    DRAFT_PROMPT_DEFAULTS,
    SESSION_GREETING,
    chat_view,
    dialog_value,
    prompt_view,
    session_item,
    session_view,
)
from mockserver.families.draft_2024_10.service import fail
from mockserver.families.legacy.service import LegacyScope
from mockserver.state.backend import TenantBackend


class DraftChats:
    """One caller's view of chats and sessions through the draft's routes."""

    def __init__(self, scope: LegacyScope) -> None:
        self.scope = scope
        self.tenant: TenantBackend = scope.tenant

    def owned(self, chat_id: Any, message: str) -> Chat:
        """The caller's valid chat, or E(102, message)."""
        chat = self.tenant.chats.get(chat_id)
        if chat is None:
            raise fail(message)
        return chat

    # -- the request's pieces --------------------------------------------------------------------
    def _datasets(self, entries: Any) -> list[str]:
        ids = []
        for entry in iterate(entries):
            if isinstance(entry, str):
                raise PythonError("TypeError", "string indices must be integers, not 'str'")
            if not isinstance(entry, dict):
                raise not_subscriptable(entry)
            dataset_id = item(entry, "id")
            if not dataset_id:
                raise fail("knowledgebase needs id")
            if not isinstance(dataset_id, str) or self.tenant.datasets.get(dataset_id) is None:
                raise fail("you do not own the knowledgebase")
            ids.append(dataset_id)
        return ids

    def _columns(self, req: dict[str, Any]) -> dict[str, Any]:
        """`llm` and `prompt` unfolded into Dialog columns (API names → internal names, weight as sent)."""
        columns: dict[str, Any] = {}
        llm = req.get("llm")
        if llm:
            setting = dict(gettable(llm))
            if "model_name" in setting:
                columns["llm_id"] = setting.pop("model_name")
            columns["llm_setting"] = setting
        prompt = req.get("prompt")
        if prompt:
            config = {INTERNAL_NAMES.get(k, k): copy.deepcopy(v) for k, v in gettable(prompt).items()}
            for key in COLUMN_KEYS:
                if key in config:
                    columns[key] = config.pop(key)
            columns["prompt_config"] = config
        return columns

    # -- chats -----------------------------------------------------------------------------------
    def create(self, body: Any) -> dict[str, Any]:
        """draftCreateChat: `knowledgebases` objects, `llm`, `prompt`, any other Dialog column verbatim."""
        req = gettable(body)
        entries = req.get("knowledgebases")
        if not entries:
            raise fail("knowledgebases are required")
        kb_ids = self._datasets(entries)
        columns = self._columns(req)
        for key in CHAT_COLUMNS:
            if key in req and key in WRITABLE and key not in columns:
                columns[key] = copy.deepcopy(req[key])
        columns["kb_ids"] = kb_ids
        columns["icon"] = req.get("avatar") or ""
        columns.setdefault("description", "A helpful Assistant")
        if columns.get("llm_id") and not chat_model_exists(self.tenant, columns["llm_id"]):
            raise fail("the model_name does not exist.")
        columns["llm_id"] = columns.get("llm_id") or self.tenant.llm_id
        columns.setdefault("llm_setting", dict(DEFAULT_LLM_SETTING))
        name = req.get("name")
        if not name:
            raise fail("name is required.")
        if self.tenant.chats.by_name(name) is not None:
            raise fail("Duplicated chat name in creating dataset.")
        if req.get("tenant_id"):
            raise fail("tenant_id must not be provided.")
        config = dialog_value("prompt_config", columns.get("prompt_config", {}))
        for key, default in DRAFT_PROMPT_DEFAULTS.items():
            if not config.get(key):
                config[key] = copy.deepcopy(default)
        check_parameters(config)
        columns["name"] = varchar(name)
        chat = self.tenant.chats.insert(**{k: dialog_value(k, v) for k, v in columns.items()})
        chat.prompt_config = config  # exactly the draft's keys (the store's insert adds the current defaults)
        return chat_view(chat, copy.deepcopy(entries))

    def update(self, chat_id: str, body: Any) -> None:
        """draftUpdateChat: shallow merges of `prompt_config` and `llm_setting`; unknown keys crash as peewee."""
        chat = self.owned(chat_id, "You do not own the chat")
        req = dict(keyed(body, ("knowledgebases",)))
        if "knowledgebases" in req:
            if not req["knowledgebases"]:
                raise fail("knowledgebases can't be empty value")
            req["kb_ids"] = self._datasets(req.pop("knowledgebases"))
        columns = self._columns(req)
        req.pop("llm", None) if req.get("llm") else None
        req.pop("prompt", None) if req.get("prompt") else None
        if columns.get("llm_id") and not chat_model_exists(self.tenant, columns["llm_id"]):
            raise fail("the model_name does not exist.")
        if "name" in req:
            if not req["name"]:
                raise fail("name is not empty.")
            if not isinstance(req["name"], str):
                raise no_attribute(req["name"], "lower")
            renamed = req["name"].lower() != chat.name.lower()
            if renamed and self.tenant.chats.by_name(req["name"]) is not None:
                raise fail("Duplicated chat name in updating dataset.")
        config = copy.deepcopy(chat.prompt_config)
        config.update(dialog_value("prompt_config", req.pop("prompt_config", columns.pop("prompt_config", {}))))
        check_parameters(config)
        setting = copy.deepcopy(chat.llm_setting)
        setting.update(dialog_value("llm_setting", req.pop("llm_setting", columns.pop("llm_setting", {}))))
        if "avatar" in req:
            req["icon"] = req.pop("avatar")
        req.update(columns)
        req.update({"prompt_config": config, "llm_setting": setting})
        check_update_fields(req, CHAT_COLUMNS, self.tenant.clock)
        values = {key: dialog_value(key, value) for key, value in req.items() if key in WRITABLE}
        for key, value in values.items():
            setattr(chat, key, value)
        self.tenant.clock.touch(chat)

    def delete(self, body: Any) -> None:
        """draftDeleteChats: one by one; the first id not the caller's stops (earlier ones stay deleted)."""
        ids = gettable(body).get("ids")
        if not ids:
            raise fail("ids are required")
        for chat_id in iterate(ids):
            self.owned(chat_id, f"You don't own the chat {chat_id}").status = "0"

    def listing(self, query: dict[str, str]) -> list[dict[str, Any]]:
        """draftListChats: a pre-check over every chat the caller's lookups reach; one shared `prompt` object."""
        chat_id, name = query.get("id"), query.get("name")
        if not any(_chat_matches(t, chat_id, name) for t in self.scope.tenants()):
            raise fail("The chat doesn't exist")
        page, size = python_int(query.get("page"), 1), python_int(query.get("page_size"), 1024)
        orderby, desc = query.get("orderby", "create_time"), loose_desc(query.get("desc"))
        if chat_id is None and name is None:
            chats = table_page(self.tenant.chats.table, True, orderby=orderby, desc=desc, page=page,
                               page_size=size, model_name="Dialog", known=CHAT_COLUMNS)  # fmt: skip
        else:
            rows = [c for c in self.tenant.chats.valid() if _chat_match(c, chat_id, name)]
            ordered = order_records(rows, orderby, desc, "Dialog", Chat.columns, CHAT_COLUMNS)
            chats = mysql_page(ordered, page, size)
        shared: dict[str, Any] = {}
        items = []
        for chat in chats:
            rows_of = []
            for kb_id in iterate(chat.kb_ids):
                dataset = self.tenant.datasets.get(kb_id) if isinstance(kb_id, str) else None
                if dataset is None:
                    raise fail(f"Don't exist the kb {kb_id}")
                rows_of.append(dataset_row(dataset))
            prompt_view(chat, shared)
            items.append(chat_view(chat, rows_of, shared))
        return items

    # -- sessions --------------------------------------------------------------------------------
    def open_session(self, chat_id: str, body: Any) -> dict[str, Any]:
        """draftCreateSession: a session whose first message is the fixed greeting."""
        if not isinstance(body, dict):
            raise no_item_assignment(body)
        chat = self.owned(chat_id, "You do not own the assistant")
        name = body.get("name", "New session")
        if not name:
            raise fail("Name can not be empty.")
        session = self.tenant.sessions.create(chat, name)
        session.message = [{"role": "assistant", "content": SESSION_GREETING}]
        return session_view(session)

    def sessions(self, chat_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
        """draftListSessions: a session matching `id`/`name` must exist (also without filters)."""
        self.owned(chat_id, f"You don't own the assistant {chat_id}.")
        wanted_id, name = query.get("id"), query.get("name")
        store = self.tenant.sessions
        page, size = python_int(query.get("page"), 1), python_int(query.get("page_size"), 1024)
        orderby, desc = query.get("orderby", "create_time"), loose_desc(query.get("desc"))
        if wanted_id is None and name is None:
            if not store.table.count(chat_id):
                raise fail("The session doesn't exist")
            found = table_page(store.table, chat_id, orderby=orderby, desc=desc, page=page, page_size=size,
                               model_name="Conversation", known=CONVERSATION_COLUMNS)  # fmt: skip
            return [session_item(s) for s in found]
        rows = [
            s
            for s in store.of_chat(chat_id)
            if (wanted_id is None or s.id == wanted_id) and (name is None or s.name == name)
        ]
        if not rows:
            raise fail("The session doesn't exist")
        ordered = order_records(rows, orderby, desc, "Conversation", Conversation.columns, CONVERSATION_COLUMNS)
        return [session_item(s) for s in mysql_page(ordered, page, size)]

    def delete_sessions(self, chat_id: str, ids: Any) -> None:
        """draftDeleteSessions: one by one; the first id not of this chat stops."""
        self.owned(chat_id, "You don't own the chat")
        if not ids:
            raise fail("`ids` is required in deleting operation")
        store = self.tenant.sessions
        for session_id in iterate(ids):
            session = store.get(session_id, chat_id)
            if session is None:
                raise fail("The chat doesn't own the session")
            store.table.pop(session.id)

    def rename_session(self, chat_id: str, session_id: str, body: Any) -> None:
        """draftUpdateSession: only `name` changes; the body is written as peewee would (unknown keys crash)."""
        req = dict(keyed(body, ("dialog_id", "chat_id")))
        for key in ("dialog_id", "chat_id"):
            if key in req and req[key] != chat_id:
                raise fail("Can't change chat_id")
        session = self.tenant.sessions.get(session_id, chat_id)
        if session is None:
            raise fail("Session does not exist")
        self.owned(chat_id, "You do not own the session")
        if "message" in req or "messages" in req:
            raise fail("Message can not be change")
        if "reference" in req:
            raise fail("Reference can not be change")
        if "name" in req and not req["name"]:
            raise fail("Name can not be empty.")
        req["dialog_id"] = chat_id
        check_update_fields(req, CONVERSATION_COLUMNS, self.tenant.clock)
        if "name" in req:
            session.name = req["name"]
        self.tenant.sessions.touch(session)

    def session_for_answer(self, chat_id: str, session_id: str) -> tuple[Chat, Conversation]:
        """draftConverse: the session of this chat, then the caller's chat."""
        session = self.tenant.sessions.get(session_id, chat_id)
        if session is None:
            raise fail("Session does not exist")
        return self.owned(chat_id, "You do not own the session"), session


def _chat_match(chat: Chat, chat_id: str | None, name: str | None) -> bool:
    if chat_id is not None and chat.id != chat_id:
        return False
    return name is None or collation_key(chat.name) == collation_key(name)


def _chat_matches(tenant: TenantBackend, chat_id: str | None, name: str | None) -> bool:
    store = tenant.chats
    if chat_id is None and name is None:
        return store.table.count(True) > 0
    if chat_id is not None:
        found = store.get(chat_id)
        return found is not None and _chat_match(found, chat_id, name)
    return store.by_name(name) is not None


def check_question(req: dict[str, Any]) -> Any:
    """T24: a falsy `question` is E(102)."""
    question = req.get("question")
    if not question:
        raise DataError("Please input your question.")
    return question
