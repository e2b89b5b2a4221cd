"""The chunk routes of a document (add, list with the document object, delete, update): parse, store, envelope."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.pagination import page_numbers
from mockserver.families.chunks.schemas import ChunkUpdate, NewChunk, chunk_ids_sent
from mockserver.families.documents.models import Document
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler


def _document(ctx: RequestContext) -> Document:
    """The path document, checked (with the path dataset) before the body is read."""
    return ctx.tenant.documents.owned(ctx.path_param("dataset_id"), ctx.path_param("document_id"))


async def add_chunk(ctx: RequestContext) -> Response:
    """addChunk: POST /api/v1/datasets/{dataset_id}/documents/{document_id}/chunks."""
    doc = _document(ctx)
    new = NewChunk.from_body(await ctx.json_forced())
    return result({"chunk": ctx.tenant.chunks.add_to(doc, new).added_view()})


async def list_chunks(ctx: RequestContext) -> Response:
    """listChunks: GET /api/v1/datasets/{dataset_id}/documents/{document_id}/chunks (`{"chunks", "doc", "total"}`)."""
    doc = _document(ctx)
    query = ctx.query
    page, page_size = page_numbers(query)
    listed, total = ctx.tenant.chunks.listing(
        doc, wanted=query.get("id"), keywords=query.get("keywords", ""), page=page, page_size=page_size
    )
    return result({"chunks": listed, "doc": doc.to_api(), "total": total})


async def delete_chunks(ctx: RequestContext) -> Response:
    """deleteChunks: DELETE …/documents/{document_id}/chunks (`chunk_ids` absent, empty or a list: three behaviours)."""
    dataset_id = ctx.path_param("dataset_id")
    doc = ctx.tenant.documents.located(dataset_id, ctx.path_param("document_id"))
    sent, chunk_ids = chunk_ids_sent(await ctx.json_forced())
    chunks = ctx.tenant.chunks
    if not sent:
        chunks.delete_unlisted(dataset_id, doc)
    return result(chunks.delete_listed(dataset_id, doc, chunk_ids))


async def update_chunk(ctx: RequestContext) -> Response:
    """updateChunk: PUT /api/v1/datasets/{dataset_id}/documents/{document_id}/chunks/{chunk_id}."""
    chunks = ctx.tenant.chunks
    chunk = chunks.existing(ctx.path_param("chunk_id"))
    doc = _document(ctx)
    chunks.update(doc, chunk, ChunkUpdate.from_body(await ctx.json_forced()))
    return result()


HANDLERS: dict[str, Handler] = {
    "addChunk": add_chunk,
    "listChunks": list_chunks,
    "deleteChunks": delete_chunks,
    "updateChunk": update_chunk,
}
