"""Datasets: the `Dataset` record and `DatasetStore`, the rules of the four `/api/v1/datasets` operations."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from mockserver.core.bulk import bulk_delete
from mockserver.core.catalog import BUILTIN_EMBEDDING_MODELS, is_catalog_embedding
from mockserver.core.errors import ArgumentError, DataError
from mockserver.core.indexes import EVERY_ROW, Indexed, Key, Table
from mockserver.core.pagination import collation_key, mysql_page, order_records, table_page
from mockserver.core.tenancy import TenantContext
from mockserver.families.datasets.schemas import CreateDatasetBody, UpdateDatasetBody, default_parser_config

_API_RENAMES = {
    "chunk_num": "chunk_count",
    "doc_num": "document_count",
    "parser_id": "chunk_method",
    "embd_id": "embedding_model",
}


@dataclass
class Dataset(Indexed):
    """One knowledge base row, with the server's internal column names."""

    id: str
    tenant_id: str
    name: str
    embd_id: str
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    created_by: str
    avatar: str | None = None
    language: str = "English"
    description: str | None = None
    permission: str = "me"
    doc_num: int = 0
    token_num: int = 0
    chunk_num: int = 0
    similarity_threshold: float = 0.2
    vector_similarity_weight: float = 0.3
    parser_id: str = "naive"
    parser_config: dict[str, Any] = field(default_factory=lambda: default_parser_config("naive"))
    pagerank: int = 0
    status: str = "1"

    def columns(self) -> dict[str, Any]:
        """Internal column → value (what `orderby` sorts on); a live view, do not mutate."""
        return vars(self)

    def to_api(self) -> dict[str, Any]:
        """The 22-key object the API returns, with the dataset rename map applied (for serialising)."""
        row = dict(vars(self))
        for internal, api in _API_RENAMES.items():
            row[api] = row.pop(internal)
        return row


DATASET_COLUMNS = frozenset(f.name for f in fields(Dataset))
DATASET_KEYS = {
    "id": Key(("id",), lambda d: d.id.lower()),
    "name": Key(("name",), lambda d: collation_key(d.name)),
}
"""The dataset table's maps: ids as MySQL compares them, names under collation."""


class DatasetDependent(Protocol):
    """A store that must forget a dataset's contents when the dataset is deleted."""

    def drop_dataset(self, dataset_id: str) -> None:
        """Remove everything belonging to `dataset_id`, keeping the tenant's counters right."""


class DatasetTenant(TenantContext, Protocol):
    """What `DatasetStore` uses of its tenant: the context, and the stores a dataset deletion cascades to."""

    def dataset_dependents(self) -> list[DatasetDependent]:
        """The stores holding per-dataset data, in the order a dataset's deletion reaches them."""
        ...


