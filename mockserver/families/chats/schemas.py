"""Request parsing of the chat and session routes: raw JSON and query strings → the typed values the stores take.

The real server runs its checks on the raw body as it goes, so a malformed body crashes where its code reaches
the bad value — sometimes after a check against stored data. A parser reads the whole request up front in the
server's order; a crash before the first stored-data check is raised at once, a later one is kept as a `Crash`
with its `Stage`, and the store raises it when its flow reaches that stage (`crash.reach(stage)`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.core.errors import PythonError
from mockserver.core.pagination import loose_desc, page_numbers
from mockserver.core.python_failures import (
    bad_index,
    contains,
    gettable,
    iterate,
    no_attribute,
    no_item_assignment,
    python_semantics,
)
from mockserver.families.chats.config import INTERNAL_NAMES, PROMPT_COLUMNS, WRITABLE


class Absent(enum.Enum):
    """A key the request does not carry (distinct from JSON null)."""

    KEY = "absent"


ABSENT = Absent.KEY


class Stage(enum.Enum):
    """Where in the server's flow a value parsed late crashes."""

    MODEL = "reading `llm` (after the dataset checks)"
    SETTINGS = "moving `llm` to `llm_setting` and renaming `prompt` (after the model check, before the rerank check)"
    PAGING = "`int(page)`, `int(page_size)` (after the existence or ownership check of a listing)"


@dataclass(frozen=True)
class Crash:
    """The exception a malformed request meets later in the server's flow (none by default)."""

    stage: Stage | None = None
    error: PythonError | None = None

    def reach(self, stage: Stage) -> None:
        """Raise the request's crash if the server meets it at `stage`."""
        if self.error is not None and self.stage is stage:
            raise self.error


# -- chats -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChatCreate:
    """A `createChat` body as the server's `create` holds it before saving (stored-data checks not yet run)."""

    dataset_ids: list[Any]
    """The truthy `dataset_ids` entries, in request order (any JSON value; non-strings are not owned)."""
    echoed_dataset_ids: Any = ABSENT
    """The body's `dataset_ids` as sent (the reply copies it; ABSENT: the server's KeyError after saving)."""
    columns: dict[str, Any] = field(default_factory=dict)
    """Writable Dialog columns the body sets (API names renamed, defaults filled), in the server's dict order."""
    model_name: Any = ABSENT
    """`llm.model_name` when the body names one (None picks the tenant's default)."""
    tenant_id: Any = None
    crash: Crash = Crash()


@dataclass(frozen=True)
class ChatUpdate:
    """An `updateChat` body as the server's `update` holds it (stored-data checks and merges not yet run)."""

    dataset_ids: list[Any] | None
    """The new datasets (None: unchanged)."""
    fields: dict[str, Any] = field(default_factory=dict)
    """What peewee's `update(**req)` receives, in the server's order; `prompt_config` and `llm_setting` hold
    places for the merged values (unknown keys stay: the server fails on them)."""
    model_name: Any = ABSENT
    name: Any = ABSENT
    prompt_config: Any = ABSENT
    """Merged into the stored config (ABSENT: unchanged)."""
    llm_setting: Any = ABSENT
    """Merged into the stored setting (ABSENT: unchanged)."""
    crash: Crash = Crash()

    @property
    def rerank_id(self) -> Any:
        """The reranker the update names (top-level `rerank_id` or `prompt.rerank_model`), None if none."""
        return self.fields.get("rerank_id")


def parse_chat_create(body: Any) -> ChatCreate:
    """createChat: read the body in the server's order (a non-object or non-list `dataset_ids` crashes now)."""
    req = dict(gettable(body))
    echoed = req.get("dataset_ids", ABSENT)
    ids = [i for i in iterate(req.get("dataset_ids", [])) if i]
    req["kb_ids"] = ids
    model_name, crash = _read_llm_and_prompt(req)
    if crash.error is not None:
        return ChatCreate(ids, echoed, model_name=model_name, crash=crash)
    req["description"] = req.get("description", "A helpful Assistant")
    req["icon"] = req.get("avatar", "")
    req["top_n"] = req.get("top_n", 6)
    req["top_k"] = req.get("top_k", 1024)
    req["rerank_id"] = req.get("rerank_id", "")
    columns = {k: v for k, v in req.items() if k in WRITABLE}
    return ChatCreate(ids, echoed, columns, model_name, req.get("tenant_id"))


def parse_chat_update(body: Any) -> ChatUpdate:
    """updateChat: read the body in the server's order (a non-object or non-list `dataset_ids` crashes now)."""
    req = dict(gettable(body))
    ids = req.get("dataset_ids")
    if "show_quotation" in req:
        req["do_refer"] = req.pop("show_quotation")
    if ids is not None:
        ids = iterate(ids)
        req["kb_ids"] = ids
    model_name, crash = _read_llm_and_prompt(req)
    if crash.error is not None:
        return ChatUpdate(ids, model_name=model_name, crash=crash)
    prompt_config = req.get("prompt_config", ABSENT)
    llm_setting = req.get("llm_setting", ABSENT)
    req["prompt_config"] = prompt_config
    req["llm_setting"] = llm_setting
    if "avatar" in req:
        req["icon"] = req.pop("avatar")
    req.pop("dataset_ids", None)
    return ChatUpdate(ids, req, model_name, req.get("name", ABSENT), prompt_config, llm_setting)


