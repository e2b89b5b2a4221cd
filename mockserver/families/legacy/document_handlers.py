"""Legacy `/v1/api` document routes (upload, list, chunks, infos, delete, retrieval) and `/v1/document/*` files."""

from __future__ import annotations

import os
import re
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.errors import AuthError, DataError, PythonError
from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.core.python_failures import get, item, py_float, py_int
from mockserver.core.search import tokenize
from mockserver.families.datasets.schemas import CHUNK_METHODS
from mockserver.families.documents import files
from mockserver.families.documents.models import DOCUMENT_COLUMNS, Document, UploadFailure
from mockserver.families.legacy.errors import LegacyFailure
from mockserver.families.legacy.handlers import find_conversation, legacy_key, owner_of, visible_tenants
from mockserver.families.retrieval.service import (
    NO_CHUNK_FOUND,
    RetrievalQuery,
    ScoredChunk,
    render_doc_aggs,
    retrieve,
)
from mockserver.http.envelope import json_result
from mockserver.http.request_args import require_arguments

if TYPE_CHECKING:
    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import TenantBackend

PARSER_IDS = frozenset({*CHUNK_METHODS, "resume", "audio", "knowledge_graph"})
"""`parser_id` values an upload may choose."""
TASK_STATUSES = ("0", "1", "2", "3", "4")
FILE_TYPES = ("pdf", "doc", "visual", "aural", "virtual", "folder", "other")
_HIDDEN_CHUNK_FIELD = re.compile(r"(_vec$|_sm_|_tks|_ltks)")


def _row(doc: Document) -> dict[str, Any]:
    """The internal document row (`to_json()` of the server's model)."""
    return {key: value for key, value in asdict(doc).items() if key in DOCUMENT_COLUMNS}


def _documents_anywhere(ctx: RequestContext, doc_id: Any) -> tuple[TenantBackend, Document] | None:
    for tenant in visible_tenants(ctx):
        doc = tenant.documents.find(doc_id)
        if doc is not None:
            return tenant, doc
    return None


# -- upload ----------------------------------------------------------------------------------------
async def upload_legacy_document(ctx: RequestContext) -> Response:
    """POST /v1/api/document/upload (multipart `file`, `kb_name`, optional `parser_id`, `run`)."""
    await require_arguments(ctx, "kb_name")
    legacy_key(ctx)
    form = await ctx.form()
    kb_name = form.get("kb_name")
    if not isinstance(kb_name, str):
        raise PythonError("AttributeError", f"'{type(kb_name).__name__}' object has no attribute 'strip'")
    tenant = ctx.tenant
    dataset = tenant.datasets.by_name(kb_name.strip())
    if dataset is None:
        raise DataError("Can't find this knowledgebase!")
    part = form.get("file")
    if not isinstance(part, UploadFile):
        raise LegacyFailure(101, "No file part!")
    if not part.filename:
        raise LegacyFailure(101, "No file selected!")
    if len(tenant.documents.items) >= int(os.environ.get("MAX_FILE_NUM_PER_USER", "8192")):
        raise DataError("Exceed the maximum file number of a free user!")
    try:
        doc = tenant.documents.upload(dataset, part.filename, await part.read())
    except UploadFailure as exc:
        raise DataError(str(exc)) from None
    parser_id = form.get("parser_id")
    if isinstance(parser_id, str) and parser_id.strip() in PARSER_IDS:
        doc.parser_id = files.chunk_method_for(doc.name, doc.type, parser_id.strip())
    data = _row(doc)
    run = form.get("run")
    if isinstance(run, str) and run.strip() == "1":
        tenant.documents.parse(doc)
    return json_result(data=data)


async def upload_and_parse_legacy_documents(ctx: RequestContext) -> Response:
    """POST /v1/api/document/upload_and_parse: files into the first dataset of a conversation's chat, parsed."""
    await require_arguments(ctx, "conversation_id")
    legacy_key(ctx)
    form = await ctx.form()
    parts = [p for p in form.getlist("file") if isinstance(p, UploadFile)]
    if not parts:
        raise LegacyFailure(101, "No file part!")
    if any(not p.filename for p in parts):
        raise LegacyFailure(101, "No file selected!")
    conversation_id = form.get("conversation_id")
    conversation = find_conversation(ctx, conversation_id)
    if conversation is None:
        session = _chat_session(ctx, conversation_id)
        if session is None:
            raise PythonError("AssertionError", "Conversation not found!")
        owner, dialog_id = session
    else:
        owner, dialog_id = owner_of(ctx, conversation), conversation.dialog_id
    chat = owner.chats.items.get(dialog_id)
    if chat is None:
        raise PythonError("AttributeError", "'NoneType' object has no attribute 'kb_ids'")
    if not chat.kb_ids:
        raise PythonError(
            "LookupError",
            "No knowledge base associated with this conversation. "
            "Please add a knowledge base before uploading documents",
        )
    dataset = owner.datasets.get(chat.kb_ids[0])
    if dataset is None:
        raise PythonError("LookupError", "Can't find this knowledgebase!")
    ids: list[str] = []
    for part in parts:
        try:
            doc = owner.documents.upload(dataset, str(part.filename), await part.read())
        except UploadFailure as exc:
            raise PythonError("RuntimeError", str(exc)) from None
        owner.documents.parse(doc)
        ids.append(doc.id)
    return json_result(data=ids)


