"""The two retrieval routes (`/api/v1/retrieval` and the Dify one): parse the body, call `retrieve`, render."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from mockserver.core.catalog import split_model_id
from mockserver.core.errors import DataError, HttpStatusError, PythonError
from mockserver.core.python_failures import get, gettable, item, py_float, py_int
from mockserver.http.envelope import EnvelopeResponse, result
from mockserver.http.request_args import require_arguments

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import TenantBackend

from mockserver.families.retrieval.service import NO_CHUNK_FOUND, RetrievalQuery, render_retrieval, retrieve


def _parse_retrieval(tenant: TenantBackend, body: Any) -> RetrievalQuery:
    """The server's checks of `POST /api/v1/retrieval`, in its order."""
    body = gettable(body)
    dataset_ids = body.get("dataset_ids")
    if not dataset_ids:
        raise DataError("`dataset_ids` is required.")
    if not isinstance(dataset_ids, list):
        raise DataError("`dataset_ids` should be a list")
    datasets = []
    for dataset_id in dataset_ids:
        dataset = tenant.datasets.get(dataset_id) if isinstance(dataset_id, str) else None
        if dataset is None:
            raise DataError(f"You don't own the dataset {dataset_id}.")
        datasets.append(dataset)
    if len({split_model_id(d.embd_id)[0] for d in datasets}) != 1:
        raise DataError('Datasets use different embedding models."')
    if "question" not in body:
        raise DataError("`question` is required.")
    page = py_int(body.get("page", 1))
    page_size = py_int(body.get("page_size", 30))
    document_ids = body.get("document_ids", [])
    if not isinstance(document_ids, list):
        raise DataError("`documents` should be a list")
    owned = _document_ids_of(tenant, [d.id for d in datasets])
    for document_id in document_ids:
        if not isinstance(document_id, str) or document_id not in owned:
            raise DataError(f"The datasets don't own the document {document_id}")
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


def _document_ids_of(tenant: TenantBackend, dataset_ids: list[str]) -> set[str]:
    return {doc.id for dataset_id in dict.fromkeys(dataset_ids) for doc in tenant.documents.documents_of(dataset_id)}


# -- HTTP half ---------------------------------------------------------------------------------------------
async def retrieve_chunks(ctx: RequestContext) -> Response:
    """POST /api/v1/retrieval."""
    query = _parse_retrieval(ctx.tenant, await ctx.json_forced())
    return result(render_retrieval(retrieve(ctx.tenant, query)))


async def dify_retrieval(ctx: RequestContext) -> Response:
    """POST /api/v1/dify/retrieval (real HTTP statuses; success has no code envelope)."""
    await require_arguments(ctx, "knowledge_id", "query")
    body = await ctx.json_forced()
    question, dataset_id = item(body, "query"), item(body, "knowledge_id")
    setting = get(body, "retrieval_setting", {})
    threshold = py_float(get(setting, "score_threshold", 0.0))
    top_k = py_int(get(setting, "top_k", 1024))
    dataset = ctx.tenant.datasets.get(dataset_id) if isinstance(dataset_id, str) else None
    if dataset is None or dataset.tenant_id != ctx.tenant.tenant_id:
        raise HttpStatusError(404, "Knowledgebase not found!")
    query = RetrievalQuery(question, [dataset_id], page_size=top_k, similarity_threshold=threshold, top_k=top_k)
    try:
        found = retrieve(ctx.tenant, query)
    except DataError as err:
        if err.message != NO_CHUNK_FOUND:
            raise
        raise HttpStatusError(404, NO_CHUNK_FOUND) from None
    except PythonError as err:
        raise HttpStatusError(500, _exception_text(err)) from None
    records = [
        {"content": c.content, "metadata": {}, "score": c.similarity, "title": c.document_name} for c in found.chunks
    ]
    return EnvelopeResponse({"records": records})


def _exception_text(err: PythonError) -> str:
    """`str(e)` of the exception behind a code-100 error: the string inside its repr."""
    head, sep, rest = err.message.partition("(")
    if sep and head.isidentifier() and rest.endswith(")"):
        try:
            text = ast.literal_eval(rest[:-1])
        except (ValueError, SyntaxError):
            return err.message
        return str(text)
    return err.message


HANDLERS: dict[str, Handler] = {
    "retrieveChunks": retrieve_chunks,
    "difyRetrieval": dify_retrieval,
}
