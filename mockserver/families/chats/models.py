"""Chat assistants: the `Chat` (Dialog) record, `ChatStore` rules, and the four `/api/v1/chats` handlers."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.core.catalog import split_model_id
from mockserver.core.errors import DataError, MySQLError, PythonError, RagflowError
from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.core.python_failures import contains, gettable, iterate, python_semantics
from mockserver.core.validation import check_duplicate_ids, partial_result
from mockserver.families.chats.config import (
    CHAT_COLUMNS,
    DEFAULT_LLM_SETTING,
    api_llm,
    api_prompt,
    chat_model_exists,
    check_parameters,
    check_update_fields,
    fill_prompt_defaults,
    rerank_model_exists,
    split_prompt,
    varchar,
)
from mockserver.http.envelope import RetCode

if TYPE_CHECKING:
    from mockserver.families.datasets.models import Dataset
    from mockserver.state.backend import TenantBackend

_INT_COLUMNS = ("top_n", "top_k")
_FLOAT_COLUMNS = ("similarity_threshold", "vector_similarity_weight")
_NOT_NULL_TEXT = ("name", "llm_id", "prompt_type", "do_refer", "rerank_id")
_NULLABLE_TEXT = ("description", "icon", "language", "status")
_WRITABLE = frozenset(CHAT_COLUMNS) - {"id", "tenant_id", "create_time", "create_date", "update_time", "update_date"}
"""Columns a request may write (ids and timestamps are the emulator's; see docs/quirks.md)."""


@dataclass
class Chat:
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


def _column_value(column: str, value: Any) -> Any:
    """What storing `value` in `column` gives (peewee coercion, MySQL NOT NULL), or the server's error."""
    if value is None and column in (*_INT_COLUMNS, *_FLOAT_COLUMNS, *_NOT_NULL_TEXT):
        raise MySQLError(1048, f"Column '{column}' cannot be null")
    with python_semantics():
        if column in _INT_COLUMNS:
            return int(value)
        if column in _FLOAT_COLUMNS:
            return float(value)
    if column in _NOT_NULL_TEXT or column in _NULLABLE_TEXT:
        return varchar(value)
    return copy.deepcopy(value)


class ChatStore:
    """A tenant's chat assistants (soft-deleted ones stay with status "0") and the rules of managing them."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant
        self.items: dict[str, Chat] = {}

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, chat_id: Any) -> Chat | None:
        """The tenant's valid (not deleted) chat with this id."""
        if not isinstance(chat_id, str):
            return None
        found = self.items.get(chat_id) or self.items.get(chat_id.lower())
        return found if found is not None and found.status == "1" else None

    def valid(self) -> list[Chat]:
        """The tenant's valid chats, in creation order."""
        return [c for c in self.items.values() if c.status == "1"]

    def by_name(self, name: Any) -> Chat | None:
        """A valid chat with this name under MySQL collation."""
        key = collation_key(str(name))
        return next((c for c in self.valid() if collation_key(c.name) == key), None)

    def datasets_of(self, chat: Chat) -> list[Dataset]:
        """The knowledge bases of a chat that still exist."""
        found = [self.tenant.datasets.get(i) if isinstance(i, str) else None for i in iterate(chat.kb_ids)]
        return [d for d in found if d is not None]

    # -- rules -----------------------------------------------------------------------------------
    def check_datasets(self, ids: list[Any], *, at_least_one: bool) -> None:
        """Ownership, parsed content and one embedding model (`at_least_one`: update's exactly-one rule)."""
        for kb_id in ids:
            dataset = self.tenant.datasets.get(kb_id) if isinstance(kb_id, str) else None
            if dataset is None:
                raise DataError(f"You don't own the dataset {kb_id}")
            if dataset.chunk_num == 0:
                raise DataError(f"The dataset {kb_id} doesn't own parsed file")
        models = {split_model_id(d.embd_id)[0] for d in (self.tenant.datasets.get(i) for i in ids) if d is not None}
        if len(models) > 1 or (at_least_one and len(models) != 1):
            raise RagflowError('Datasets use different embedding models."', code=RetCode.AUTHENTICATION_ERROR)

    def _apply_llm(self, req: dict[str, Any]) -> None:
        llm = req.get("llm")
        if not llm:
            return
        if contains(llm, "model_name"):
            with python_semantics():
                req["llm_id"] = llm.pop("model_name")
            if not chat_model_exists(self.tenant, req["llm_id"]):
                raise DataError(f"`model_name` {req['llm_id']} doesn't exist")
        req["llm_setting"] = req.pop("llm")
        if not isinstance(req["llm_setting"], dict):
            with python_semantics():
                {}.update(req["llm_setting"])

    def _check_rerank(self, req: dict[str, Any]) -> None:
        if req.get("rerank_id") and not rerank_model_exists(self.tenant, req["rerank_id"]):
            raise DataError(f"`rerank_model` {req['rerank_id']} doesn't exist")

    def create(self, body: Any) -> Chat:
        """Create a chat from a raw request body, in the server's order of checks."""
        req = gettable(body)
        ids = [i for i in iterate(req.get("dataset_ids", [])) if i]
        self.check_datasets(ids, at_least_one=False)
        req["kb_ids"] = ids
        self._apply_llm(req)
        split_prompt(req)
        req["description"] = req.get("description", "A helpful Assistant")
        req["icon"] = req.get("avatar", "")
        req["top_n"] = req.get("top_n", 6)
        req["top_k"] = req.get("top_k", 1024)
        req["rerank_id"] = req.get("rerank_id", "")
        self._check_rerank(req)
        if not req.get("llm_id"):
            req["llm_id"] = self.tenant.llm_id
        if not req.get("name"):
            raise DataError("`name` is required.")
        if self.by_name(req["name"]) is not None:
            raise DataError("Duplicated chat name in creating chat.")
        if req.get("tenant_id"):
            raise DataError("`tenant_id` must not be provided.")
        config = req.setdefault("prompt_config", {})
        if not isinstance(config, dict):
            raise PythonError("AttributeError", f"'{type(config).__name__}' object has no attribute 'get'")
        fill_prompt_defaults(config)
        check_parameters(config)
        values = {k: _column_value(k, v) for k, v in req.items() if k in _WRITABLE}
        return self.insert(**values)

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
        self.items[chat.id] = chat
        return chat

    def update(self, chat_id: str, body: Any) -> None:
        """Apply an update body, in the server's order of checks."""
        chat = self.get(chat_id)
        if chat is None:
            raise DataError("You do not own the chat")
        req = gettable(body)
        ids = req.get("dataset_ids")
        if "show_quotation" in req:
            req["do_refer"] = req.pop("show_quotation")
        if ids is not None:
            ids = iterate(ids)
            self.check_datasets(ids, at_least_one=True)
            req["kb_ids"] = ids
        self._apply_llm(req)
        split_prompt(req)
        self._check_rerank(req)
        if "name" in req:
            if not req.get("name"):
                raise DataError("`name` cannot be empty.")
            with python_semantics():
                renamed = req["name"].lower() != chat.name.lower()
            if renamed and self.by_name(req["name"]) is not None:
                raise DataError("Duplicated chat name in updating chat.")
        config = copy.deepcopy(chat.prompt_config)
        if "prompt_config" in req:
            with python_semantics():
                config.update(req["prompt_config"])
            check_parameters(config)
        setting = copy.deepcopy(chat.llm_setting)
        if "llm_setting" in req:
            with python_semantics():
                setting.update(req["llm_setting"])
        req["prompt_config"] = config
        req["llm_setting"] = setting
        if "avatar" in req:
            req["icon"] = req.pop("avatar")
        req.pop("dataset_ids", None)
        self._write(chat, req)

    def _write(self, chat: Chat, req: dict[str, Any]) -> None:
        """peewee's `update(**req)`: an unknown key fails with the whole update dict in the message."""
        clock = self.tenant.clock
        check_update_fields(req, CHAT_COLUMNS, clock)
        values = {k: _column_value(k, v) for k, v in req.items() if k in _WRITABLE}
        for key, value in values.items():
            setattr(chat, key, value)
        clock.touch(chat)

    def listing(
        self, *, chat_id: str | None, name: str | None, page: int, page_size: int, orderby: str, desc: bool
    ) -> list[Chat]:
        """Valid chats filtered by id/name, ordered and paged."""
        matches = self.valid()
        if chat_id:
            matches = [c for c in matches if c.id.lower() == chat_id.lower()]
        if name:
            key = collation_key(name)
            matches = [c for c in matches if collation_key(c.name) == key]
        ordered = order_records(matches, orderby, desc, "Dialog", Chat.columns, CHAT_COLUMNS)
        return mysql_page(ordered, page, page_size)

    def delete(self, ids: Any) -> dict[str, Any] | None:
        """Soft-delete the given chats (all valid ones when `ids` is falsy); partial results as data."""
        if not ids:
            targets: list[Any] = [c.id for c in self.valid()]
            duplicates: list[str] = []
        else:
            targets, duplicates = check_duplicate_ids(ids, "assistant")
        errors: list[str] = []
        success = 0
        for target in targets:
            chat = self.get(target)
            if chat is None:
                errors.append(f"Assistant({target}) not found.")
                continue
            chat.status = "0"
            success += 1
        return partial_result(errors, duplicates, success)


# -- HTTP half -----------------------------------------------------------------------------------