class DatasetStore:
    """A tenant's datasets and the rules of creating, listing, updating and deleting them."""

    def __init__(self, tenant: DatasetTenant) -> None:
        self.tenant = tenant
        self.items: dict[str, Dataset] = {}
        self.table: Table[Dataset] = Table(lambda: self.items, DATASET_KEYS, EVERY_ROW)

    # -- lookups ---------------------------------------------------------------------------------
    def get(self, dataset_id: str) -> Dataset | None:
        """The tenant's dataset with this id (ids compare case-insensitively, like MySQL)."""
        found = self.items.get(dataset_id)
        if found is None and dataset_id.lower() != dataset_id:
            found = self.items.get(dataset_id.lower())
        return found

    def by_name(self, name: str) -> Dataset | None:
        """The tenant's dataset with this name under MySQL collation."""
        return self.table.first("name", collation_key(name))

    def owned(self, dataset_id: str, message: str | None = None) -> Dataset:
        """The caller's dataset, or a 102 in the operation's wording (default: `You don't own the dataset <id>.`)."""
        dataset = self.get(dataset_id)
        if dataset is None:
            raise DataError(f"You don't own the dataset {dataset_id}." if message is None else message)
        return dataset

    def touch(self, dataset: Dataset) -> None:
        """Move `update_time/update_date` to now (counters changed)."""
        self.tenant.clock.touch(dataset)

    def count(self, dataset: Dataset | None, chunks: int, tokens: int) -> None:
        """Add to a dataset's chunk and token counters (its update time moves); no-op without a dataset."""
        if dataset is not None:
            dataset.chunk_num += chunks
            dataset.token_num += tokens
            self.touch(dataset)

    # -- rules -----------------------------------------------------------------------------------
    def check_embedding_model(self, model_id: str) -> None:
        """Catalog and authorisation check of an embedding model id (101 errors)."""
        if not is_catalog_embedding(model_id):
            raise ArgumentError(f"Unsupported model: <{model_id}>")
        if model_id not in BUILTIN_EMBEDDING_MODELS and model_id not in self.tenant.configured_models:
            raise ArgumentError(f"Unauthorized model: <{model_id}>")

    def create(self, body: CreateDatasetBody) -> Dataset:
        """createDataset: a dataset from a validated body (name unique under collation, embedding model usable)."""
        if self.by_name(body.name) is not None:
            raise DataError(f"Dataset name '{body.name}' already exists")
        if body.parser_config is None:
            parser_config = default_parser_config(body.chunk_method)
        else:
            parser_config = body.parser_config.model_dump()
        if body.embedding_model:
            self.check_embedding_model(body.embedding_model)
        return self.insert(
            name=body.name,
            avatar=body.avatar,
            description=body.description,
            embd_id=body.embedding_model or self.tenant.embd_id,
            permission=body.permission,
            parser_id=body.chunk_method,
            parser_config=parser_config,
            pagerank=body.pagerank,
        )

    def insert(self, **values: Any) -> Dataset:
        """Insert a dataset row without request validation (seeding, tests)."""
        stamp = self.tenant.clock.stamps()
        values.setdefault("embd_id", self.tenant.embd_id)
        dataset = Dataset(
            id=values.pop("id", None) or self.tenant.ids.entity(),
            tenant_id=self.tenant.tenant_id,
            created_by=self.tenant.tenant_id,
            **{**stamp, **values},
        )
        self.table.put(dataset.id, dataset)
        return dataset

    def update(self, dataset_id: str, body: UpdateDatasetBody) -> None:
        """updateDataset: apply the fields present in a validated body (parser_config deep-merged)."""
        sent = body.model_fields_set - {"dataset_id"}
        if not sent:
            raise ArgumentError("No properties were modified")
        dataset = self.get(dataset_id)
        if dataset is None:
            raise DataError(f"User '{self.tenant.tenant_id}' lacks permission for dataset '{dataset_id}'")
        changes: dict[str, Any] = {}
        if "parser_config" in sent:
            sent_config = body.model_dump(include={"parser_config"}, exclude_unset=True)["parser_config"]
            changes["parser_config"] = (
                {} if not sent_config else _deep_merge(copy.deepcopy(dataset.parser_config), sent_config)
            )
        if "chunk_method" in sent:
            if body.chunk_method != dataset.parser_id and "parser_config" not in sent:
                changes["parser_config"] = default_parser_config(body.chunk_method)
            changes["parser_id"] = body.chunk_method
        if "name" in sent and body.name is not None:
            if body.name.lower() != dataset.name.lower():
                other = self.by_name(body.name)
                if other is not None and other.id != dataset.id:
                    raise DataError(f"Dataset name '{body.name}' already exists")
            changes["name"] = body.name
        if "embedding_model" in sent:
            if dataset.chunk_num != 0 and body.embedding_model != dataset.embd_id:
                raise DataError(
                    f"When chunk_num ({dataset.chunk_num}) > 0, embedding_model must remain {dataset.embd_id}"
                )
            self.check_embedding_model(body.embedding_model)
            changes["embd_id"] = body.embedding_model
        for key in ("avatar", "description", "permission", "pagerank"):
            if key in sent:
                changes[key] = getattr(body, key)
        for key, value in changes.items():
            setattr(dataset, key, value)
        self.touch(dataset)

    def check_askable(self, dataset_ids: list[Any]) -> None:
        """askDatasets: every id must name one of the tenant's datasets, each with parsed chunks (102 otherwise)."""
        for dataset_id in dataset_ids:
            dataset = self.get(dataset_id) if isinstance(dataset_id, str) else None
            if dataset is None:
                raise DataError(f"You don't own the dataset {dataset_id}.")
            if dataset.chunk_num == 0:
                raise DataError(f"The dataset {dataset_id} doesn't own parsed file")

    def check_filters(self, dataset_id: str | None, name: str | None) -> None:
        """listDatasets: an `id` or `name` filter must name one of the tenant's datasets (checked before paging)."""
        if dataset_id is not None and not self.table.find("id", dataset_id.lower()):
            raise DataError(f"You don't own the dataset {dataset_id}")
        if name is not None and self.by_name(name) is None:
            raise DataError(f"You don't own the dataset {name}")

    def listing(
        self, *, dataset_id: str | None, name: str | None, page: int, page_size: int, orderby: str, desc: bool
    ) -> list[Dataset]:
        """listDatasets: filter, order and page the tenant's datasets (after `check_filters`)."""
        if dataset_id is None and name is None:
            return table_page(
                self.table,
                True,
                orderby=orderby,
                desc=desc,
                page=page,
                page_size=page_size,
                model_name="Knowledgebase",
                known=DATASET_COLUMNS,
            )
        if dataset_id is not None:
            matches = self.table.find("id", dataset_id.lower())
        else:
            matches = self.table.find("name", collation_key(name or ""))
        if name is not None:
            key = collation_key(name)
            matches = [d for d in matches if collation_key(d.name) == key]
        ordered = order_records(matches, orderby, desc, "Knowledgebase", Dataset.columns, DATASET_COLUMNS)
        return mysql_page(ordered, page, page_size)

    def delete_many(self, ids: Any) -> dict[str, Any] | None:
        """deleteDatasets: the ids sent (any JSON; all of the tenant's datasets when falsy), partial results as data."""
        return bulk_delete(
            ids,
            "dataset",
            everything=lambda: list(self.items),
            find=lambda target: self.get(target) if isinstance(target, str) else None,
            remove=self.remove,
            missing=lambda target: f"You don't own the dataset {target}",
        )

    def remove(self, dataset: Dataset) -> None:
        """Hard-delete a dataset and, through the tenant's other stores, everything in it."""
        for store in self.tenant.dataset_dependents():
            store.drop_dataset(dataset.id)
        self.table.pop(dataset.id)


def _deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`parser_config` update: nested dicts merge key by key, anything else replaces."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _deep_merge(base[key], value)
        else:
            base[key] = value
    return base
