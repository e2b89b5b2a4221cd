"""Profile `2024-06-dataset` (RAGFlow v0.10.0 `/api/v1/dataset`): the dataset rules over the shared stores.

Datasets are the current profile's records, read and written the way v0.10.0's `dataset_api.py` did: internal
column names on the wire, `offset`/`count` slices, duplicate names renamed instead of refused, v0.10.0's update
couplings. Lookups the server made without an ownership check reach the tenants `LegacyScope` allows.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.core.errors import DataError, OperatingError, PythonError, RagflowError, RetCode
from mockserver.core.pagination import collation_key, order_records, python_int
from mockserver.core.python_failures import gettable, no_attribute
from mockserver.families.dataset_2024_06.views import (
    DETAIL_KEYS,
    KB_COLUMNS,
    NO_PARAMETER,
    PARSER_IDS,
    column_value,
    dataset_row,
    member,
    py_str,
    sliced,
)
from mockserver.families.datasets.models import DATASET_COLUMNS, Dataset
from mockserver.families.documents import files
from mockserver.families.documents.models import Document
from mockserver.families.legacy.service import LegacyScope
from mockserver.state.backend import TenantBackend


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
        offset, count = python_int(offset_arg, 0), python_int(count_arg, -1)
        store = self.tenant.datasets
        desc = desc_arg != ""
        if orderby not in KB_COLUMNS:
            raise PythonError("AttributeError", f"type object 'Knowledgebase' has no attribute '{orderby}'")
        rows = store.items
        if count >= -1 and 0 <= offset <= len(rows):
            served = store.table.page(True, orderby, desc, offset, len(rows) - offset if count == -1 else count)
            if served is not None:
                return [dataset_row(d) for d in served]
        ordered = order_records(list(rows.values()), orderby, desc, "Knowledgebase", Dataset.columns, DATASET_COLUMNS)
        return [dataset_row(d) for d in sliced(ordered, offset, count)]

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
            raise DataError(NO_PARAMETER)
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
            if not member(req["chunk_method"], PARSER_IDS):
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
        values = {key: column_value(key, value) for key, value in changes.items()}
        for key, value in values.items():
            setattr(dataset, key, value)
        store.touch(dataset)
        if "id" in req and req["id"] != dataset.id:
            raise DataError("Failed to get the dataset using the dataset ID.")
        return dataset_row(dataset)
