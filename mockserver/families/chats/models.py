"""Chat assistants: the `Chat` (Dialog) record and `ChatStore`, the rules of creating, updating, listing, deleting."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from mockserver.core.bulk import bulk_delete
from mockserver.core.catalog import split_model_id
from mockserver.core.columns import fit_varchar
from mockserver.core.errors import DataError, MySQLError, RagflowError, RetCode
from mockserver.core.indexes import Indexed, Key, Table, cached_json
from mockserver.core.pagination import collation_key, mysql_page, order_records, table_page
from mockserver.core.python_failures import iterate, no_attribute, python_semantics
from mockserver.families.chats.config import (
    CHAT_COLUMNS,
    DEFAULT_LLM_SETTING,
    WRITABLE,
    ModelTenant,
    api_llm,
    api_prompt,
    chat_model_exists,
    check_parameters,
    check_update_fields,
    fill_prompt_defaults,
    rerank_model_exists,
    varchar,
)
from mockserver.families.chats.schemas import ABSENT, ChatCreate, ChatQuery, ChatUpdate, Stage
from mockserver.families.datasets.models import Dataset, DatasetStore

_INT_COLUMNS = ("top_n", "top_k")
_FLOAT_COLUMNS = ("similarity_threshold", "vector_similarity_weight")
_NOT_NULL_TEXT = ("name", "llm_id", "prompt_type", "do_refer", "rerank_id")
_NULLABLE_TEXT = ("description", "icon", "language", "status")


class ChatTenant(ModelTenant, Protocol):
    """What `ChatStore` uses of its tenant: the model defaults and the datasets a chat draws on."""

    datasets: DatasetStore


@dataclass
class Chat(Indexed):
    """One Dialog row (a chat assistant), with the server's internal column names."""

    id: str
    tenant_id: str
    name: str
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    description: str | None = "A helpful Assistant"
    icon: str | None = ""
    language: str | None = "English"
    llm_id: str = ""
    llm_setting: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_LLM_SETTING))
    prompt_type: str = "simple"
    prompt_config: dict[str, Any] = field(default_factory=dict)
    similarity_threshold: float = 0.2
    vector_similarity_weight: float = 0.3
    top_n: int = 6
    top_k: int = 1024
    do_refer: str = "1"
    rerank_id: str = ""
    kb_ids: list[str] = field(default_factory=list)
    status: str = "1"

    def columns(self) -> dict[str, Any]:
        """Column → value (what `orderby` sorts on)."""
        return asdict(self)

    @property
    def prologue(self) -> Any:
        """The opener shown as a session's first message."""
        return self.prompt_config.get("prologue") if isinstance(self.prompt_config, dict) else None

    def to_api(self) -> dict[str, Any]:
        """The create-response shape without `dataset_ids` (the handler copies them from the request)."""
        return {
            "avatar": self.icon,
            "create_date": self.create_date,
            "create_time": self.create_time,
            "description": self.description,
            "do_refer": self.do_refer,
            "id": self.id,
            "language": self.language,
            "llm": api_llm(self),
            "name": self.name,
            "prompt": api_prompt(self),
            "prompt_type": self.prompt_type,
            "status": self.status,
            "tenant_id": self.tenant_id,
            "update_date": self.update_date,
            "update_time": self.update_time,
        }

    def to_list_item(self, datasets: list[Dataset]) -> dict[str, Any]:
        """The list shape: `datasets` as raw knowledge-base rows and a top-level `top_k`."""
        item = self.to_api()
        item["datasets"] = [d.columns() for d in datasets]
        item["top_k"] = self.top_k
        return item

    def list_json(self, datasets: list[Dataset]) -> bytes:
        """`to_list_item(datasets)` encoded, from cached bytes of the chat's keys around `datasets` and of each
        dataset's row (each part recomputed only when its record changed)."""
        rows = b",".join(cached_json(d, Dataset.columns) for d in datasets)
        head, tail = cached_json(self, _head_keys), cached_json(self, _tail_keys)
        return b"{" + head[1:-1] + b',"datasets":[' + rows + b"]," + tail[1:-1] + b"}"


def _head_keys(chat: Chat) -> dict[str, Any]:
    """The list item's keys sorting before `datasets`."""
    return {k: v for k, v in chat.to_api().items() if k < "datasets"}


def _tail_keys(chat: Chat) -> dict[str, Any]:
    """The list item's keys sorting after `datasets` (with `top_k`)."""
    return {k: v for k, v in {**chat.to_api(), "top_k": chat.top_k}.items() if k > "datasets"}


