"""Profile `2024-10-draft` (RAGFlow 6329427ad5): dataset, document, chunk and retrieval rules over the shared stores.

The draft renamed few columns (`parse_method`, `chunk_count`, … — see `DATASET_RENAMES`, `DOCUMENT_RENAMES`);
everything else is the stored record. Where the code at 6329427ad5 crashed or lost data the draft's document is
followed (docs/quirks.md, DOC≠CODE): every listed dataset id is deleted, chunk lists are not duplicated, chunk
update works. `E(102, …)` texts pass through the server's `rag` → `seceum` rewrite (`fail`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from mockserver.core.errors import ArgumentError, DataError, PythonError
from mockserver.core.lifecycle import CANCEL
from mockserver.core.pagination import collation_key
from mockserver.core.python_failures import gettable, item, iterate, key_error, keyed, no_attribute
from mockserver.families.chats.config import check_update_fields
from mockserver.families.dataset_2024_06.views import DATASET_KEYS, DOCUMENT_KEYS, column_value
from mockserver.families.datasets.models import Dataset
from mockserver.families.documents import files
from mockserver.families.documents.models import Document
from mockserver.families.legacy.service import LegacyScope
from mockserver.state.backend import TenantBackend

DATASET_RENAMES = {
    "chunk_num": "chunk_count",
    "doc_num": "document_count",
    "parser_id": "parse_method",
    "embd_id": "embedding_model",
}
DOCUMENT_RENAMES = {
    "chunk_num": "chunk_count",
    "kb_id": "knowledgebase_id",
    "token_num": "token_count",
    "parser_id": "parser_method",
}
_CREATE_COLUMNS = frozenset(DATASET_KEYS) - {
    "id", "tenant_id", "created_by", "create_time", "create_date", "update_time", "update_date",
    "embd_id", "chunk_num", "doc_num", "parser_id",
}  # fmt: skip
"""Dataset columns a create body may set verbatim (the server's `**req` insert)."""
_UPDATE_COLUMNS = (*DATASET_KEYS, "pagerank")


def fail(message: str) -> DataError:
    """`get_error_data_result(message)`: 102, every case-insensitive `rag` replaced by `seceum`."""
    return DataError(re.sub("rag", "seceum", message, flags=re.IGNORECASE))


def dataset_view(dataset: Dataset) -> dict[str, Any]:
    """T1/T4: the 21 columns with the draft's dataset renames."""
    return {DATASET_RENAMES.get(k, k): copy.deepcopy(getattr(dataset, k)) for k in DATASET_KEYS}


def document_view(doc: Document) -> dict[str, Any]:
    """T7: the 23 columns with the draft's document renames (`run` as its code)."""
    return {DOCUMENT_RENAMES.get(k, k): copy.deepcopy(getattr(doc, k)) for k in DOCUMENT_KEYS}


def document_row(doc: Document) -> dict[str, Any]:
    """T11's `doc`: the 23 internal columns."""
    return {k: copy.deepcopy(getattr(doc, k)) for k in DOCUMENT_KEYS}


def _stripped(value: Any) -> str:
    if not isinstance(value, str):
        raise no_attribute(value, "strip")
    return value.strip()


class DraftApi:
    """One caller's view of the state through the draft's dataset routes."""

    def __init__(self, scope: LegacyScope) -> None:
        self.scope = scope
        self.tenant: TenantBackend = scope.tenant

    def owned(self, dataset_id: str, message: str | None = None) -> Dataset:
        """The caller's dataset, or E(102, `You don't own the dataset <id>.`) (or the route's wording)."""
        dataset = self.tenant.datasets.get(dataset_id)
        if dataset is None:
            raise fail(f"You don't own the dataset {dataset_id}." if message is None else message)
        return dataset

    def document(self, dataset_id: str, document_id: str) -> Document:
        """The document of the caller's dataset (T11/T12/T14 wording)."""
        self.owned(dataset_id)
        doc = self.tenant.documents.get(dataset_id, document_id)
        if doc is None:
            raise fail(f"You don't own the document {document_id}.")
        return doc

    # -- datasets --------------------------------------------------------------------------------
    def create(self, body: Any) -> dict[str, Any]:
        """draftCreateDataset: `parse_method` and every other column key stored verbatim."""
        req = keyed(body, ("tenant_id", "embedding_model", "name"))
        if "tenant_id" in req or "embedding_model" in req:
            raise fail("Tenant_id or embedding_model must not be provided")
        if req.get("chunk_count") or req.get("document_count"):
            raise fail("chunk_count or document_count must be 0 or not be provided")
        if "name" not in req:
            raise fail("Name is not empty!")
        name = _stripped(req["name"])
        if not name:
            raise fail("Name is not empty string!")
        store = self.tenant.datasets
        if store.by_name(name) is not None:
            raise fail("Duplicated knowledgebase name in creating dataset.")
        values = {k: column_value(k, v) for k, v in req.items() if k in _CREATE_COLUMNS}
        values["name"] = name
        values["parser_id"] = column_value("parser_id", req.get("parse_method", "naive"))
        values.setdefault("parser_config", {"pages": [[1, 1000000]]})
        return dataset_view(store.insert(**values))

    def delete(self, body: Any) -> None:
        """draftDeleteDatasets: every id must be the caller's; all of them go (DOC≠CODE: the code kept all but the
        last)."""
        ids = gettable(body).get("ids")
        if not ids:
            raise fail("ids are required")
        store = self.tenant.datasets
        targets = []
        for dataset_id in iterate(ids):
            dataset = store.get(dataset_id) if isinstance(dataset_id, str) else None
            if dataset is None:
                raise fail(f"You don't own the dataset {dataset_id}")
            targets.append(dataset)
        for dataset in targets:
            if store.get(dataset.id) is dataset:
                store.remove(dataset)

    def update(self, dataset_id: str, body: Any) -> None:
        """draftUpdateDataset: the draft's immutable counters, `parse_method`/`embedding_model` on empty datasets."""
        dataset = self.owned(dataset_id, "You don't own the dataset")
        req = dict(keyed(body, ("id",)))
        if any(key in req for key in ("id", "embd_id", "chunk_num", "doc_num", "parser_id")):
            raise fail("The input parameters are invalid.")
        if "tenant_id" in req and req["tenant_id"] != self.tenant.tenant_id:
            raise fail("Can't change tenant_id.")
        for key, column in (("chunk_count", "chunk_num"), ("document_count", "doc_num")):
            if key in req:
                if req[key] != getattr(dataset, column):
                    raise fail(f"Can't change {key}.")
                del req[key]
        if "parse_method" in req:
            if dataset.chunk_num != 0 and req["parse_method"] != dataset.parser_id:
                raise fail("If chunk count is not 0, parse method is not changable.")
            req["parser_id"] = req.pop("parse_method")
        if "embedding_model" in req:
            if dataset.chunk_num != 0:
                raise key_error("parse_method")
            req["embd_id"] = req.pop("embedding_model")
        if "name" in req:
            req["name"] = _stripped(req["name"])
            if req["name"].lower() != dataset.name.lower():
                other = self.tenant.datasets.by_name(req["name"])
                if other is not None and other is not dataset:
                    raise fail("Duplicated knowledgebase name in updating dataset.")
        check_update_fields(req, _UPDATE_COLUMNS, self.tenant.clock)
        values = {key: column_value(key, value) for key, value in req.items()}
        for key, value in values.items():
            setattr(dataset, key, value)
        self.tenant.datasets.touch(dataset)

    def listing(self, query: dict[str, str], page: int, page_size: int, orderby: str, desc: bool) -> list[Any]:
        """draftListDatasets: a pre-check over every dataset the caller's lookups reach, then its own page."""
        dataset_id, name = query.get("id"), query.get("name")
        if not any(_matches(t, dataset_id, name) for t in self.scope.tenants()):
            raise fail("The dataset doesn't exist")
        if not _matches(self.tenant, dataset_id, name):
            return []
        found = self.tenant.datasets.listing(
            dataset_id=dataset_id, name=name, page=page, page_size=page_size, orderby=orderby, desc=desc
        )
        return [dataset_view(d) for d in found]

    # -- documents -------------------------------------------------------------------------------
    def upload(self, dataset_id: str, parts: list[tuple[str, bytes]]) -> None:
        """draftUploadDocuments: into any dataset by id; per-file failures collected as one 500."""
        if not parts:
            raise ArgumentError("No file part!")
        if any(not filename for filename, _ in parts):
            raise ArgumentError("No file selected!")
        for tenant in self.scope.tenants():
            dataset = tenant.datasets.get(dataset_id)
            if dataset is not None:
                tenant.documents.upload_files(dataset, parts, self.tenant.tenant_id)
                return
        raise PythonError("LookupError", f"Can't find the knowledgebase with ID {dataset_id}!")

    def documents(self, dataset_id: str, query: dict[str, str], page: int, size: int, orderby: str) -> dict[str, Any]:
        """draftListDocuments (`/info`): `offset` is the page number, `limit` its size; `desc` only `False` asc."""
        store = self.tenant.documents
        self.owned(dataset_id, f"You don't own the dataset {dataset_id}. ")
        doc_id = query.get("id")
        if (store.get(dataset_id, doc_id) is None) if doc_id else not store.documents_of(dataset_id):
            raise fail(f"You don't own the document {doc_id}.")
        docs, total = store.listing(
            dataset_id,
            doc_id=doc_id,
            name=None,
            keywords=query.get("keywords", ""),
            page=page,
            page_size=size,
            orderby=orderby,
            desc=query.get("desc") != "False",
        )
        return {"docs": [document_view(d) for d in docs], "total": total}

    def update_document(self, dataset_id: str, document_id: str, body: Any) -> None:
        """draftUpdateDocument (`/info/{document_id}`): `name`, `parser_method`, `parser_config`."""
        self.owned(dataset_id, "You do not own the dataset.")
        store = self.tenant.documents
        doc = store.get(dataset_id, document_id)
        if doc is None:
            raise fail("The dataset not own the document.")
        req = keyed(body, ("chunk_count",))
        for key, column in (("chunk_count", "chunk_num"), ("token_count", "token_num"), ("progress", "progress")):
            if key in req and req[key] != getattr(doc, column):
                raise fail(f"Can't change {key}.")
        if "name" in req and req["name"] != doc.name:
            name = req["name"]
            if not isinstance(name, str):
                raise no_attribute(name, "lower")
            if files.extension_changed(doc.name, name):
                raise ArgumentError("The extension of file can't be changed")
            if any(d.kb_id == doc.kb_id for d in store.named_exactly(name)):
                raise fail("Duplicated document name in the same knowledgebase.")
            doc.name = name
        if "parser_method" in req:
            method = req["parser_method"]
            same = isinstance(method, str) and method.lower() == str(doc.parser_id).lower()
            if same and ("parser_config" not in req or req["parser_config"] == doc.parser_config):
                return
            if doc.type == files.VISUAL or re.search(r"\.(ppt|pptx|pages)$", doc.name):
                raise fail("Not supported yet!")
            doc.parser_id = method
            store.reset_run(doc)
            if doc.token_num > 0:
                store.adjust(doc, -doc.chunk_num, -doc.token_num)
                doc.process_duation = 0.0
                if "id" not in req:
                    raise key_error("id")
                if self.scope.backends.tenant(str(req["id"])) is None:
                    raise fail("Tenant not found!")
                store.clear_chunks(doc)
        if "parser_config" in req:
            if not isinstance(req["parser_config"], dict):
                raise no_attribute(req["parser_config"], "items")
            doc.parser_config = _deep_merge(copy.deepcopy(doc.parser_config), req["parser_config"])
        self.tenant.clock.touch(doc)

    def delete_documents(self, dataset_id: str, body: Any) -> None:
        """draftDeleteDocuments (undocumented): by id anywhere in the tenant, the first unknown one stops."""
        self.owned(dataset_id, f"You don't own the dataset {dataset_id}. ")
        ids = gettable(body).get("ids")
        if not ids:
            raise fail("ids is required")
        store = self.tenant.documents
        for document_id in iterate(ids):
            doc = store.find(document_id)
            if doc is None:
                raise fail("Document not found!")
            store.remove(doc)

    def parse(self, dataset_id: str, body: Any, *, stop: bool) -> None:
        """draftParseDocuments / draftStopParsing: `document_ids`, each checked in turn (earlier ones stay done)."""
        self.owned(dataset_id)
        ids = item(body, "document_ids")
        store = self.tenant.documents
        for document_id in iterate(ids):
            doc = store.get(dataset_id, document_id)
            if doc is None:
                raise fail(f"You don't own the document {document_id}.")
            store.forget_run(doc.id)
            if stop:
                doc.run, doc.progress = CANCEL, 0.0
                store.clear_chunks(doc)
                self.tenant.clock.touch(doc)
            else:
                doc.progress = 0.0
                store.parse(doc)


def _matches(tenant: TenantBackend, dataset_id: str | None, name: str | None) -> bool:
    store = tenant.datasets
    if dataset_id is not None:
        found = store.get(dataset_id)
        return found is not None and (name is None or collation_key(found.name) == collation_key(name))
    if name is not None:
        return store.by_name(name) is not None
    return bool(store.items)


def _deep_merge(base: Any, update: Any) -> Any:
    """T8's `parser_config` merge: nested objects merged recursively, any other value replaces."""
    if not isinstance(update, dict) or not isinstance(base, dict):
        return copy.deepcopy(update)
    for key, value in update.items():
        base[key] = _deep_merge(base.get(key), value) if isinstance(value, dict) else copy.deepcopy(value)
    return base
