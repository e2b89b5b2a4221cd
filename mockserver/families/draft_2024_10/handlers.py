"""Profile `2024-10-draft` handlers: datasets, documents, chunks and retrieval under `/api/v1/dataset` (and X3)."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.errors import DataError
from mockserver.core.pagination import loose_desc, python_int
from mockserver.core.python_failures import gettable, none_has_no_get
from mockserver.families.documents import files
from mockserver.families.draft_2024_10.chunks import DraftChunks
from mockserver.families.legacy.service import LegacyScope
from mockserver.families.retrieval.service import NO_CHUNK_FOUND
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler

_DRAFT_NO_CHUNK = "No chunk found! Check the chunk statu    s please!"


def api(ctx: RequestContext) -> DraftChunks:
    """The caller's view through the draft."""
    return DraftChunks(LegacyScope(ctx.backends, ctx.tenant))


def _path(ctx: RequestContext) -> tuple[str, str]:
    return ctx.path_param("dataset_id"), ctx.path_param("document_id")


async def create_dataset(ctx: RequestContext) -> Response:
    """draftCreateDataset: POST /api/v1/dataset."""
    return result(api(ctx).create(await ctx.json_forced()))


async def delete_datasets(ctx: RequestContext) -> Response:
    """draftDeleteDatasets: DELETE /api/v1/dataset (`ids`)."""
    api(ctx).delete(await ctx.json_forced())
    return result()


async def update_dataset(ctx: RequestContext) -> Response:
    """draftUpdateDataset: PUT /api/v1/dataset/{dataset_id}."""
    draft = api(ctx)
    dataset_id = ctx.path_param("dataset_id")
    draft.owned(dataset_id, "You don't own the dataset")
    draft.update(dataset_id, await ctx.json_forced())
    return result()


async def list_datasets(ctx: RequestContext) -> Response:
    """draftListDatasets: GET /api/v1/dataset?page=&page_size=&orderby=&desc=&id=&name=."""
    query = dict(ctx.query)
    draft = api(ctx)
    page, size = python_int(query.get("page"), 1), python_int(query.get("page_size"), 1024)
    desc = loose_desc(query.get("desc"))
    return result(draft.listing(query, page, size, query.get("orderby", "create_time"), desc))


async def upload_documents(ctx: RequestContext) -> Response:
    """draftUploadDocuments: POST /api/v1/dataset/{dataset_id}/document (multipart `file`)."""
    form = await ctx.form()
    parts = [(p.filename or "", await p.read()) for p in form.getlist("file") if isinstance(p, UploadFile)]
    api(ctx).upload(ctx.path_param("dataset_id"), parts)
    return result()


async def delete_documents(ctx: RequestContext) -> Response:
    """draftDeleteDocuments: DELETE /api/v1/dataset/{dataset_id}/document (`ids`; undocumented)."""
    draft = api(ctx)
    dataset_id = ctx.path_param("dataset_id")
    draft.owned(dataset_id, f"You don't own the dataset {dataset_id}. ")
    draft.delete_documents(dataset_id, await ctx.json_forced())
    return result()


async def download_document(ctx: RequestContext) -> Response:
    """draftDownloadDocument: GET /api/v1/dataset/{dataset_id}/document/{document_id} (the bytes)."""
    doc, data = ctx.tenant.documents.download(*_path(ctx))
    headers = {"Content-Disposition": files.content_disposition(doc.name), "Cache-Control": "no-cache"}
    return Response(data, headers=headers, media_type="application/octet-stream")


async def list_documents(ctx: RequestContext) -> Response:
    """draftListDocuments: GET /api/v1/dataset/{dataset_id}/info?offset=&limit=&keywords=&orderby=&desc=&id=."""
    query = dict(ctx.query)
    draft = api(ctx)
    dataset_id = ctx.path_param("dataset_id")
    draft.owned(dataset_id, f"You don't own the dataset {dataset_id}. ")
    page, size = python_int(query.get("offset"), 1), python_int(query.get("limit"), 1024)
    return result(draft.documents(dataset_id, query, page, size, query.get("orderby", "create_time")))


async def update_document(ctx: RequestContext) -> Response:
    """draftUpdateDocument: PUT /api/v1/dataset/{dataset_id}/info/{document_id}."""
    api(ctx).update_document(*_path(ctx), await ctx.json_forced())
    return result()


async def parse_documents(ctx: RequestContext) -> Response:
    """draftParseDocuments: POST /api/v1/dataset/{dataset_id}/chunk (`document_ids`)."""
    draft = api(ctx)
    dataset_id = ctx.path_param("dataset_id")
    draft.owned(dataset_id)
    draft.parse(dataset_id, await ctx.json_forced(), stop=False)
    return result()