def _chat_session(ctx: RequestContext, session_id: Any) -> tuple[TenantBackend, str] | None:
    """An SDK chat session (the server looks there first) as (owner, chat id)."""
    if not isinstance(session_id, str):
        return None
    for tenant in visible_tenants(ctx):
        found = tenant.sessions.items.get(session_id)
        if found is not None:
            return tenant, found.dialog_id
    return None


# -- listing and reading ---------------------------------------------------------------------------
async def list_legacy_kb_documents(ctx: RequestContext) -> Response:
    """POST /v1/api/list_kb_docs: `{"docs": [{doc_id, doc_name}], "total": n}` of a dataset named `kb_name`."""
    legacy_key(ctx)
    body = await ctx.json_forced()
    kb_name = get(body, "kb_name", "")
    if not isinstance(kb_name, str):
        raise PythonError("AttributeError", f"'{type(kb_name).__name__}' object has no attribute 'strip'")
    dataset = ctx.tenant.datasets.by_name(kb_name.strip())
    if dataset is None:
        raise DataError("Can't find this knowledgebase!")
    page, page_size = py_int(body.get("page", 1)), py_int(body.get("page_size", 15))
    orderby, desc, keywords = body.get("orderby", "create_time"), body.get("desc", True), body.get("keywords", "")
    status, types = body.get("status", []) or [], body.get("types", []) or []
    bad_status = list(dict.fromkeys(s for s in status if s not in TASK_STATUSES))
    if bad_status:
        raise DataError(f"Invalid filter status conditions: {', '.join(map(str, bad_status))}")
    bad_types = list(dict.fromkeys(t for t in types if t not in FILE_TYPES))
    if bad_types:
        plural = "s" if len(bad_types) > 1 else ""
        raise DataError(f"Invalid filter conditions: {', '.join(map(str, bad_types))} type{plural}")
    docs = ctx.tenant.documents.documents_of(dataset.id)
    if keywords:
        needle = collation_key(str(keywords))
        docs = [d for d in docs if needle in collation_key(d.name)]
    if status:
        docs = [d for d in docs if d.run in status]
    if types:
        docs = [d for d in docs if d.type in types]
    ordered = order_records(docs, str(orderby), bool(desc), "Document", Document.columns, DOCUMENT_COLUMNS)
    page_docs = mysql_page(ordered, page, page_size)
    return json_result(data={"docs": [{"doc_id": d.id, "doc_name": d.name} for d in page_docs], "total": len(docs)})


async def list_legacy_chunks(ctx: RequestContext) -> Response:
    """POST /v1/api/list_chunks: a document's chunks by `doc_name` or `doc_id` (JSON body)."""
    legacy_key(ctx)
    body = await ctx.json_forced()
    if not isinstance(body, dict):
        raise PythonError("AttributeError", f"'{type(body).__name__}' object has no attribute 'keys'")
    if "doc_name" in body:
        found = next(
            ((t, d) for t in visible_tenants(ctx) for d in t.documents.items.values() if d.name == body["doc_name"]),
            None,
        )
    elif "doc_id" in body:
        found = _documents_anywhere(ctx, body["doc_id"])
    else:
        return json_result(data=False, message="Can't find doc_name or doc_id")
    if found is None:
        return json_result(data=[])
    tenant, doc = found
    chunks = tenant.chunks.chunks_of(doc.id)
    return json_result(
        data=[{"content": c.content_with_weight, "doc_name": c.docnm_kwd, "image_id": c.img_id} for c in chunks]
    )


async def get_legacy_chunk(ctx: RequestContext) -> Response:
    """GET /v1/api/get_chunk/{chunk_id}: the stored chunk minus vector and token fields."""
    legacy_key(ctx)
    chunk = ctx.tenant.chunks.get(ctx.path_param("chunk_id"))
    if chunk is None:
        raise PythonError("Exception", "Chunk not found")
    data = {k: v for k, v in asdict(chunk).items() if v is not None and not _HIDDEN_CHUNK_FIELD.search(k)}
    return json_result(data=data)


