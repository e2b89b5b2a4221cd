"""Knowledge bases and documents as the web UI manages them: the rules of `/v1/kb/*` and `/v1/document/*`.

The caller reaches its own tenant only (the emulator has no teams): "accessible" means "in the caller's tenant".
"""

from __future__ import annotations

import copy
import pathlib
from collections.abc import Iterable
from typing import Any

from mockserver.core.errors import PythonError
from mockserver.core.lifecycle import CANCEL, RUNNING
from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.core.python_failures import item, iterate
from mockserver.families.chats.config import check_update_fields
from mockserver.families.datasets.models import DATASET_COLUMNS, Dataset
from mockserver.families.datasets.schemas import default_parser_config
from mockserver.families.documents import files
from mockserver.families.documents.models import UploadFailure
from mockserver.families.documents.records import DOCUMENT_COLUMNS, Document
from mockserver.families.webui.errors import argument_error, data_error, no_authorization, owner_only
from mockserver.families.webui.rows import kb_row, thumbnail_url
from mockserver.state.backend import TenantBackend

DATASET_NAME_LIMIT = 128
VALID_RUN_STATUS = frozenset({"0", "1", "2", "3", "4"})
VALID_FILE_TYPES = frozenset({"pdf", "doc", "visual", "aural", "virtual", "folder", "other"})
_CREATE_COLUMNS = frozenset(
    {"avatar", "description", "language", "permission", "parser_id", "parser_config", "pagerank"}
)
"""Body keys `kb/create` stores as given (besides the name; `embd_id` always comes from the tenant)."""
KB = "knowledgebase"


