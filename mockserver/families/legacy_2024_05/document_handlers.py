"""Profile 2024-05-legacy document handlers: upload by dataset name, chunks, listing, deletion, content."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.python_failures import get, iterate
from mockserver.families.legacy_2024_05 import documents
from mockserver.families.legacy_2024_05.documents import KbDocsForm, V07Upload
from mockserver.families.legacy_2024_05.handlers import v07_key, v07_scope
from mockserver.http.context import RequestContext
from mockserver.http.envelope import retcode_result
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler


def _text(value: Any) -> str | None:
    """A form field that is text (a file part or a missing field reads as None)."""
    return value if isinstance(value, str) else None


async def _fields(ctx: RequestContext) -> dict[str, Any]:
    """The request's form fields; a JSON object body when there is no form (accepted as the code was 4 days later)."""
    form = dict((await ctx.form()).items())
    if form:
        return form
    body = await ctx.json_forced()
    return body if isinstance(body, dict) else {}


async def v07_get_document(ctx: RequestContext) -> Response:
    """v07GetDocument: GET /v1/api/document/get/{content_id} (documented, never routed; served as documented)."""
    data, headers = documents.document_content(ctx.backends, ctx.path_param("content_id"))
    return Response(data, headers=headers)


async def v07_upload_document(ctx: RequestContext) -> Response:
    """v07UploadDocument: POST /v1/api/document/upload (multipart `file`, `kb_name`, `parser_id`, `run`)."""
    await require_arguments(ctx, "kb_name")
    v07_key(ctx)
    form = await ctx.form()
    part = form.get("file")
    upload = V07Upload(part.filename or "", await part.read()) if isinstance(part, UploadFile) else None
    data = documents.upload(
        ctx.tenant, form.get("kb_name"), upload, _text(form.get("parser_id")), _text(form.get("run"))
    )
    return retcode_result(data)


async def _chunks(ctx: RequestContext, fields: Any) -> Response:
    found = documents.list_chunks(v07_scope(ctx), fields.get("doc_name"), fields.get("doc_id"))
    if found is None:
        return retcode_result(False, "Can't find doc_name or doc_id")
    return retcode_result(found)


async def v07_list_chunks(ctx: RequestContext) -> Response:
    """v07ListChunks: POST /v1/api/list_chunks (form `doc_name` or `doc_id`; the route v0.7.0 served)."""
    v07_key(ctx)
    return await _chunks(ctx, await _fields(ctx))


async def v07_list_chunks_by_query(ctx: RequestContext) -> Response:
    """v07ListChunksByQuery: GET /v1/api/list_chunks?doc_name=… (the seed's method; served as documented)."""
    v07_key(ctx)
    return await _chunks(ctx, ctx.query)


async def v07_list_kb_docs(ctx: RequestContext) -> Response:
    """v07ListKbDocs: POST /v1/api/list_kb_docs (form fields `kb_name`, `page`, `page_size`, `orderby`, …)."""
    v07_key(ctx)
    fields = await _fields(ctx)
    form = KbDocsForm(
        kb_name=fields.get("kb_name"),
        page=fields.get("page", 1),
        page_size=fields.get("page_size", 15),
        orderby=fields.get("orderby", "create_time"),
        desc=fields.get("desc", True),
        keywords=fields.get("keywords", ""),
    )
    return retcode_result(documents.kb_documents(ctx.tenant, form))


async def v07_delete_documents(ctx: RequestContext) -> Response:
    """v07DeleteDocuments: DELETE /v1/api/document (JSON `doc_names` and/or `doc_ids`; any tenant's documents)."""
    v07_key(ctx)
    body = await ctx.json_forced()
    names = iterate(get(body, "doc_names", []) or [])
    doc_ids = iterate(body.get("doc_ids", []) or [])
    if not documents.delete(v07_scope(ctx), names, doc_ids):
        return retcode_result(False, "Can't find doc_names or doc_ids")
    return retcode_result(True)


HANDLERS: dict[str, Handler] = {
    "v07GetDocument": v07_get_document,
    "v07UploadDocument": v07_upload_document,
    "v07ListChunks": v07_list_chunks,
    "v07ListChunksByQuery": v07_list_chunks_by_query,
    "v07ListKbDocs": v07_list_kb_docs,
    "v07DeleteDocuments": v07_delete_documents,
}
