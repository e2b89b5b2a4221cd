"""Legacy `/v1/api` document handlers (upload, list, chunks, infos, delete, retrieval) and `/v1/document/*` files."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.python_failures import get, item, iterate, no_attribute, py_float, py_int
from mockserver.families.legacy import documents
from mockserver.families.legacy.documents import KbDocsQuery, LegacyUpload
from mockserver.families.legacy.handlers import legacy_key, scope
from mockserver.families.retrieval.service import RetrievalQuery
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler


async def _upload(part: UploadFile) -> LegacyUpload:
    return LegacyUpload(part.filename or "", await part.read())


def _text(value: Any) -> str | None:
    """A form field that is text (a file part or a missing field reads as None)."""
    return value if isinstance(value, str) else None


async def upload_legacy_document(ctx: RequestContext) -> Response:
    """uploadLegacyDocument: POST /v1/api/document/upload (multipart `file`, `kb_name`, `parser_id`, `run`)."""
    await require_arguments(ctx, "kb_name")
    legacy_key(ctx)
    form = await ctx.form()
    part = form.get("file")
    upload = await _upload(part) if isinstance(part, UploadFile) else None
    data = documents.upload(
        ctx.tenant, form.get("kb_name"), upload, _text(form.get("parser_id")), _text(form.get("run"))
    )
    return json_result(data=data)


async def upload_and_parse_legacy_documents(ctx: RequestContext) -> Response:
    """uploadAndParseLegacyDocuments: POST /v1/api/document/upload_and_parse (into a conversation's dataset)."""
    await require_arguments(ctx, "conversation_id")
    legacy_key(ctx)
    form = await ctx.form()
    parts = [await _upload(p) for p in form.getlist("file") if isinstance(p, UploadFile)]
    return json_result(data=documents.upload_and_parse(scope(ctx), form.get("conversation_id"), parts))


async def list_legacy_kb_documents(ctx: RequestContext) -> Response:
    """listLegacyKbDocuments: POST /v1/api/list_kb_docs (`{"docs": [{doc_id, doc_name}], "total": n}`)."""
    legacy_key(ctx)
    body = await ctx.json_forced()
    kb_name = get(body, "kb_name", "")
    query = KbDocsQuery(
        kb_name=kb_name,
        page=body.get("page", 1),
        page_size=body.get("page_size", 15),
        orderby=body.get("orderby", "create_time"),
        desc=body.get("desc", True),
        keywords=body.get("keywords", ""),
        status=body.get("status", []),
        types=body.get("types", []),
    )
    return json_result(data=documents.kb_documents(ctx.tenant, query))


async def list_legacy_chunks(ctx: RequestContext) -> Response:
    """listLegacyChunks: POST /v1/api/list_chunks (a document's chunks by `doc_name` or `doc_id`)."""
    legacy_key(ctx)
    body = await ctx.json_forced()
    if not isinstance(body, dict):
        raise no_attribute(body, "keys")
    if "doc_name" in body:
        return json_result(data=documents.chunks_by_name(scope(ctx), body["doc_name"]))
    if "doc_id" in body:
        return json_result(data=documents.chunks_by_id(scope(ctx), body["doc_id"]))
    return json_result(data=False, message="Can't find doc_name or doc_id")


async def get_legacy_chunk(ctx: RequestContext) -> Response:
    """getLegacyChunk: GET /v1/api/get_chunk/{chunk_id} (the stored chunk minus vector and token fields)."""
    legacy_key(ctx)
    return json_result(data=documents.chunk(ctx.tenant, ctx.path_param("chunk_id")))


async def get_legacy_document_infos(ctx: RequestContext) -> Response:
    """getLegacyDocumentInfos: POST /v1/api/document/infos (internal rows of the `doc_ids` found)."""
    await require_arguments(ctx, "doc_ids")
    legacy_key(ctx)
    ids = item(await ctx.json_forced(), "doc_ids")
    return json_result(data=documents.document_infos(scope(ctx), ids))


async def delete_legacy_documents(ctx: RequestContext) -> Response:
    """deleteLegacyDocuments: DELETE /v1/api/document (by `doc_names` and/or `doc_ids`, one by one)."""
    legacy_key(ctx)
    body = await ctx.json_forced()
    names = iterate(get(body, "doc_names", []) or [])
    doc_ids = iterate(body.get("doc_ids", []) or [])
    if not documents.delete(scope(ctx), names, doc_ids):
        return json_result(data=False, message="Can't find doc_names or doc_ids")
    return json_result(data=True)


async def legacy_retrieval(ctx: RequestContext) -> Response:
    """legacyRetrieval: POST /v1/api/retrieval (`kb_id` and `question`; raw chunks)."""
    await require_arguments(ctx, "kb_id", "question")
    legacy_key(ctx)
    body = await ctx.json_forced()
    kb_ids = body.get("kb_id", [])
    query = RetrievalQuery(
        question=body.get("question"),
        dataset_ids=kb_ids if isinstance(kb_ids, list) else [kb_ids],
        document_ids=body.get("doc_ids", []) or [],
        page=py_int(body.get("page", 1)),
        page_size=py_int(body.get("size", 30)),
        similarity_threshold=py_float(body.get("similarity_threshold", 0.2)),
        vector_similarity_weight=py_float(body.get("vector_similarity_weight", 0.3)),
        top_k=py_int(body.get("top_k", 1024)),
        highlight=bool(body.get("highlight", False)),
        rerank_id=body.get("rerank_id") or None,
        keyword=bool(body.get("keyword", False)),
    )
    return json_result(data=documents.retrieval(ctx.tenant, query))


async def get_document_file(ctx: RequestContext) -> Response:
    """getDocumentFile: GET /v1/document/get/{doc_id} (no auth; the stored bytes)."""
    data, headers = documents.document_file(ctx.backends, ctx.path_param("doc_id"))
    return Response(data, headers=headers)


async def get_document_image(ctx: RequestContext) -> Response:
    """getDocumentImage: GET /v1/document/image/{image_id} (no auth; `image/JPEG`)."""
    data = documents.document_image(ctx.backends, ctx.path_param("image_id"))
    return Response(data, headers={"Content-Type": "image/JPEG"})


HANDLERS: dict[str, Handler] = {
    "uploadLegacyDocument": upload_legacy_document,
    "uploadAndParseLegacyDocuments": upload_and_parse_legacy_documents,
    "listLegacyKbDocuments": list_legacy_kb_documents,
    "listLegacyChunks": list_legacy_chunks,
    "getLegacyChunk": get_legacy_chunk,
    "getLegacyDocumentInfos": get_legacy_document_infos,
    "deleteLegacyDocuments": delete_legacy_documents,
    "legacyRetrieval": legacy_retrieval,
    "getDocumentFile": get_document_file,
    "getDocumentImage": get_document_image,
}
