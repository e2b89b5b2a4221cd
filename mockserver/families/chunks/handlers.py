"""HTTP half of chunks: add, list (with the document object), delete and update chunks of a document."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mockserver.core.chunking.splitter import qa_content
from mockserver.core.errors import DataError, NotFoundError, PythonError
from mockserver.core.pagination import python_int
from mockserver.core.python_failures import gettable, joined, keyed, py_int
from mockserver.core.search import highlight, remove_redundant_spaces
from mockserver.core.validation import check_duplicate_ids, partial_result
from mockserver.families.chunks.models import clean_questions
from mockserver.families.documents.handlers import owned_dataset, owned_document
from mockserver.http.envelope import result

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.families.chunks.models import Chunk
    from mockserver.families.documents.models import Document
    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler


def _document(ctx: RequestContext) -> tuple[str, Document]:
    """Path dataset (caller's) and path document (in it), with the chunk endpoints' wording."""
    dataset_id = ctx.path_param("dataset_id")
    document_id = ctx.path_param("document_id")
    owned_dataset(ctx.tenant, dataset_id, f"You don't own the dataset {dataset_id}.")
    doc = owned_document(ctx.tenant.documents, dataset_id, document_id, f"You don't own the document {document_id}.")
    return dataset_id, doc


async def add_chunk(ctx: RequestContext) -> Response:
    """POST …/documents/{document_id}/chunks."""
    _, doc = _document(ctx)
    body = gettable(await ctx.json_forced())
    if not str(body.get("content", "")).strip():
        raise DataError("`content` is required")
    if "important_keywords" in body and not isinstance(body["important_keywords"], list):
        raise DataError("`important_keywords` is required to be a list")
    if "questions" in body and not isinstance(body["questions"], list):
        raise DataError("`questions` is required to be a list")
    content = body["content"]
    try:
        content + doc.id
    except TypeError as exc:
        raise PythonError("TypeError", str(exc)) from None
    keywords = body.get("important_keywords", [])
    joined(keywords, " ")
    chunks = ctx.tenant.chunks
    chunk = chunks.add(chunks.build(doc, content, keywords, clean_questions(body.get("questions", []))))
    ctx.tenant.documents.adjust(doc, 1, chunks.token_cost(doc, chunk))
    return result({"chunk": chunk.added_view()})


async def list_chunks(ctx: RequestContext) -> Response:
    """GET …/documents/{document_id}/chunks: `{"chunks", "doc", "total"}`."""
    dataset_id, doc = _document(ctx)
    query = ctx.query
    page = python_int(query.get("page"), 1)
    page_size = python_int(query.get("page_size"), 30)
    tenant = ctx.tenant
    tenant.documents.refresh(doc, poll=True)
    chunks = tenant.chunks
    wanted = query.get("id")
    if wanted:
        found = chunks.get(wanted)
        if found is None:
            raise NotFoundError(f"Chunk not found: {dataset_id}/{wanted}")
        return result({"chunks": [found.to_api()], "doc": doc.to_api(), "total": 1})
    if not chunks.has_index:
        return result({"chunks": [], "doc": doc.to_api(), "total": 0})
    keywords = query.get("keywords", "")
    if not keywords:
        ids = chunks.ordered_ids(doc.id)
        listed = [c.to_api() for c in chunks.page_of(ids, page, page_size)]
        return result({"chunks": listed, "doc": doc.to_api(), "total": len(ids)})
    matching = set(tenant.index.keyword_filter(keywords, doc.id))
    ids = [cid for cid in chunks.ordered_ids(doc.id) if cid in matching]  # list order, as without keywords
    listed = [_highlighted(c, keywords) for c in chunks.page_of(ids, page, page_size)]
    return result({"chunks": listed, "doc": doc.to_api(), "total": len(ids)})


def _highlighted(chunk: Chunk, keywords: str) -> dict[str, Any]:
    view = chunk.to_api()
    marked = highlight(chunk.content_with_weight, keywords)
    if marked:
        view["content"] = remove_redundant_spaces(marked)
    return view


async def delete_chunks(ctx: RequestContext) -> Response:
    """DELETE …/documents/{document_id}/chunks (`chunk_ids` absent, empty or a list: three behaviours)."""
    dataset_id = ctx.path_param("dataset_id")
    document_id = ctx.path_param("document_id")
    dataset = owned_dataset(ctx.tenant, dataset_id, f"You don't own the dataset {dataset_id}.")
    store = ctx.tenant.documents
    doc = store.find(document_id)
    if doc is None:
        raise PythonError("LookupError", f"Can't find the document with ID {document_id}!")
    body = keyed(await ctx.json_forced(), ("chunk_ids",))
    chunks = ctx.tenant.chunks

    def deleted(count: int) -> int:
        if count:
            doc.chunk_num -= count
            doc.token_num -= 1
            store.adjust_dataset(dataset, -count, -1)
        return count

    if "chunk_ids" not in body:
        deleted(chunks.remove_document(doc.id) if doc.kb_id == dataset_id else 0)
        raise PythonError("UnboundLocalError", "local variable 'duplicate_messages' referenced before assignment")
    unique, duplicates = check_duplicate_ids(body["chunk_ids"], "chunk")
    if not unique:
        deleted(chunks.wipe())
        return result()
    count = deleted(chunks.delete(cid for cid in unique if isinstance(cid, str)))
    if count != len(unique):
        raise DataError(f"rm_chunk deleted chunks {count}, expect {len(unique)}")
    return result(partial_result([], duplicates, count))


async def update_chunk(ctx: RequestContext) -> Response:
    """PUT …/documents/{document_id}/chunks/{chunk_id}."""
    chunk_id = ctx.path_param("chunk_id")
    chunks = ctx.tenant.chunks
    chunk = chunks.get(chunk_id)
    if chunk is None:
        raise DataError(f"Can't find this chunk {chunk_id}")
    _, doc = _document(ctx)
    body = keyed(await ctx.json_forced(), ("content", "important_keywords", "questions", "available"))
    content = body.get("content", chunk.content_with_weight)
    if not isinstance(content, str):
        raise PythonError("TypeError", "expected string or bytes-like object")
    keywords, questions, available = chunk.important_kwd, chunk.question_kwd, chunk.available_int
    if "important_keywords" in body:
        if not isinstance(body["important_keywords"], list):
            raise DataError("`important_keywords` should be a list")
        keywords = body["important_keywords"]
        joined(keywords, " ")
    if "questions" in body:
        if not isinstance(body["questions"], list):
            raise DataError("`questions` should be a list")
        questions = clean_questions(body["questions"])
    if "available" in body:
        available = py_int(body["available"])
    if doc.parser_id == "qa":
        parts = [t for t in re.split(r"[\n\t]", content) if len(t) > 1]
        if len(parts) != 2:
            raise DataError("Q&A must be separated by TAB/ENTER key.")
        content = qa_content(parts[0], parts[1])
    chunk.content_with_weight = content
    chunk.important_kwd = list(keywords)
    chunk.question_kwd = questions
    chunk.available_int = available
    chunks.replace(chunk)
    return result()


HANDLERS: dict[str, Handler] = {
    "addChunk": add_chunk,
    "listChunks": list_chunks,
    "deleteChunks": delete_chunks,
    "updateChunk": update_chunk,
}
