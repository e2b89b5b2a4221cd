"""The `Document` record (the server's column names, its API views) and what the documents store uses of its tenant."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

from mockserver.core.indexes import Indexed, Key
from mockserver.core.lifecycle import RUN_NAMES, UNSTART
from mockserver.core.pagination import collation_key
from mockserver.core.python_failures import from_exception, no_attribute
from mockserver.core.tenancy import TenantContext
from mockserver.families.chunks.models import ChunkStore
from mockserver.families.datasets.models import DatasetStore

_API_RENAMES = {
    "chunk_num": "chunk_count",
    "kb_id": "dataset_id",
    "token_num": "token_count",
    "parser_id": "chunk_method",
}
_UPLOAD_KEYS = (
    "chunk_method",
    "created_by",
    "dataset_id",
    "id",
    "location",
    "name",
    "parser_config",
    "run",
    "size",
    "thumbnail",
    "type",
)


@dataclass
class Document(Indexed):
    """One document row, with the server's internal column names."""

    id: str
    kb_id: str
    name: str
    location: str
    size: int
    type: str
    parser_id: str
    created_by: str
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    parser_config: dict[str, Any] = field(default_factory=dict)
    thumbnail: str = ""
    source_type: str = "local"
    token_num: int = 0
    chunk_num: int = 0
    progress: float = 0.0
    progress_msg: str = ""
    process_begin_at: str | None = None
    process_duation: float = 0.0
    meta_fields: dict[str, Any] = field(default_factory=dict)
    run: str = UNSTART
    status: str = "1"

    def columns(self) -> dict[str, Any]:
        """Internal column → value (what `orderby` sorts on)."""
        return {f: getattr(self, f) for f in DOCUMENT_COLUMNS}

    def to_api(self) -> dict[str, Any]:
        """The 24-key object of document lists and chunk lists (renames applied, `run` as text)."""
        view = {_API_RENAMES.get(k, k): copy.deepcopy(v) for k, v in asdict(self).items()}
        view["run"] = RUN_NAMES.get(self.run, self.run)
        return view

    def upload_view(self) -> dict[str, Any]:
        """The 11-key object an upload returns."""
        view = self.to_api()
        return {key: view[key] for key in _UPLOAD_KEYS}


DOCUMENT_COLUMNS = tuple(f.name for f in fields(Document))
DOCUMENT_KEYS = {
    "name": Key(("kb_id", "name"), lambda d: (d.kb_id, collation_key(d.name))),
    "exact": Key(("name",), lambda d: d.name),
}
"""The document table's maps: names under collation within a dataset, and exact names across the tenant."""
OF_DATASET = Key(("kb_id",), lambda d: d.kb_id)
"""Documents are listed per dataset."""


class DocumentTenant(TenantContext, Protocol):
    """What `DocumentStore` uses of its tenant: the context and the two stores below it."""

    datasets: DatasetStore
    chunks: ChunkStore


def merge_parser_config(doc: Document, config: Any) -> None:
    """Deep-merge a sent parser_config; afterwards a stored `raptor` goes unless the sent one is truthy."""
    if not config:
        return
    if not isinstance(config, dict):
        raise no_attribute(config, "items")
    merged = copy.deepcopy(doc.parser_config)

    def merge(old: dict[str, Any], new: dict[str, Any]) -> None:
        for key, value in new.items():
            if key in old and isinstance(value, dict):
                if not isinstance(old[key], dict):
                    raise from_exception(AssertionError())
                merge(old[key], value)
            else:
                old[key] = value

    try:
        merge(merged, config)
    finally:
        doc.parser_config = merged  # keys merged before an AssertionError stay, as on the server
    if not config.get("raptor"):
        doc.parser_config.pop("raptor", None)
