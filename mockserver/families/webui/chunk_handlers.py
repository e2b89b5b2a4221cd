"""Web-UI handlers of `/v1/chunk/*`: list, get, set, create, remove, switch and the retrieval test."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.python_failures import gettable, py_int
from mockserver.families.webui.chunks import WebChunks
from mockserver.families.webui.rows import document_row, stored_chunk
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.request_args import query_arg, require_arguments
from mockserver.http.types import Handler


async def list_web_chunks(ctx: RequestContext) -> Response:
    """listWebChunks: POST /v1/chunk/list (`doc_id`, `page`, `size`, `keywords`, optional `available_int`)."""
    body = gettable(await require_arguments(ctx, "doc_id"))
    page, size = py_int(body.get("page", 1)), py_int(body.get("size", 30))
    available = py_int(body["available_int"]) if "available_int" in body else None
    found = WebChunks(ctx.tenant).listing(
        body["doc_id"], page=page, size=size, keywords=body.get("keywords", ""), available=available
    )
    data = {"chunks": found["chunks"], "doc": document_row(found["document"]), "total": found["total"]}
    return json_result(data=data)


async def get_web_chunk(ctx: RequestContext) -> Response:
    """getWebChunk: GET /v1/chunk/get?chunk_id=…."""
    return json_result(data=stored_chunk(WebChunks(ctx.tenant).get(query_arg(ctx, "chunk_id"))))


async def set_web_chunk(ctx: RequestContext) -> Response:
    """setWebChunk: POST /v1/chunk/set."""
    body = gettable(await require_arguments(ctx, "doc_id", "chunk_id", "content_with_weight"))
    WebChunks(ctx.tenant).set(body)
    return json_result(data=True)


async def switch_web_chunks(ctx: RequestContext) -> Response:
    """switchWebChunks: POST /v1/chunk/switch (`chunk_ids`, `available_int`, `doc_id`)."""
    body = gettable(await require_arguments(ctx, "chunk_ids", "available_int", "doc_id"))
    WebChunks(ctx.tenant).switch(body["chunk_ids"], body["available_int"], body["doc_id"])
    return json_result(data=True)


async def remove_web_chunks(ctx: RequestContext) -> Response:
    """removeWebChunks: POST /v1/chunk/rm (`chunk_ids`, `doc_id`)."""
    body = gettable(await require_arguments(ctx, "chunk_ids", "doc_id"))
    WebChunks(ctx.tenant).remove(body["chunk_ids"], body["doc_id"])
    return json_result(data=True)


async def create_web_chunk(ctx: RequestContext) -> Response:
    """createWebChunk: POST /v1/chunk/create (`doc_id`, `content_with_weight`, keyword lists)."""
    body = gettable(await require_arguments(ctx, "doc_id", "content_with_weight"))
    chunk = WebChunks(ctx.tenant).create(body)
    return json_result(data={"chunk_id": chunk.id})


async def web_retrieval_test(ctx: RequestContext) -> Response:
    """webRetrievalTest: POST /v1/chunk/retrieval_test (`kb_id` one or a list, `question`, search settings)."""
    body = gettable(await require_arguments(ctx, "kb_id", "question"))
    return json_result(data=WebChunks(ctx.tenant).retrieval_test(body))


async def get_document_knowledge_graph(ctx: RequestContext) -> Response:
    """getDocumentKnowledgeGraph: GET /v1/chunk/knowledge_graph?doc_id=… (no GraphRAG chunks: both maps empty)."""
    query_arg(ctx, "doc_id")
    return json_result(data={"graph": {}, "mind_map": {}})


HANDLERS: dict[str, Handler] = {
    "listWebChunks": list_web_chunks,
    "getWebChunk": get_web_chunk,
    "setWebChunk": set_web_chunk,
    "switchWebChunks": switch_web_chunks,
    "removeWebChunks": remove_web_chunks,
    "createWebChunk": create_web_chunk,
    "webRetrievalTest": web_retrieval_test,
    "getDocumentKnowledgeGraph": get_document_knowledge_graph,
}
