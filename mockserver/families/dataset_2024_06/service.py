"""Profile `2024-06-dataset` (RAGFlow v0.10.0 `/api/v1/dataset`): its rules and views over the shared stores.

Datasets, documents and chunks are the current profile's records; this module renames nothing in storage, it
reads and writes them the way v0.10.0's `dataset_api.py` did (internal column names on the wire, `offset`/`count`
slices, duplicate names renamed, the enable flag as parsing status). Errors the handlers caught are code-100
`{"code","message"}` bodies (`caught`); what escaped them is the old builder's (see `mockserver.http.historical`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mockserver.core.errors import ArgumentError, DataError, OperatingError, PythonError, RagflowError, RetCode
from mockserver.core.pagination import collation_key, order_records
from mockserver.core.python_failures import gettable, invalid_int_literal, no_attribute
from mockserver.families.datasets.models import DATASET_COLUMNS, Dataset
from mockserver.families.documents import files
from mockserver.families.documents.models import DOCUMENT_COLUMNS, Document, UploadFailure
from mockserver.families.legacy.service import LegacyScope
from mockserver.state.backend import TenantBackend

PARSER_IDS = (
    "presentation",
    "laws",
    "manual",
    "paper",
    "resume",
    "book",
    "qa",
    "table",
    "naive",
    "picture",
    "one",
    "audio",
    "email",
    "knowledge_graph",
)
"""v0.10.0's `ParserType` values (`chunk_method` / `template_type` must be one of them)."""
DATASET_KEYS = (
    "avatar",
    "chunk_num",
    "create_date",
    "create_time",
    "created_by",
    "description",
    "doc_num",
    "embd_id",
    "id",
    "language",
    "name",
    "parser_config",
    "parser_id",
    "permission",
    "similarity_threshold",
    "status",
    "tenant_id",
    "token_num",
    "update_date",
    "update_time",
    "vector_similarity_weight",
)
"""The 21 columns of a v0.10.0 Knowledgebase row (no `pagerank` yet)."""
DETAIL_KEYS = (
    "avatar",
    "chunk_num",
    "description",
    "doc_num",
    "embd_id",
    "id",
    "language",
    "name",
    "parser_config",
    "parser_id",
    "permission",
    "token_num",
)
"""The 12 keys of the details route."""
DOCUMENT_KEYS = tuple(c for c in DOCUMENT_COLUMNS if c != "meta_fields")
"""The 23 columns of a v0.10.0 Document row (no `meta_fields` yet)."""
UPLOAD_KEYS = (
    "created_by",
    "id",
    "kb_id",
    "location",
    "name",
    "parser_config",
    "parser_id",
    "size",
    "thumbnail",
    "type",
)
"""The request-side document dict the upload route answers with."""
TASK_STATUS = {"0": "UNSTART", "1": "RUNNING", "2": "CANCEL", "3": "DONE", "4": "FAIL"}
"""`TaskStatus(doc.status).name`: the parsing-status route reads the enable flag."""
_KB_COLUMNS = frozenset(DATASET_KEYS)
_DOC_COLUMNS = frozenset(DOCUMENT_KEYS)
_NO_PARAMETER = "Please input at least one parameter that you want to update!"
MAX_UPLOAD_FILES = 256


@contextmanager
def caught() -> Iterator[None]:
    """A handler's own `except Exception as e: return construct_error_response(e)`: code 100, the repr, no data."""
    try:
        yield
    except PythonError as err:
        raise RagflowError(err.message, code=RetCode.EXCEPTION_ERROR.value) from None


def py_str(value: Any) -> str:
    """Python's `f"{value}"` of a decoded JSON value (`True`, `None`, `['a']`)."""
    return value if isinstance(value, str) else str(value)


def dataset_row(dataset: Dataset) -> dict[str, Any]:
    """A D2/D5 item: the 21 internal columns."""
    return {key: copy.deepcopy(getattr(dataset, key)) for key in DATASET_KEYS}


def document_row(doc: Document) -> dict[str, Any]:
    """A D8/D9 item: the 23 internal columns (`thumbnail` null when there is none)."""
    row = {key: copy.deepcopy(getattr(doc, key)) for key in DOCUMENT_KEYS}
    row["thumbnail"] = doc.thumbnail or None
    return row