async def stop_parsing(ctx: RequestContext) -> Response:
    """draftStopParsing: DELETE /api/v1/dataset/{dataset_id}/chunk (`document_ids`)."""
    draft = api(ctx)
    dataset_id = ctx.path_param("dataset_id")
    draft.owned(dataset_id)
    draft.parse(dataset_id, await ctx.json_forced(), stop=True)
    return result()


async def list_chunks(ctx: RequestContext) -> Response:
    """draftListChunks: GET /api/v1/dataset/{dataset_id}/document/{document_id}/chunk."""
    return result(api(ctx).chunks(*_path(ctx), dict(ctx.query)))


async def delete_chunks(ctx: RequestContext) -> Response:
    """draftDeleteChunks: DELETE /api/v1/dataset/{dataset_id}/document/{document_id}/chunk (`chunk_ids`)."""
    draft = api(ctx)
    dataset_id, document_id = _path(ctx)
    draft.document(dataset_id, document_id)
    draft.delete_chunks(dataset_id, document_id, await ctx.json_forced())
    return result()


async def add_chunk(ctx: RequestContext) -> Response:
    """draftAddChunk: POST /api/v1/dataset/{dataset_id}/document/{document_id}/chunk (`content`, `important_kwd`)."""
    draft = api(ctx)
    dataset_id, document_id = _path(ctx)
    draft.document(dataset_id, document_id)
    return result(draft.add_chunk(dataset_id, document_id, await ctx.json_forced()))


async def update_chunk(ctx: RequestContext) -> Response:
    """draftUpdateChunk: PUT /api/v1/dataset/{dataset_id}/document/{document_id}/chunk (`chunk_id` in the body;
    documented, never routed at 6329427ad5)."""
    draft = api(ctx)
    dataset_id, document_id = _path(ctx)
    draft.document(dataset_id, document_id)
    body = gettable(await ctx.json_forced())
    draft.update_chunk(dataset_id, document_id, body.get("chunk_id"), body)
    return result()


async def update_chunk_by_path(ctx: RequestContext) -> Response:
    """draftUpdateChunkById: PUT …/document/{document_id}/chunk/{chunk_id} (undocumented; the code always crashed,
    the emulator updates as the documented route does)."""
    draft = api(ctx)
    dataset_id, document_id = _path(ctx)
    chunk_id = ctx.path_param("chunk_id")
    if ctx.tenant.chunks.get(chunk_id) is None:
        raise DataError(f"Chunk {chunk_id} not found")
    draft.document(dataset_id, document_id)
    draft.update_chunk(dataset_id, document_id, chunk_id, gettable(await ctx.json_forced()))
    return result()


async def _retrieve(ctx: RequestContext, body: object) -> Response:
    try:
        return result(api(ctx).retrieval(body, dict(ctx.query)))
    except DataError as err:
        if err.message == NO_CHUNK_FOUND:
            raise DataError(_DRAFT_NO_CHUNK) from None
        raise


async def retrieval(ctx: RequestContext) -> Response:
    """draftRetrieval: GET /api/v1/retrieval (undocumented; JSON body `datasets`, `question`, `documents`)."""
    return await _retrieve(ctx, await ctx.json_forced())


async def dataset_retrieval(ctx: RequestContext) -> Response:
    """draftDatasetRetrieval: GET /api/v1/dataset/{dataset_id}/retrieval (JSON body `query_text`; documented,
    never routed: served as the undocumented retrieval over that one dataset)."""
    body = await ctx.json_forced()
    if body is None:
        raise none_has_no_get()
    req = gettable(body)
    question = req.get("query_text", req.get("question"))
    request = {**req, "datasets": [ctx.path_param("dataset_id")]}
    request.pop("query_text", None)
    if question is not None:
        request["question"] = question
    return await _retrieve(ctx, request)


HANDLERS: dict[str, Handler] = {
    "draftCreateDataset": create_dataset,
    "draftDeleteDatasets": delete_datasets,
    "draftUpdateDataset": update_dataset,
    "draftListDatasets": list_datasets,
    "draftUploadDocuments": upload_documents,
    "draftDeleteDocuments": delete_documents,
    "draftDownloadDocument": download_document,
    "draftListDocuments": list_documents,
    "draftUpdateDocument": update_document,
    "draftParseDocuments": parse_documents,
    "draftStopParsing": stop_parsing,
    "draftListChunks": list_chunks,
    "draftDeleteChunks": delete_chunks,
    "draftAddChunk": add_chunk,
    "draftUpdateChunk": update_chunk,
    "draftUpdateChunkById": update_chunk_by_path,
    "draftRetrieval": retrieval,
    "draftDatasetRetrieval": dataset_retrieval,
}
