"""Profile `2024-06-dataset`: the document and parsing rules of v0.10.0's `/api/v1/dataset/{id}/documents`.

Documents are looked up by id wherever the caller's lookups reach (v0.10.0 checked neither membership nor
ownership on most routes); starting a parse resets the document and queues nothing (the seed's behaviour);
the parsing status reads the enable flag, which stopping sets to `"2"`.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from mockserver.core.errors import ArgumentError, DataError, PythonError, RagflowError, RetCode
from mockserver.core.pagination import collation_key, order_records, python_int
from mockserver.core.python_failures import no_attribute
from mockserver.families.dataset_2024_06.service import DatasetApi
from mockserver.families.dataset_2024_06.views import (
    DOC_COLUMNS,
    MAX_UPLOAD_FILES,
    NO_PARAMETER,
    PARSER_IDS,
    TASK_STATUS,
    UPLOAD_KEYS,
    document_row,
    member,
    py_str,
    sliced,
)
from mockserver.families.documents import files
from mockserver.families.documents.models import DOCUMENT_COLUMNS, Document, UploadFailure

PARSE_BUG = "2024-06-dataset.parse_bug"
"""`Settings.extra` switch: `v0.10` answers a started parse of a non-empty file as v0.9/v0.10 did (the chunker call
was commented out: `NameError`); unset, the seed-era answer `{"code":0,"message":""}`. Both only reset the document."""


class DocumentApi(DatasetApi):
    """The caller's view of documents and parsing through the 2024-06 routes (and, inherited, of datasets)."""

    def upload(self, dataset_id: str, parts: list[tuple[str, bytes]], *, any_file: bool) -> list[dict[str, Any]]:
        """v10UploadDocuments: into any dataset by id; unsupported types stop the upload at once. Only a request
        without any file part is refused (file parts under another name make an empty upload)."""
        if not any_file:
            raise ArgumentError("There is no file!")
        if len(parts) > MAX_UPLOAD_FILES:
            raise DataError(
                f"You try to upload {len(parts)} files, which exceeds the maximum number of uploading files: "
                f"{MAX_UPLOAD_FILES}"
            )
        found = self.any_dataset(dataset_id)
        if found is None:
            raise DataError("Can't find this dataset")
        owner, dataset = found
        for filename, _ in parts:
            if not filename:
                raise ArgumentError("There is a file without name!")
            if "http" in filename:
                raise ArgumentError("Remote files have not unsupported.")
        stored: list[dict[str, Any]] = []
        errors: list[str] = []
        for filename, data in parts:
            try:
                doc = owner.documents.upload(dataset, filename, data, self.tenant.tenant_id)
            except UploadFailure as exc:
                if str(exc) in (files.UNSUPPORTED, "Exceed the maximum file number of a free user!"):
                    raise DataError(str(exc)) from None
                errors.append(f"{filename}: {exc}")
                continue
            view = {key: copy.deepcopy(getattr(doc, key)) for key in UPLOAD_KEYS}
            view["thumbnail"] = doc.thumbnail or None
            stored.append(view)
        if errors:
            raise RagflowError("\n".join(errors), code=RetCode.SERVER_ERROR.value)
        return stored

    def delete_document(self, dataset_id: str, document_id: str) -> None:
        """v10DeleteDocument: by id anywhere the caller reaches; it must sit in the path's dataset."""
        found = self.any_document(document_id)
        if found is None:
            raise DataError(f"Document {document_id} not found!")
        owner, doc = found
        if owner.datasets.get(doc.kb_id) is None:
            raise RagflowError(
                f"You cannot delete this document {document_id} due to the authorization reason!",
                code=RetCode.AUTHENTICATION_ERROR.value,
            )
        if doc.kb_id != dataset_id:
            raise ArgumentError(
                f"The document {document_id} is not in the dataset: {dataset_id}, but in the dataset: {doc.kb_id}."
            )
        owner.documents.remove(doc)

    def documents(self, dataset_id: str, query: dict[str, str]) -> dict[str, Any]:
        """v10ListDocuments: keyword filter, `descend` only as `True`/`False`, then the offset/count slice (without
        keywords served from the table's ordered index: O(page))."""
        offset, count = python_int(query.get("offset"), 0), python_int(query.get("count"), -1)
        found = self.any_dataset(dataset_id)
        if found is None:
            return {"docs": sliced([], offset, count), "total": 0}
        store = found[0].documents
        keywords = query.get("keywords", "")
        descend = query.get("descend")
        order_by = query.get("order_by", "create_time")
        if descend in ("True", "False") and order_by not in DOC_COLUMNS:
            raise PythonError("AttributeError", f"type object 'Document' has no attribute '{order_by}'")
        total = store.table.count(dataset_id)
        page: list[Document] | None = None
        if not keywords and count >= -1 and 0 <= offset <= total:
            size = total - offset if count == -1 else count
            if descend in ("True", "False"):
                page = store.table.page(dataset_id, order_by, descend == "True", offset, size)
            else:
                ids = itertools.islice(store.by_dataset.get(dataset_id, {}), offset, offset + size)
                page = [store.items[i] for i in ids]
        if page is None:
            rows = store.documents_of(dataset_id)
            if keywords:
                needle = collation_key(keywords + "\x00")[:-1]
                rows = [d for d in rows if needle in collation_key(d.name + "\x00")]
            if descend in ("True", "False"):
                rows = order_records(rows, order_by, descend == "True", "Document", Document.columns, DOCUMENT_COLUMNS)
            total, page = len(rows), sliced(rows, offset, count)
        for doc in page:
            store.refresh(doc)
        return {"docs": [document_row(d) for d in page], "total": total}

    def update_document(self, dataset_id: str, document_id: str, body: Any) -> dict[str, Any]:
        """v10UpdateDocument: `name`, `enable` (never accepted), `template_type`."""
        if not isinstance(body, dict):
            raise no_attribute(body, "keys")
        for key in body:
            if key not in ("name", "enable", "template_type"):
                raise ArgumentError(f"{key} is an illegal parameter.")
        if not body:
            raise DataError(NO_PARAMETER)
        self.dataset_or(dataset_id, f"This dataset {dataset_id} cannot be found!")
        doc = self.document_or(document_id, f"This document {document_id} cannot be found!")
        owner = self.owner_of(doc)
        changes: dict[str, Any] = {}
        if "name" in body:
            new_name = body["name"]
            if not new_name:
                raise DataError("There is no new name.")
            if not isinstance(new_name, str):
                raise no_attribute(new_name, "strip")
            stripped = new_name.strip()
            if files.extension_changed(doc.name, stripped):
                raise RagflowError("The extension of file cannot be changed", data=False, code=101)
            if any(d.kb_id == doc.kb_id for d in owner.documents.named_exactly(stripped)):
                raise ArgumentError("Duplicated document name in the same dataset.")
            changes["name"] = new_name
        if "enable" in body:
            raise DataError(f"Illegal value {py_str(body['enable'])} for 'enable' field.")
        if "template_type" in body:
            if not member(body["template_type"], PARSER_IDS):
                raise DataError(f"Illegal value {py_str(body['template_type'])} for 'template_type' field.")
            changes["parser_id"] = body["template_type"]
        for key, value in changes.items():
            setattr(doc, key, value)
        self.tenant.clock.touch(doc)
        return document_row(doc)

    def download(self, dataset_id: str, document_id: str) -> tuple[Document, bytes]:
        """v10DownloadDocument: the stored bytes (an empty file is a 102)."""
        self.dataset_or(dataset_id, f"This dataset '{dataset_id}' cannot be found!")
        doc = self.document_or(document_id, f"This document '{document_id}' cannot be found!")
        data = self.owner_of(doc).documents.blob(doc)
        if not data:
            raise DataError("This file is empty.")
        return doc, data

    # -- parsing ---------------------------------------------------------------------------------
    def start_parsing(self, dataset_id: str, document_ids: list[Any] | None) -> str:
        """v10StartParsing(Documents): reset each document; v0.10.0 never queued a task (the seed's behaviour:
        the chunker ran and its result was dropped). Returns the concatenated messages."""
        self.dataset_or(dataset_id, f"This dataset '{dataset_id}' cannot be found!")
        targets = document_ids if document_ids is not None else self._all_documents(dataset_id)
        messages = ""
        for document_id in targets:
            doc = self.document_or(str(document_id), f"This document '{document_id}' cannot be found!")
            owner = self.owner_of(doc)
            store = owner.documents
            store.forget_run(doc.id)
            store.clear_chunks(doc)
            doc.run, doc.progress, doc.progress_msg, doc.chunk_num, doc.token_num = "1", 0.0, "", 0, 0
            self.tenant.clock.touch(doc)
            if not store.blob(doc):
                messages += f"Empty data in the document: {doc.location}; "
            elif self.tenant.settings.extra.get(PARSE_BUG) == "v0.10":
                raise RagflowError("NameError(\"name 'doc_parse' is not defined\")", code=RetCode.EXCEPTION_ERROR.value)
        return messages

    def stop_parsing(self, dataset_id: str, document_ids: list[Any] | None) -> None:
        """v10StopParsing(Documents): an enabled document's enable flag becomes `"2"` (`run` untouched)."""
        self.dataset_or(dataset_id, f"This dataset '{dataset_id}' cannot be found!")
        targets = document_ids if document_ids is not None else self._all_documents(dataset_id)
        for document_id in targets:
            doc = self.document_or(str(document_id), f"This document '{document_id}' cannot be found!")
            if doc.status == "1":
                doc.status = "2"
                self.tenant.clock.touch(doc)

    def status(self, dataset_id: str, document_id: str) -> dict[str, Any]:
        """v10GetParsingStatus: `progress` and the enable flag read as a TaskStatus."""
        self.dataset_or(dataset_id, f"This dataset: '{dataset_id}' cannot be found!")
        doc = self.document_or(
            document_id, f"This document: '{document_id}' is not a valid document.", RetCode.DATA_ERROR.value
        )
        name = TASK_STATUS.get(doc.status)
        if name is None:
            raise PythonError("ValueError", f"{doc.status!r} is not a valid TaskStatus")
        return {"progress": doc.progress, "status": name}

    def _all_documents(self, dataset_id: str) -> list[Any]:
        found = self.any_dataset(dataset_id)
        return [] if found is None else [d.id for d in found[0].documents.documents_of(dataset_id)]