def _int_arg(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid_int_literal(raw) from None


def _sliced(rows: list[Any], offset: int, count: int) -> list[Any]:
    """`rows[offset:]` (count −1) or `rows[offset:offset+count]`, after the server's range check."""
    if offset < 0 or offset > len(rows):
        raise PythonError("IndexError", "Offset is out of the valid range.")
    return rows[offset:] if count == -1 else rows[offset : offset + count]


class DatasetApi:
    """One caller's view of the state through the 2024-06 routes (its tenant, and whose rows lookups reach)."""

    def __init__(self, scope: LegacyScope) -> None:
        self.scope = scope
        self.tenant: TenantBackend = scope.tenant

    # -- lookups the server made without an ownership check ------------------------------------------
    def any_dataset(self, dataset_id: str) -> tuple[TenantBackend, Dataset] | None:
        """A dataset by id in the tenants the caller's lookups reach."""
        for tenant in self.scope.tenants():
            found = tenant.datasets.get(dataset_id)
            if found is not None:
                return tenant, found
        return None

    def any_document(self, document_id: str) -> tuple[TenantBackend, Document] | None:
        """A document by id in the tenants the caller's lookups reach."""
        for tenant in self.scope.tenants():
            found = tenant.documents.find(document_id)
            if found is not None:
                return tenant, found
        return None

    def dataset_or(self, dataset_id: str, message: str, code: int = RetCode.DATA_ERROR.value) -> Dataset:
        """The dataset by id (any tenant), or the route's error."""
        found = self.any_dataset(dataset_id)
        if found is None:
            raise RagflowError(message, code=code)
        return found[1]

    def document_or(self, document_id: str, message: str, code: int = RetCode.ARGUMENT_ERROR.value) -> Document:
        """The document by id (any tenant, any dataset), or the route's error."""
        found = self.any_document(document_id)
        if found is None:
            raise RagflowError(message, code=code)
        return found[1]

    def owner_of(self, doc: Document) -> TenantBackend:
        """The tenant whose store holds a document."""
        for tenant in self.scope.tenants():
            if tenant.documents.find(doc.id) is doc:
                return tenant
        return self.tenant

    # -- datasets --------------------------------------------------------------------------------
    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """v10CreateDataset: `name` only; a taken name becomes `name(1)` (no duplicate error)."""
        name = body.get("name")
        if not name:
            raise DataError("Empty dataset name")
        if not isinstance(name, str):
            raise no_attribute(name, "strip")
        name = name.strip()
        if len(name) > 1024:
            raise DataError(f"Dataset name: {name} with length {len(name)} exceeds 1024!")
        extra = [key for key in body if key != "name"]
        if extra:
            raise DataError(f"fields: {extra!r}, are not allowed in request body.")
        store = self.tenant.datasets
        final = files.deduplicate(name, lambda n: store.by_name(n) is not None)
        dataset = store.insert(name=final, parser_id="naive", parser_config={"pages": [[1, 1000000]]})
        return {"dataset_id": dataset.id, "dataset_name": dataset.name}

    def listing(self, offset_arg: str | None, count_arg: str | None, orderby: str, desc_arg: str) -> list[Any]:
        """v10ListDatasets: the caller's datasets sorted, then the Python slice `[offset:offset+count]`."""
        offset, count = _int_arg(offset_arg, 0), _int_arg(count_arg, -1)
        store = self.tenant.datasets
        desc = desc_arg != ""
        if orderby not in _KB_COLUMNS:
            raise PythonError("AttributeError", f"type object 'Knowledgebase' has no attribute '{orderby}'")
        rows = list(store.items.values())
        if count >= 0 and 0 <= offset <= len(rows):
            served = store.table.page(True, orderby, desc, offset, count)
            if served is not None:
                return [dataset_row(d) for d in served]
        ordered = order_records(rows, orderby, desc, "Knowledgebase", Dataset.columns, DATASET_COLUMNS)
        return [dataset_row(d) for d in _sliced(ordered, offset, count)]

    def delete(self, dataset_id: str) -> str:
        """v10DeleteDataset: the caller's dataset and every document in it."""
        store = self.tenant.datasets
        dataset = store.get(dataset_id)
        if dataset is None:
            raise OperatingError("The dataset cannot be found for your current account.")
        store.remove(dataset)
        return f"Remove dataset: {dataset_id} successfully"

    def details(self, dataset_id: str) -> dict[str, Any]:
        """v10GetDataset: any dataset by id, 12 keys."""
        dataset = self.dataset_or(dataset_id, "Can't find this dataset!")
        return {key: copy.deepcopy(getattr(dataset, key)) for key in DETAIL_KEYS}

    def update(self, dataset_id: str, body: Any) -> dict[str, Any]:
        """v10UpdateDataset: the couplings of v0.10.0 (`template_type`, `chunk_num`), verbatim column copies."""
        if not body:
            raise DataError(_NO_PARAMETER)
        req = gettable(body)
        store = self.tenant.datasets
        dataset = store.get(dataset_id)
        if dataset is None:
            raise OperatingError("Only the owner of knowledgebase is authorized for this operation!")
        changes: dict[str, Any] = {}
        if "name" in req:
            new_name = req["name"]
            if not isinstance(new_name, str):
                raise no_attribute(new_name, "strip")
            stripped = new_name.strip()
            if stripped.lower() != dataset.name.lower() and len(store.table.find("name", collation_key(stripped))) > 1:
                raise DataError(
                    f"The name: {stripped.lower()} is already used by other datasets. Please choose a different name."
                )
        if req.get("embedding_model_id"):
            if req.get("chunk_num") != 0:
                raise DataError(
                    "You have already parsed the document in this dataset, so you cannot change the embedding model."
                )
            changes["embd_id"] = req["embedding_model_id"]
        if "chunk_method" in req:
            if not _member(req["chunk_method"], PARSER_IDS):
                raise DataError(f"Illegal value {py_str(req['chunk_method'])} for 'chunk_method' field.")
            if "template_type" not in req:
                raise PythonError("KeyError", "template_type")
            changes["parser_id"] = req["template_type"]
        if req.get("photo"):
            changes["avatar"] = req["photo"]
        if "layout_recognize" in req:
            changes["parser_config"] = {"layout_recognize": req["layout_recognize"]}
        for key in ("name", "language", "description", "permission", "token_num"):
            if key in req:
                changes[key] = req[key]
        for key, value in changes.items():
            setattr(dataset, key, value)
        store.touch(dataset)
        if "id" in req and req["id"] != dataset.id:
            raise DataError("Failed to get the dataset using the dataset ID.")
        return dataset_row(dataset)

    # -- documents -------------------------------------------------------------------------------
    def upload(self, dataset_id: str, parts: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
        """v10UploadDocuments: into any dataset by id; unsupported types stop the upload at once."""
        if not parts:
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
        """v10ListDocuments: keyword filter, `descend` only as `True`/`False`, then the offset/count slice."""
        offset, count = _int_arg(query.get("offset"), 0), _int_arg(query.get("count"), -1)
        found = self.any_dataset(dataset_id)
        rows = [] if found is None else found[0].documents.documents_of(dataset_id)
        keywords = query.get("keywords", "")
        if keywords:
            needle = collation_key(keywords + "\x00")[:-1]
            rows = [d for d in rows if needle in collation_key(d.name + "\x00")]
        descend = query.get("descend")
        if descend in ("True", "False"):
            order_by = query.get("order_by", "create_time")
            if order_by not in _DOC_COLUMNS:
                raise PythonError("AttributeError", f"type object 'Document' has no attribute '{order_by}'")
            rows = order_records(rows, order_by, descend == "True", "Document", Document.columns, DOCUMENT_COLUMNS)
        if found is not None:
            for doc in rows:
                found[0].documents.refresh(doc)
        return {"docs": [document_row(d) for d in _sliced(rows, offset, count)], "total": len(rows)}

    def update_document(self, dataset_id: str, document_id: str, body: Any) -> dict[str, Any]:
        """v10UpdateDocument: `name`, `enable` (never accepted), `template_type`."""
        if not isinstance(body, dict):
            raise no_attribute(body, "keys")
        for key in body:
            if key not in ("name", "enable", "template_type"):
                raise ArgumentError(f"{key} is an illegal parameter.")
        if not body:
            raise DataError(_NO_PARAMETER)
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
            if not _member(body["template_type"], PARSER_IDS):
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


def _member(value: Any, allowed: tuple[str, ...]) -> bool:
    """`value in [list of str]` (any JSON value, unhashable ones included)."""
    return isinstance(value, str) and value in allowed