def _read_llm_and_prompt(req: dict[str, Any]) -> tuple[Any, Crash]:
    """`llm` → `llm_id` + `llm_setting`, `prompt` → internal names (create and update); the model name, the crash."""
    stage = Stage.MODEL
    model_name: Any = ABSENT
    try:
        llm = req.get("llm")
        if llm:
            if contains(llm, "model_name"):
                if isinstance(llm, dict):
                    llm = req["llm"] = dict(llm)
                with python_semantics():
                    model_name = req["llm_id"] = llm.pop("model_name")
            stage = Stage.SETTINGS
            req["llm_setting"] = req.pop("llm")
            if not isinstance(req["llm_setting"], dict):
                with python_semantics():
                    {}.update(req["llm_setting"])
        stage = Stage.SETTINGS
        split_prompt(req)
    except PythonError as error:
        return model_name, Crash(stage, error)
    return model_name, Crash()


def split_prompt(req: dict[str, Any]) -> None:
    """Rename a request's `prompt` keys to internal names and move column keys out (create and update)."""
    prompt = req.get("prompt")
    if not prompt:
        return
    if not isinstance(prompt, dict):
        for api_name in INTERNAL_NAMES:
            if contains(prompt, api_name):
                raise no_attribute(prompt, "pop")
        req["prompt_config"] = req.pop("prompt")
        return
    prompt = dict(prompt)
    for api_name, internal in INTERNAL_NAMES.items():
        if api_name in prompt:
            prompt[internal] = prompt.pop(api_name)
    for column in PROMPT_COLUMNS:
        if column in prompt:
            req[column] = prompt.pop(column)
    del req["prompt"]
    req["prompt_config"] = prompt


@dataclass(frozen=True)
class Paging:
    """A listing's page, size and order; `int()` of the page numbers crashes only after the listing's own check."""

    page: int = 1
    page_size: int = 30
    orderby: str = "create_time"
    desc: bool = True
    crash: Crash = Crash()


def parse_paging(query: Mapping[str, str]) -> Paging:
    """`page`, `page_size` (Python ints), `orderby` and the loose `desc` of the chat and session lists."""
    orderby, desc = query.get("orderby", "create_time"), loose_desc(query.get("desc"))
    try:
        page, page_size = page_numbers(query)
    except PythonError as error:
        return Paging(orderby=orderby, desc=desc, crash=Crash(Stage.PAGING, error))
    return Paging(page, page_size, orderby, desc)


@dataclass(frozen=True)
class ChatQuery:
    """listChats: the `id`/`name` filters and the paging."""

    chat_id: str | None = None
    name: str | None = None
    paging: Paging = Paging()


def parse_chat_query(query: Mapping[str, str]) -> ChatQuery:
    """listChats' query string."""
    return ChatQuery(query.get("id"), query.get("name"), parse_paging(query))


def parse_ids(body: Any) -> Any:
    """The `ids` of a bulk delete (None for an empty body: delete everything); a non-object body crashes."""
    return gettable(body).get("ids") if body else None


# -- sessions ----------------------------------------------------------------------------------------------
def with_dialog_id(body: Any, chat_id: str) -> dict[str, Any]:
    """The server's first line, `req["dialog_id"] = chat_id`, on a copy (a non-object body crashes as it does)."""
    if isinstance(body, dict):
        return {**body, "dialog_id": chat_id}
    raise bad_index(body, "dialog_id") if isinstance(body, list) else no_item_assignment(body)


@dataclass(frozen=True)
class SessionCreate:
    """createChatSession: the new session's name and user id (any JSON value, stored as text)."""

    name: Any = "New session"
    user_id: Any = ""


def parse_session_create(body: Any, chat_id: str) -> SessionCreate:
    """createChatSession's body."""
    req = with_dialog_id(body, chat_id)
    return SessionCreate(req.get("name", "New session"), req.get("user_id", ""))


@dataclass(frozen=True)
class SessionUpdate:
    """updateChatSession: what `update_by_id` receives (the body with `dialog_id` set), in the server's order."""

    fields: dict[str, Any]

    @property
    def changes_messages(self) -> bool:
        """The body tries to write `message` (or the API name `messages`)."""
        return "message" in self.fields or "messages" in self.fields

    @property
    def changes_reference(self) -> bool:
        """The body tries to write `reference`."""
        return "reference" in self.fields

    @property
    def name(self) -> Any:
        """The new name (ABSENT: unchanged)."""
        return self.fields.get("name", ABSENT)


def parse_session_update(body: Any, chat_id: str) -> SessionUpdate:
    """updateChatSession's body."""
    return SessionUpdate(with_dialog_id(body, chat_id))


@dataclass(frozen=True)
class SessionQuery:
    """listChatSessions: the `id`/`name`/`user_id` filters (case-insensitive equality) and the paging."""

    session_id: str | None = None
    name: str | None = None
    user_id: str | None = None
    paging: Paging = Paging()


def parse_session_query(query: Mapping[str, str]) -> SessionQuery:
    """listChatSessions' query string."""
    return SessionQuery(query.get("id"), query.get("name"), query.get("user_id"), parse_paging(query))
