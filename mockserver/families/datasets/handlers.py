"""The four `/api/v1/datasets` handlers: parse the request, let `DatasetStore` decide, answer the envelope."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.indexes import cached_json
from mockserver.core.jsonbytes import JSONRows
from mockserver.core.pagination import page_numbers, strict_desc
from mockserver.core.python_failures import gettable
from mockserver.core.validation import validate_model
from mockserver.families.datasets.models import Dataset
from mockserver.families.datasets.schemas import CreateDatasetBody, UpdateDatasetBody
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler


async def create_dataset(ctx: RequestContext) -> Response:
    """createDataset: POST /api/v1/datasets."""
    body = validate_model(CreateDatasetBody, await ctx.json_strict())
    return result(ctx.tenant.datasets.create(body).to_api())


async def update_dataset(ctx: RequestContext) -> Response:
    """updateDataset: PUT /api/v1/datasets/{dataset_id}."""
    dataset_id = ctx.path_param("dataset_id")
    payload = {**await ctx.json_strict(), "dataset_id": dataset_id}
    body = validate_model(UpdateDatasetBody, payload)
    ctx.tenant.datasets.update(dataset_id, body)
    return result()


async def list_datasets(ctx: RequestContext) -> Response:
    """listDatasets: GET /api/v1/datasets."""
    store = ctx.tenant.datasets
    query = ctx.query
    dataset_id, name = query.get("id"), query.get("name")
    store.check_filters(dataset_id, name)
    page, page_size = page_numbers(query)
    desc = strict_desc(query.get("desc"))
    found = store.listing(
        dataset_id=dataset_id,
        name=name,
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "create_time"),
        desc=desc,
    )
    return result(JSONRows([cached_json(d, Dataset.to_api) for d in found]))


async def delete_datasets(ctx: RequestContext) -> Response:
    """deleteDatasets: DELETE /api/v1/datasets (`ids` absent or empty: every dataset of the caller)."""
    body = await ctx.json_forced()
    ids = gettable(body).get("ids") if body else None
    return result(ctx.tenant.datasets.delete_many(ids))


HANDLERS: dict[str, Handler] = {
    "createDataset": create_dataset,
    "updateDataset": update_dataset,
    "listDatasets": list_datasets,
    "deleteDatasets": delete_datasets,
}