async def get_legacy_document_infos(ctx: RequestContext) -> Response:
    """POST /v1/api/document/infos: internal rows of the `doc_ids` found."""
    await require_arguments(ctx, "doc_ids")
    legacy_key(ctx)
    ids = item(await ctx.json_forced(), "doc_ids")
    if not isinstance(ids, list):
        ids = [ids]
    rows = [found[1] for found in (_documents_anywhere(ctx, i) for i in ids) if found is not None]
    unique = {doc.id: doc for doc in rows}
    return json_result(data=[_row(doc) for _, doc in sorted(unique.items())])


# -- delete ----------------------------------------------------------------------------------------
async def delete_legacy_documents(ctx: RequestContext) -> Response:
    """DELETE /v1/api/document: by `doc_names` and/or `doc_ids`, one by one (earlier ones stay deleted)."""
    legacy_key(ctx)
    body = await ctx.json_forced()
    names = _iterable(get(body, "doc_names", []) or [])
    doc_ids: list[Any] = []
    for name in names:
        for tenant in visible_tenants(ctx):
            doc_ids += [d.id for d in tenant.documents.items.values() if d.name == name and d.id not in doc_ids]
    for doc_id in _iterable(body.get("doc_ids", []) or []):
        if doc_id not in doc_ids:
            doc_ids.append(doc_id)
    if not doc_ids:
        return json_result(data=False, message="Can't find doc_names or doc_ids")
    for doc_id in doc_ids:
        found = _documents_anywhere(ctx, doc_id)
        if found is None:
            raise DataError("Document not found!")
        tenant, doc = found
        tenant.documents.remove(doc)
    return json_result(data=True)


def _iterable(value: Any) -> list[Any]:
    """`for x in value` on a JSON value: lists, strings and objects iterate; anything else is Python's TypeError."""
    if isinstance(value, list | str | dict):
        return list(value)
    raise PythonError("TypeError", f"'{type(value).__name__}' object is not iterable")


# -- retrieval ---------------------------------------------------------------------------------------
def raw_chunk(chunk: ScoredChunk) -> dict[str, Any]:
    """A retrieval hit as the server's retriever returns it (internal names, vector removed)."""
    data: dict[str, Any] = {
        "chunk_id": chunk.id,
        "content_ltks": " ".join(tokenize(chunk.content)),
        "content_with_weight": chunk.content,
        "doc_id": chunk.document_id,
        "docnm_kwd": chunk.document_name,
        "kb_id": chunk.dataset_id,
        "important_kwd": list(chunk.important_keywords),
        "image_id": chunk.image_id,
        "similarity": chunk.similarity,
        "vector_similarity": chunk.vector_similarity,
        "term_similarity": chunk.term_similarity,
        "positions": [list(p) for p in chunk.positions],
    }
    if chunk.highlight is not None:
        data["highlight"] = chunk.highlight
    return data


async def legacy_retrieval(ctx: RequestContext) -> Response:
    """POST /v1/api/retrieval: `kb_id` (list) and `question`; raw chunks."""
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
    datasets = [ctx.tenant.datasets.get(i) for i in query.dataset_ids if isinstance(i, str)]
    if len({d.embd_id for d in datasets if d is not None}) != 1:
        raise AuthError('Knowledge bases use different embedding models or does not exist."')
    try:
        found = retrieve(ctx.tenant, query)
    except DataError as err:
        if err.message == NO_CHUNK_FOUND:
            raise LegacyFailure(102, NO_CHUNK_FOUND) from None
        raise
    chunks = [raw_chunk(c) for c in found.chunks]
    return json_result(data={"chunks": chunks, "doc_aggs": render_doc_aggs(found), "total": found.total})


# -- /v1/document files (no auth) ------------------------------------------------------------------
async def get_document_file(ctx: RequestContext) -> Response:
    """GET /v1/document/get/{doc_id}: the stored bytes (`image/<ext>` for images, else `application/<ext>`)."""
    doc_id = ctx.path_param("doc_id")
    for tenant in ctx.backends.tenants.values():
        doc = tenant.documents.find(doc_id)
        if doc is not None:
            match = re.search(r"\.([^.]+)$", doc.name.lower())
            headers = {}
            if match:
                family = "image" if doc.type == "visual" else "application"
                headers["Content-Type"] = f"{family}/{match.group(1)}"
            return Response(tenant.documents.blob(doc), headers=headers)
    raise DataError("Document not found!")


async def get_document_image(ctx: RequestContext) -> Response:
    """GET /v1/document/image/{image_id}: `<bucket>-<name>` from storage as `image/JPEG`."""
    parts = ctx.path_param("image_id").split("-")
    if len(parts) != 2:
        raise DataError("Image not found.")
    for tenant in ctx.backends.tenants.values():
        data = tenant.documents.blobs.get((parts[0], parts[1]))
        if data is not None:
            return Response(data, headers={"Content-Type": "image/JPEG"})
    raise DataError("Image not found.")


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
