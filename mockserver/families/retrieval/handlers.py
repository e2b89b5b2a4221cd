"""The two retrieval routes (`/api/v1/retrieval` and the Dify one): parse the body, call the service, render."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.core.errors import DataError
from mockserver.core.python_failures import get, gettable, item, py_float, py_int
from mockserver.families.retrieval.service import (
    RetrievalQuery,
    check_documents,
    dify_retrieve,
    owned_datasets,
    render_retrieval,
    retrieve,
)
from mockserver.http.context import RequestContext
from mockserver.http.envelope import EnvelopeResponse, result
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler
from mockserver.state.backend import TenantBackend


def _parse_retrieval(tenant: TenantBackend, raw: Any) -> RetrievalQuery:
    """retrieveChunks: the server's reading of the body, in its order (ownership checked as the ids are read)."""
    body = gettable(raw)
    dataset_ids = body.get("dataset_ids")
    if not dataset_ids:
        raise DataError("`dataset_ids` is required.")
    if not isinstance(dataset_ids, list):
        raise DataError("`dataset_ids` should be a list")
    datasets = owned_datasets(tenant.datasets, dataset_ids)
    if "question" not in body:
        raise DataError("`question` is required.")
    page = py_int(body.get("page", 1))
    page_size = py_int(body.get("page_size", 30))
    document_ids = body.get("document_ids", [])
    if not isinstance(document_ids, list):
        raise DataError("`documents` should be a list")
    check_documents(tenant.documents, datasets, document_ids)
    return RetrievalQuery(
        question=body["question"],
        dataset_ids=[str(i) for i in dataset_ids],
        document_ids=list(document_ids),
        page=page,
        page_size=page_size,
        similarity_threshold=py_float(body.get("similarity_threshold", 0.2)),
        vector_similarity_weight=py_float(body.get("vector_similarity_weight", 0.3)),
        top_k=py_int(body.get("top_k", 1024)),
        highlight=body.get("highlight") not in ("False", "false"),
        rerank_id=body.get("rerank_id"),
        keyword=bool(body.get("keyword", False)),
    )


async def retrieve_chunks(ctx: RequestContext) -> Response:
    """retrieveChunks: POST /api/v1/retrieval."""
    query = _parse_retrieval(ctx.tenant, await ctx.json_forced())
    return result(render_retrieval(retrieve(ctx.tenant, query)))


async def dify_retrieval(ctx: RequestContext) -> Response:
    """difyRetrieval: POST /api/v1/dify/retrieval (real HTTP statuses; success has no code envelope)."""
    await require_arguments(ctx, "knowledge_id", "query")
    body = await ctx.json_forced()
    question, dataset_id = item(body, "query"), item(body, "knowledge_id")
    setting = get(body, "retrieval_setting", {})
    threshold = py_float(get(setting, "score_threshold", 0.0))
    top_k = py_int(get(setting, "top_k", 1024))
    found = dify_retrieve(ctx.tenant, question, dataset_id, threshold, top_k)
    records = [
        {"content": c.content, "metadata": {}, "score": c.similarity, "title": c.document_name} for c in found.chunks
    ]
    return EnvelopeResponse({"records": records})


HANDLERS: dict[str, Handler] = {
    "retrieveChunks": retrieve_chunks,
    "difyRetrieval": dify_retrieval,
}
