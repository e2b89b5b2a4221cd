"""Documents: `DocumentStore` (upload, storage, listing, update, deletion, bulk parse and stop) and its rules."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from mockserver.core.bulk import bulk_delete
from mockserver.core.errors import ArgumentError, DataError, PythonError, ServerError
from mockserver.core.indexes import Table
from mockserver.core.pagination import collation_key, mysql_page, order_records, table_page
from mockserver.core.python_failures import no_attribute, py_int, utf8
from mockserver.core.validation import check_duplicate_ids, partial_result
from mockserver.families.datasets.models import Dataset, DatasetStore
from mockserver.families.datasets.schemas import CHUNK_METHODS, default_parser_config
from mockserver.families.documents import files
from mockserver.families.documents.parsing import Chunked, ParseRuns
from mockserver.families.documents.records import (
    DOCUMENT_COLUMNS,
    DOCUMENT_KEYS,
    OF_DATASET,
    Document,
    DocumentTenant,
    merge_parser_config,
)
from mockserver.families.documents.schemas import UNSET, DocumentUpdate

BulkReply = dict[str, Any] | None  # a bulk route's data: None, or the partial-success object
__all__ = ["DOCUMENT_COLUMNS", "Document", "DocumentStore", "DocumentTenant", "UploadFailure", "upload_target"]

DOCUMENT_CHUNK_METHODS = frozenset((*CHUNK_METHODS, "knowledge_graph"))
"""Chunk methods a document update accepts: a dataset's, and `knowledge_graph`."""


class UploadFailure(Exception):
    """One file of an upload failed; the text becomes `<filename>: <text>`."""


class DocumentOwner(Protocol):
    """A tenant as the upload route sees it: whose dataset it is decides whose documents store stores the file."""

    @property
    def datasets(self) -> DatasetStore:
        """The tenant's datasets."""
        ...

    @property
    def documents(self) -> DocumentStore:
        """The tenant's documents."""
        ...


def upload_target(
    caller: DocumentOwner, tenants: Iterable[DocumentOwner], dataset_id: str, *, strict: bool
) -> tuple[DocumentStore, Dataset]:
    """uploadDocuments: the store and dataset a file goes to. The server does not check ownership (see quirks):
    without strict tenant isolation another tenant's dataset takes the upload."""
    dataset = caller.datasets.get(dataset_id)
    if dataset is not None:
        return caller.documents, dataset
    if not strict:
        for tenant in tenants:
            found = tenant.datasets.get(dataset_id)
            if found is not None:
                return tenant.documents, found
    raise PythonError("LookupError", f"Can't find the dataset with ID {dataset_id}!")