def python_str(value: Any) -> str:
    """Python's `str()` of a JSON value (`True`, `1.0`, `None`, …)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value) if not isinstance(value, list | dict) else repr(value)


class WebKnowledge:
    """The web rules over one tenant's datasets, documents and chunks."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant

    # -- access ----------------------------------------------------------------------------------
    def kb(self, kb_id: Any) -> Dataset | None:
        """The caller's knowledge base with this id."""
        return self.tenant.datasets.get(kb_id) if isinstance(kb_id, str) else None

    def accessible_kb(self, kb_id: Any) -> Dataset:
        """A knowledge base the caller may touch, or `No authorization.`."""
        found = self.kb(kb_id)
        if found is None:
            raise no_authorization()
        return found

    def owned_kb(self, kb_id: Any) -> Dataset:
        """A knowledge base of one of the caller's tenants, or the owner-only refusal."""
        found = self.kb(kb_id)
        if found is None:
            raise owner_only(KB)
        return found

    def accessible_doc(self, doc_id: Any) -> Document:
        """A document the caller may touch, or `No authorization.`."""
        doc = self.tenant.documents.find(doc_id)
        if doc is None:
            raise no_authorization()
        return doc

    # -- knowledge bases -------------------------------------------------------------------------
    def create_kb(self, body: dict[str, Any]) -> Dataset:
        """createKnowledgebase: name checks in the server's order; a taken name gets a `(1)` suffix."""
        name = item(body, "name")
        if not isinstance(name, str):
            raise data_error("Dataset name must be string.")
        if name == "":
            raise data_error("Dataset name can't be empty.")
        if len(name) >= DATASET_NAME_LIMIT:
            raise data_error(f"Dataset name length is {len(name)} which is large than {DATASET_NAME_LIMIT}")
        store = self.tenant.datasets
        final = files.deduplicate(name.strip(), lambda n: store.by_name(n) is not None)
        values = {k: copy.deepcopy(v) for k, v in body.items() if k in _CREATE_COLUMNS}
        if not isinstance(values.get("parser_id", "naive"), str):
            values.pop("parser_id")
        if not isinstance(values.get("parser_config"), dict):
            values["parser_config"] = default_parser_config(values.get("parser_id", "naive"))
        return store.insert(name=final, embd_id=self.tenant.embd_id, **values)

    def update_kb(self, body: dict[str, Any]) -> dict[str, Any]:
        """updateKnowledgebase: the body's columns written (any other key fails as peewee does); the row back."""
        kb_id = body["kb_id"]
        dataset = self.accessible_kb(kb_id)
        name = body["name"]
        if not isinstance(name, str):
            raise PythonError.from_exception(AttributeError(f"'{type(name).__name__}' object has no attribute 'lower'"))
        store = self.tenant.datasets
        if name.lower() != dataset.name.lower():
            other = store.by_name(name)
            if other is not None:
                raise data_error("Duplicated knowledgebase name.")
        changes = {k: v for k, v in body.items() if k != "kb_id"}
        clock = self.tenant.clock
        check_update_fields(changes, DATASET_COLUMNS, clock)
        for key, value in changes.items():
            setattr(dataset, key, copy.deepcopy(value))
        clock.touch(dataset)
        row = kb_row(dataset)
        row.update(copy.deepcopy(changes))
        return row

    def detail(self, kb_id: str) -> dict[str, Any]:
        """getKnowledgebaseDetail: the row and `size` (the bytes of its documents)."""
        dataset = self.owned_kb(kb_id)
        row = kb_row(dataset)
        row["size"] = sum(d.size for d in self.tenant.documents.documents_of(dataset.id))
        return row

    def listing(
        self, *, keywords: str, parser_id: str | None, orderby: str, desc: bool, page: int, page_size: int
    ) -> tuple[list[Dataset], int]:
        """listKnowledgebases: the caller's valid knowledge bases filtered by name keywords and parser, ordered;
        `page`/`page_size` 0 means everything."""
        found = list(self.tenant.datasets.items.values())
        if keywords:
            needle = collation_key(keywords)
            found = [d for d in found if needle in collation_key(d.name)]
        if parser_id:
            found = [d for d in found if d.parser_id == parser_id]
        ordered = order_records(found, orderby, desc, "Knowledgebase", Dataset.columns, DATASET_COLUMNS)
        if page and page_size:
            return mysql_page(ordered, page, page_size), len(ordered)
        return ordered, len(ordered)

    def remove_kb(self, kb_id: Any) -> None:
        """removeKnowledgebase: the knowledge base, its documents, their bytes and chunks."""
        self.tenant.datasets.remove(self.accessible_kb(kb_id))

    # -- documents -------------------------------------------------------------------------------
    def upload(self, kb_id: str, uploads: list[tuple[str, bytes]]) -> tuple[list[Document], list[str]]:
        """uploadWebDocuments: each file stored (failures collected as `<file>: <reason>`)."""
        dataset = self.kb(kb_id)
        if dataset is None:
            raise PythonError("LookupError", "Can't find this knowledgebase!")
        stored: list[Document] = []
        errors: list[str] = []
        for filename, data in uploads:
            try:
                stored.append(self.tenant.documents.upload(dataset, filename, data, self.tenant.tenant_id))
            except UploadFailure as exc:
                errors.append(f"{filename}: {exc}")
        return stored, errors

    def documents(
        self,
        kb_id: str,
        *,
        keywords: str,
        page: int,
        page_size: int,
        orderby: str,
        desc: bool,
        run_status: list[Any],
        types: list[Any],
    ) -> tuple[list[Document], int]:
        """listWebDocuments: one read of every running parse, then filters, order and page (0: everything)."""
        self.owned_kb(kb_id)
        bad_status = [s for s in run_status if s not in VALID_RUN_STATUS]
        if bad_status:
            raise data_error(f"Invalid filter run status conditions: {', '.join(map(str, bad_status))}")
        bad_types = [t for t in types if t not in VALID_FILE_TYPES]
        if bad_types:
            plural = "s" if len(bad_types) > 1 else ""
            raise data_error(f"Invalid filter conditions: {', '.join(map(str, bad_types))} type{plural}")
        store = self.tenant.documents
        store.poll_dataset(kb_id)
        found = store.documents_of(kb_id)
        if keywords:
            found = [d for d in found if keywords.lower() in d.name.lower()]
        if run_status:
            found = [d for d in found if d.run in run_status]
        if types:
            found = [d for d in found if d.type in types]
        ordered = order_records(found, orderby, desc, "Document", Document.columns, DOCUMENT_COLUMNS)
        if page and page_size:
            return mysql_page(ordered, page, page_size), len(ordered)
        return ordered, len(ordered)

    def run(self, doc_ids: Any, run: Any, delete: Any) -> None:
        """runDocuments: `run` "1" (re)queues parsing, "2" cancels; every id is checked before any runs."""
        targets = iterate(doc_ids)
        for doc_id in targets:
            self.accessible_doc(doc_id)
        wanted = python_str(run)
        store = self.tenant.documents
        for doc_id in targets:
            doc = store.find(doc_id)
            if doc is None:
                raise data_error("Document not found!")
            store.forget_run(doc.id)
            doc.progress = 0.0
            if wanted == RUNNING:
                if doc.chunk_num or doc.token_num:
                    store.adjust(doc, -doc.chunk_num, -doc.token_num)
                store.parse(doc)
            else:
                doc.run = wanted
                if wanted == CANCEL and delete:
                    store.clear_chunks(doc)
            self.tenant.clock.touch(doc)

    def remove_documents(self, doc_ids: Any) -> None:
        """removeWebDocuments: `doc_id` is one id or a list; chunks, bytes and counters go with each."""
        targets = [doc_ids] if isinstance(doc_ids, str) else iterate(doc_ids)
        for doc_id in targets:
            self.accessible_doc(doc_id)
        store = self.tenant.documents
        for doc_id in targets:
            doc = store.find(doc_id)
            if doc is None:
                raise data_error("Document not found!")
            store.remove(doc)

    def rename(self, doc_id: Any, name: Any) -> None:
        """renameWebDocument: same extension, unique in its knowledge base; the chunks' `docnm_kwd` follow."""
        doc = self.accessible_doc(doc_id)
        if not isinstance(name, str):
            raise PythonError.from_exception(AttributeError(f"'{type(name).__name__}' object has no attribute 'lower'"))
        if pathlib.PurePosixPath(name.lower()).suffix != pathlib.PurePosixPath(doc.name.lower()).suffix:
            raise argument_error("The extension of file can't be changed")
        if any(d.kb_id == doc.kb_id for d in self.tenant.documents.named_exactly(name)):
            raise data_error("Duplicated document name in the same knowledgebase.")
        doc.name = name
        chunks = self.tenant.chunks
        for chunk in chunks.chunks_of(doc.id):
            chunk.docnm_kwd = name
            chunks.replace(chunk)

    def change_status(self, doc_id: Any, status: Any) -> None:
        """changeWebDocumentStatus: "0" disables the document and its chunks for retrieval, "1" enables."""
        if python_str(status) not in ("0", "1"):
            raise argument_error('"Status" must be either 0 or 1!')
        doc = self.accessible_doc(doc_id)
        if self.tenant.datasets.get(doc.kb_id) is None:
            raise data_error("Can't find this knowledgebase!")
        doc.status = python_str(status)
        self.tenant.chunks.set_available(doc.id, int(doc.status))

    def change_parser(self, doc_id: Any, parser_id: Any, parser_config: Any) -> None:
        """changeWebDocumentParser: a new chunking method resets the document to UNSTART and drops its chunks."""
        doc = self.accessible_doc(doc_id)
        same_config = parser_config is None or parser_config == doc.parser_config
        if doc.parser_id.lower() == python_str(parser_id).lower() and same_config:
            return
        if (doc.type == files.VISUAL and parser_id != "picture") or (
            doc.name.lower().endswith((".ppt", ".pptx", ".pages")) and parser_id != "presentation"
        ):
            raise data_error("Not supported yet!")
        store = self.tenant.documents
        store.reset_run(doc)
        doc.parser_id = python_str(parser_id)
        if isinstance(parser_config, dict):
            doc.parser_config = copy.deepcopy(parser_config)
        if doc.chunk_num or doc.token_num:
            store.adjust(doc, -doc.chunk_num, -doc.token_num)
        doc.chunk_num = doc.token_num = 0
        store.clear_chunks(doc)

    def infos(self, doc_ids: Any) -> list[Document]:
        """getWebDocumentInfos: the documents' rows (every id must be accessible)."""
        return [self.accessible_doc(doc_id) for doc_id in iterate(doc_ids)]


def thumbnails(tenants: Iterable[TenantBackend], doc_ids: list[str]) -> dict[str, str]:
    """getDocumentThumbnails (no auth, so any tenant's documents): id → thumbnail as the UI fetches it."""
    found: dict[str, str] = {}
    stores = [t.documents for t in tenants]
    for doc_id in doc_ids:
        for store in stores:
            doc = store.find(doc_id)
            if doc is not None:
                found[doc.id] = thumbnail_url(doc)
                break
    return found