CHAT_KEYS = {
    "id": Key(("id", "status"), lambda c: c.id.lower() if c.status == "1" else None),
    "name": Key(("name", "status"), lambda c: collation_key(c.name) if c.status == "1" else None),
}
"""The chat table's maps over valid chats: ids as MySQL compares them, names under collation."""
VALID = Key(("status",), lambda c: True if c.status == "1" else None)
"""The partition lists show: valid (not deleted) chats."""


def column_value(column: str, value: Any) -> Any:
    """What storing `value` in `column` gives (peewee coercion, MySQL NOT NULL), or the server's error."""
    if value is None and column in (*_INT_COLUMNS, *_FLOAT_COLUMNS, *_NOT_NULL_TEXT):
        raise MySQLError(1048, f"Column '{column}' cannot be null")
    with python_semantics():
        if column in _INT_COLUMNS:
            return int(value)
        if column in _FLOAT_COLUMNS:
            return float(value)
    if column == "name":
        return fit_varchar(column, varchar(value))
    if column in _NOT_NULL_TEXT or column in _NULLABLE_TEXT:
        return varchar(value)
    return copy.deepcopy(value)


class ChatStore:
    """A tenant's chat assistants (soft-deleted ones stay with status "0") and the rules of managing them."""

    def __init__(self, tenant: ChatTenant) -> None:
        self.tenant = tenant
        self.items: dict[str, Chat] = {}
        self.table: Table[Chat] = Table(lambda: self.items, CHAT_KEYS, VALID)

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, chat_id: Any) -> Chat | None:
        """The tenant's valid (not deleted) chat with this id."""
        if not isinstance(chat_id, str):
            return None
        found = self.items.get(chat_id) or self.items.get(chat_id.lower())
        return found if found is not None and found.status == "1" else None

    def owned(self, chat_id: Any, miss: str) -> Chat:
        """The tenant's valid chat with this id, or `DataError(miss)` (each operation words the miss its own way)."""
        chat = self.get(chat_id)
        if chat is None:
            raise DataError(miss)
        return chat

    def to_update(self, chat_id: str) -> Chat:
        """updateChat: the chat to update (checked before the body is read), or 102 "You do not own the chat"."""
        return self.owned(chat_id, "You do not own the chat")

    def valid(self) -> list[Chat]:
        """The tenant's valid chats, in creation order."""
        return self.table.members(True)

    def by_name(self, name: Any) -> Chat | None:
        """A valid chat with this name under MySQL collation."""
        return self.table.first("name", collation_key(str(name)))

    def datasets_of(self, chat: Chat) -> list[Dataset]:
        """The knowledge bases of a chat that still exist."""
        found = [self.tenant.datasets.get(i) if isinstance(i, str) else None for i in iterate(chat.kb_ids)]
        return [d for d in found if d is not None]

    # -- rules -----------------------------------------------------------------------------------
    def check_datasets(self, ids: list[Any], *, at_least_one: bool) -> None:
        """createChat, updateChat: ownership, parsed content, one embedding model (`at_least_one`: update's rule)."""
        for kb_id in ids:
            dataset = self.tenant.datasets.get(kb_id) if isinstance(kb_id, str) else None
            if dataset is None:
                raise DataError(f"You don't own the dataset {kb_id}")
            if dataset.chunk_num == 0:
                raise DataError(f"The dataset {kb_id} doesn't own parsed file")
        models = {split_model_id(d.embd_id)[0] for d in (self.tenant.datasets.get(i) for i in ids) if d is not None}
        if len(models) > 1 or (at_least_one and len(models) != 1):
            raise RagflowError('Datasets use different embedding models."', code=RetCode.AUTHENTICATION_ERROR)

    def _check_model(self, model_name: Any) -> None:
        if model_name is not ABSENT and not chat_model_exists(self.tenant, model_name):
            raise DataError(f"`model_name` {model_name} doesn't exist")

    def _check_rerank(self, rerank_id: Any) -> None:
        if rerank_id and not rerank_model_exists(self.tenant, rerank_id):
            raise DataError(f"`rerank_model` {rerank_id} doesn't exist")

    def create(self, request: ChatCreate) -> Chat:
        """createChat: create a chat from a parsed body, in the server's order of checks."""
        self.check_datasets(request.dataset_ids, at_least_one=False)
        request.crash.reach(Stage.MODEL)
        self._check_model(request.model_name)
        request.crash.reach(Stage.SETTINGS)
        columns = dict(request.columns)
        self._check_rerank(columns.get("rerank_id"))
        if not columns.get("llm_id"):
            columns["llm_id"] = self.tenant.llm_id
        if not columns.get("name"):
            raise DataError("`name` is required.")
        if self.by_name(columns["name"]) is not None:
            raise DataError("Duplicated chat name in creating chat.")
        if request.tenant_id:
            raise DataError("`tenant_id` must not be provided.")
        config = columns.setdefault("prompt_config", {})
        if not isinstance(config, dict):
            raise no_attribute(config, "get")
        columns["prompt_config"] = config = copy.deepcopy(config)
        fill_prompt_defaults(config)
        check_parameters(config)
        return self.insert(**{k: column_value(k, v) for k, v in columns.items()})

    def insert(self, **values: Any) -> Chat:
        """Insert a chat row without request validation (seeding, tests)."""
        stamp = self.tenant.clock.stamps()
        values.setdefault("llm_id", self.tenant.llm_id)
        config = values.setdefault("prompt_config", {})
        if isinstance(config, dict):
            fill_prompt_defaults(config)
        chat = Chat(
            id=values.pop("id", None) or self.tenant.ids.entity(),
            tenant_id=self.tenant.tenant_id,
            **{
                **stamp,
                **values,
            },
        )
        self.table.put(chat.id, chat)
        return chat

    def update(self, chat: Chat, request: ChatUpdate) -> None:
        """updateChat: apply a parsed body to an owned chat (`to_update`), in the server's order of checks."""
        if request.dataset_ids is not None:
            self.check_datasets(request.dataset_ids, at_least_one=True)
        request.crash.reach(Stage.MODEL)
        self._check_model(request.model_name)
        request.crash.reach(Stage.SETTINGS)
        self._check_rerank(request.rerank_id)
        if request.name is not ABSENT:
            if not request.name:
                raise DataError("`name` cannot be empty.")
            with python_semantics():
                renamed = request.name.lower() != chat.name.lower()
            if renamed and self.by_name(request.name) is not None:
                raise DataError("Duplicated chat name in updating chat.")
        config = copy.deepcopy(chat.prompt_config)
        if request.prompt_config is not ABSENT:
            with python_semantics():
                config.update(request.prompt_config)
            check_parameters(config)
        setting = copy.deepcopy(chat.llm_setting)
        if request.llm_setting is not ABSENT:
            with python_semantics():
                setting.update(request.llm_setting)
        self._write(chat, {**request.fields, "prompt_config": config, "llm_setting": setting})

    def _write(self, chat: Chat, req: dict[str, Any]) -> None:
        """peewee's `update(**req)`: an unknown key fails with the whole update dict in the message."""
        clock = self.tenant.clock
        check_update_fields(req, CHAT_COLUMNS, clock)
        values = {k: column_value(k, v) for k, v in req.items() if k in WRITABLE}
        for key, value in values.items():
            setattr(chat, key, value)
        clock.touch(chat)

    def listing(self, query: ChatQuery) -> list[Chat]:
        """listChats: valid chats filtered by id/name (102 when a filter matches none), ordered and paged."""
        paging = query.paging
        if not (query.chat_id or query.name):
            paging.crash.reach(Stage.PAGING)
            return table_page(
                self.table,
                True,
                orderby=paging.orderby,
                desc=paging.desc,
                page=paging.page,
                page_size=paging.page_size,
                model_name="Dialog",
                known=CHAT_COLUMNS,
            )
        if query.chat_id:
            matches = self.table.find("id", query.chat_id.lower())
        else:
            matches = self.table.find("name", collation_key(query.name or ""))
        if query.name:
            key = collation_key(query.name)
            matches = [c for c in matches if collation_key(c.name) == key]
        if not matches:
            raise DataError("The chat doesn't exist")
        paging.crash.reach(Stage.PAGING)
        ordered = order_records(matches, paging.orderby, paging.desc, "Dialog", Chat.columns, CHAT_COLUMNS)
        return mysql_page(ordered, paging.page, paging.page_size)

    def delete(self, ids: Any) -> dict[str, Any] | None:
        """deleteChats: soft-delete the given chats (all valid ones when `ids` is falsy); partial results as data."""

        def remove(chat: Chat) -> None:
            chat.status = "0"

        return bulk_delete(
            ids, "assistant", lambda: [c.id for c in self.valid()], self.get, remove, "Assistant({}) not found.".format
        )