class DocumentStore(ParseRuns):
    """A tenant's documents, their stored bytes and (through `ParseRuns`) their parse runs."""

    def __init__(self, tenant: DocumentTenant) -> None:
        super().__init__(tenant)
        self.items: dict[str, Document] = {}
        self.table: Table[Document] = Table(lambda: self.items, DOCUMENT_KEYS, OF_DATASET)
        self.by_dataset: dict[str, dict[str, None]] = {}
        self.blobs: dict[tuple[str, str], bytes] = {}
        """Object storage: (dataset id, location) → bytes."""

    # -- lookups ---------------------------------------------------------------------------------
    def find(self, doc_id: Any) -> Document | None:
        """Any document of the tenant with this id (ids compare case-insensitively, like MySQL)."""
        if not isinstance(doc_id, str):
            return None
        return self.items.get(doc_id) or self.items.get(doc_id.lower())

    def get(self, dataset_id: str, doc_id: Any) -> Document | None:
        """The document with this id if it belongs to the dataset."""
        doc = self.find(doc_id)
        return doc if doc is not None and doc.kb_id == dataset_id else None

    def named(self, dataset_id: str, name: str) -> Document | None:
        """The dataset's document with this name under MySQL collation."""
        return self.table.first("name", (dataset_id, collation_key(name)))

    def named_exactly(self, name: Any) -> list[Document]:
        """The tenant's documents whose name equals `name` exactly, in upload order (any dataset)."""
        return self.table.find("exact", name) if isinstance(name, str) else []

    def documents_of(self, dataset_id: str) -> list[Document]:
        """The dataset's documents in upload order."""
        return [self.items[i] for i in self.by_dataset.get(dataset_id, {})]

    def blob(self, doc: Document) -> bytes:
        """The stored bytes of a document (empty when missing)."""
        return self.blobs.get((doc.kb_id, doc.location), b"")

    def adjust(self, doc: Document, chunks: int, tokens: int) -> None:
        """Add to the document's and its dataset's chunk and token counters."""
        self.tenant.chunks.count(doc, chunks, tokens)

    # -- the routes' checks of their path (made before the body is read) -----------------------------
    def owned(
        self,
        dataset_id: str,
        document_id: str,
        *,
        dataset_message: str | None = None,
        document_message: str | None = None,
    ) -> Document:
        """The document of the caller's dataset, or a 102 in the operation's wording (defaults: addChunk's,
        listChunks', updateChunk's `You don't own the dataset <id>.` / `You don't own the document <id>.`)."""
        self.tenant.datasets.owned(dataset_id, dataset_message)
        doc = self.get(dataset_id, document_id)
        if doc is None:
            raise DataError(
                f"You don't own the document {document_id}." if document_message is None else document_message
            )
        return doc

    def located(self, dataset_id: str, document_id: str) -> Document:
        """deleteChunks: the caller's dataset, and the document by id anywhere in the tenant."""
        self.tenant.datasets.owned(dataset_id)
        doc = self.find(document_id)
        if doc is None:
            raise PythonError("LookupError", f"Can't find the document with ID {document_id}!")
        return doc

    def updatable(self, dataset_id: str, document_id: str) -> Document:
        """updateDocument: the path document, in that route's wording."""
        return self.owned(
            dataset_id,
            document_id,
            dataset_message="You don't own the dataset.",
            document_message="The dataset doesn't own the document.",
        )

    def in_dataset(self, dataset_id: str) -> Dataset:
        """listDocuments, deleteDocuments: the path dataset, in those routes' wording (a trailing space)."""
        return self.tenant.datasets.owned(dataset_id, f"You don't own the dataset {dataset_id}. ")

    def download(self, dataset_id: str, document_id: str) -> tuple[Document, bytes]:
        """downloadDocument: the document and its bytes (an empty file is a 102)."""
        doc = self.owned(
            dataset_id,
            document_id,
            dataset_message=f"You do not own the dataset {dataset_id}.",
            document_message=f"The dataset not own the document {document_id}.",
        )
        data = self.blob(doc)
        if not data:
            raise DataError("This file is empty.")
        return doc, data

    # -- upload ----------------------------------------------------------------------------------
    def upload_files(self, dataset: Dataset, uploads: list[tuple[str, bytes]], uploader: str) -> list[Document]:
        """uploadDocuments: store each file in a dataset still the tenant's (no orphans under a deleted id);
        failures are collected and reported together (successes are kept)."""
        if self.tenant.datasets.get(dataset.id) is not dataset:
            raise PythonError("LookupError", f"Can't find the dataset with ID {dataset.id}!")
        stored: list[Document] = []
        errors: list[str] = []
        for filename, data in uploads:
            try:
                stored.append(self.upload(dataset, filename, data, uploader))
            except UploadFailure as exc:
                errors.append(f"{filename}: {exc}")
        if errors:
            raise ServerError("\n".join(errors))
        return stored

    def upload(self, dataset: Dataset, name: str, data: bytes, by: str | None = None, other: bool = False) -> Document:
        """Store one file as a new document (name de-duplicated, type checked or `other`, thumbnail made)."""
        limit = self.tenant.settings.max_file_num_per_user
        if limit is not None and 0 < limit <= len(self.items):
            raise UploadFailure("Exceed the maximum file number of a free user!")
        final = files.deduplicate(name, lambda n: self.named(dataset.id, n) is not None)
        kind = files.file_type(final) or ("other" if other else None)
        if kind is None:
            raise UploadFailure(files.UNSUPPORTED)
        location = final
        while (dataset.id, location) in self.blobs:
            location += "_"
        self.blobs[(dataset.id, location)] = data
        doc_id = self.tenant.ids.entity()
        try:
            thumbnail = files.thumbnail_for(final, data, doc_id)
        except ValueError as exc:  # the bytes stay in storage, as on the server
            raise UploadFailure(str(exc)) from None
        clock = self.tenant.clock
        now = clock.now()
        doc = Document(
            id=doc_id,
            kb_id=dataset.id,
            name=final,
            location=location,
            size=len(data),
            type=kind,
            parser_id=files.chunk_method_for(final, kind, dataset.parser_id),
            parser_config=copy.deepcopy(dataset.parser_config),
            created_by=by or self.tenant.tenant_id,
            create_time=clock.epoch_ms(now),
            create_date=clock.http_date(now),
            thumbnail=thumbnail,
            **clock.updated(),
        )
        self.table.put(doc.id, doc)
        self.by_dataset.setdefault(dataset.id, {})[doc.id] = None
        dataset.doc_num += 1
        self.tenant.datasets.touch(dataset)
        return doc

    # -- listing ---------------------------------------------------------------------------------
    def check_listing(self, dataset_id: str, doc_id: str | None, name: str | None) -> None:
        """listDocuments: the path dataset, then an `id` or `name` filter must name one of its documents."""
        self.in_dataset(dataset_id)
        if doc_id and self.get(dataset_id, doc_id) is None:
            raise DataError(f"You don't own the document {doc_id}.")
        if name and self.named(dataset_id, name) is None:
            raise DataError(f"You don't own the document {name}.")

    def listing(
        self,
        dataset_id: str,
        *,
        doc_id: str | None,
        name: str | None,
        keywords: str,
        page: int,
        page_size: int,
        orderby: str,
        desc: bool,
    ) -> tuple[list[Document], int]:
        """listDocuments: filter, observe (advance parse runs), order and page; `total` counts before paging."""
        if not (doc_id or name or keywords):
            self.poll_dataset(dataset_id)
            found = table_page(
                self.table,
                dataset_id,
                orderby=orderby,
                desc=desc,
                page=page,
                page_size=page_size,
                model_name="Document",
                known=DOCUMENT_COLUMNS,
            )
            return found, self.table.count(dataset_id)
        if doc_id:
            found_doc = self.get(dataset_id, doc_id)
            matches = [found_doc] if found_doc is not None else []
        elif name:
            matches = self.table.find("name", (dataset_id, collation_key(name)))
        else:
            matches = self.documents_of(dataset_id)
        if doc_id:
            matches = [d for d in matches if d.id.lower() == doc_id.lower()]
        if name:
            key = collation_key(name)
            matches = [d for d in matches if collation_key(d.name) == key]
        if keywords:
            needle = collation_key(keywords + "\x00")[:-1]
            matches = [d for d in matches if needle in collation_key(d.name + "\x00")]
        for doc in matches:
            self.refresh(doc, poll=True)
        ordered = order_records(matches, orderby, desc, "Document", Document.columns, DOCUMENT_COLUMNS)
        return mysql_page(ordered, page, page_size), len(matches)

    # -- deletion --------------------------------------------------------------------------------
    def delete_many(self, dataset_id: str, ids: Any) -> dict[str, Any] | None:
        """deleteDocuments: the ids sent (all of the dataset's when falsy; any of the tenant's documents may be
        named); the ids not found fail together after the others are deleted."""
        return bulk_delete(
            ids,
            "document",
            everything=lambda: list(self.by_dataset.get(dataset_id, {})),
            find=self.find,
            remove=self.remove,
            not_found=_documents_not_found,
        )

    def remove(self, doc: Document) -> None:
        """Hard-delete a document: chunks, bytes, row; the dataset's counters go down by its counters."""
        dataset = self.tenant.datasets.get(doc.kb_id)
        if dataset is not None:
            dataset.doc_num -= 1
        self.adjust(doc, -doc.chunk_num, -doc.token_num)
        self.tenant.chunks.remove_document(doc.id)
        self.blobs.pop((doc.kb_id, doc.location), None)
        self.forget_run(doc.id)
        self.progressions.pop(doc.id, None)
        self.table.pop(doc.id)
        self.by_dataset.get(doc.kb_id, {}).pop(doc.id, None)

    def drop_dataset(self, dataset_id: str) -> None:
        """Cascade of a dataset deletion: every document, its chunks and bytes."""
        for doc in self.documents_of(dataset_id):
            self.remove(doc)
        self.by_dataset.pop(dataset_id, None)
        for key in [k for k in self.blobs if k[0] == dataset_id]:
            del self.blobs[key]

    # -- parse runs ------------------------------------------------------------------------------
    def parse_many(self, dataset_id: str, ids: Any, ahead: Mapping[str, Chunked] | None = None) -> BulkReply:
        """parseDocuments: queue each document of the dataset; the ids not found fail together afterwards.
        `ahead` holds chunkings `chunk_ahead` computed off the event loop."""
        # The server's parse route runs the bulk-delete loop with `parse` as the action (`ids` is never empty).
        return bulk_delete(
            ids,
            "document",
            list,
            find=lambda t: self.get(dataset_id, t),
            remove=lambda doc: self.parse(doc, (ahead or {}).get(doc.id)),
            not_found=_documents_not_found,
        )

    def stop_many(self, dataset_id: str, ids: Any) -> dict[str, Any] | None:
        """stopParsingDocuments: cancel each document's run; the first id not in the dataset fails at once."""
        targets, duplicates = check_duplicate_ids(ids, "document")
        for target in targets:
            doc = self.get(dataset_id, target)
            if doc is None:
                raise DataError(f"You don't own the document {target}.")
            self.stop(doc)
        return partial_result([], duplicates, len(targets))

    # -- update ----------------------------------------------------------------------------------
    def update(self, doc: Document, update: DocumentUpdate) -> bool | None:
        """updateDocument: the rules in the server's order; earlier effects persist when a later step fails.

        Returns the reply's data: True when `enabled` changed the status, else None."""
        self.refresh(doc)  # the run's progress as of now (requests settle only the runs due)
        for key, column in (("chunk_count", "chunk_num"), ("token_count", "token_num"), ("progress", "progress")):
            sent = getattr(update, key)
            if sent is not UNSET and sent != getattr(doc, column):
                raise DataError(f"Can't change `{key}`.")
        self.tenant.clock.touch(doc)
        if update.meta_fields is not UNSET:
            if not isinstance(update.meta_fields, dict):
                raise DataError("meta_fields must be a dictionary")
            doc.meta_fields = copy.deepcopy(update.meta_fields)
        if update.name is not UNSET and update.name != doc.name:
            self._rename(doc, update.name)
        if update.parser_config is not UNSET:
            merge_parser_config(doc, update.parser_config)
        if update.chunk_method is not UNSET:
            sent_config = None if update.parser_config is UNSET else update.parser_config
            if self._change_chunk_method(doc, update.chunk_method, sent_config):
                return None
        if update.enabled is not UNSET:
            status = py_int(update.enabled)
            if doc.status != update.enabled:
                doc.status = str(status)
                self.tenant.chunks.set_available(doc.id, status)
                return True
        return None

    def _rename(self, doc: Document, name: Any) -> None:
        if not isinstance(name, str):
            raise no_attribute(name, "encode")
        if len(utf8(name)) >= 128:
            raise ArgumentError("The name should be less than 128 bytes.")
        if files.extension_changed(doc.name, name):
            raise ArgumentError("The extension of file can't be changed")
        if any(d.kb_id == doc.kb_id for d in self.named_exactly(name)):
            raise DataError("Duplicated document name in the same dataset.")
        doc.name = name

    def _change_chunk_method(self, doc: Document, method: Any, sent_config: Any) -> bool:
        """Apply a chunk_method change; True when the method was already set (the update stops there)."""
        if method not in DOCUMENT_CHUNK_METHODS:
            raise DataError(f"`chunk_method` {method} doesn't exist")
        if doc.parser_id.lower() == method.lower():
            return True
        if doc.type == files.VISUAL or re.search(r"\.(ppt|pptx|pages)$", doc.name):
            raise DataError("Not supported yet!")
        doc.parser_id = method
        self.reset_run(doc)
        merge_parser_config(doc, sent_config if sent_config else default_parser_config(method))
        if doc.token_num > 0:
            self.adjust(doc, -doc.chunk_num, -doc.token_num)
            doc.chunk_num = doc.token_num = 0
            doc.process_duation = 0.0
            self.clear_chunks(doc)
        return False


def _documents_not_found(ids: list[Any]) -> DataError:
    return DataError(f"Documents not found: {ids!r}")
