"""The four `/api/v1/datasets` handlers: parse the request, let `DatasetStore` decide, answer the envelope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.core.errors import DataError, PythonError, RagflowError
from mockserver.core.pagination import python_int, strict_desc
from mockserver.core.validation import validate_model
from mockserver.families.datasets.schemas import CreateDatasetBody, UpdateDatasetBody
from mockserver.http.envelope import result

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler

from mockserver.families.datasets.models import Dataset, DatasetDependent, DatasetStore


async def create_dataset(ctx: RequestContext) -> Response:
    """POST /api/v1/datasets."""
    body = validate_model(CreateDatasetBody, await ctx.json_strict())
    return result(ctx.tenant.datasets.create(body).to_api())


async def update_dataset(ctx: RequestContext) -> Response:
    """PUT /api/v1/datasets/{dataset_id}."""
    dataset_id = ctx.path_param("dataset_id")
    payload = {**await ctx.json_strict(), "dataset_id": dataset_id}
    body = validate_model(UpdateDatasetBody, payload)
    ctx.tenant.datasets.update(dataset_id, body)
    return result()


async def list_datasets(ctx: RequestContext) -> Response:
    """GET /api/v1/datasets."""
    store = ctx.tenant.datasets
    query = ctx.query
    dataset_id, name = query.get("id"), query.get("name")
    if dataset_id is not None and not any(d.id.lower() == dataset_id.lower() for d in store.items.values()):
        raise DataError(f"You don't own the dataset {dataset_id}")
    if name is not None and store.by_name(name) is None:
        raise DataError(f"You don't own the dataset {name}")
    page = python_int(query.get("page"), 1)
    page_size = python_int(query.get("page_size"), 30)
    desc = strict_desc(query.get("desc"))
    found = store.listing(
        dataset_id=dataset_id,
        name=name,
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "create_time"),
        desc=desc,
    )
    return result([d.to_api() for d in found])


async def delete_datasets(ctx: RequestContext) -> Response:
    """DELETE /api/v1/datasets."""
    body = await ctx.json_forced()
    if not body:
        ids = None
    elif isinstance(body, dict):
        ids = body.get("ids")
    else:
        raise PythonError("AttributeError", f"'{type(body).__name__}' object has no attribute 'get'")
    return result(ctx.tenant.datasets.delete(ids))


HANDLERS: dict[str, Handler] = {
    "createDataset": create_dataset,
    "updateDataset": update_dataset,
    "listDatasets": list_datasets,
    "deleteDatasets": delete_datasets,
}

__all__ = ["HANDLERS", "Dataset", "DatasetDependent", "DatasetStore", "RagflowError"]
