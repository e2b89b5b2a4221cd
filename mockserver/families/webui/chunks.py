"""Chunks as the web UI edits them: the rules of `/v1/chunk/*` over the tenant's chunk store and retrieval."""

from __future__ import annotations

import re
from typing import Any

from mockserver.core.chunking.splitter import qa_content
from mockserver.core.errors import DataError
from mockserver.core.python_failures import iterate, py_float, py_int
from mockserver.core.search import highlight, remove_redundant_spaces
from mockserver.families.chunks.models import Chunk
from mockserver.families.documents.records import Document
from mockserver.families.legacy.documents import raw_chunk
from mockserver.families.retrieval.service import NO_CHUNK_FOUND, RetrievalQuery, ScoredChunk, retrieve
from mockserver.families.webui.errors import data_error, owner_only
from mockserver.families.webui.rows import chunk_item
from mockserver.state.backend import TenantBackend


class WebChunks:
    """The web chunk rules over one tenant."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant

    def _document(self, doc_id: Any, *, tenant_first: bool = True) -> Document:
        """The document a chunk route names: unknown ids fail on the tenant lookup first ("Tenant not found!")."""
        doc = self.tenant.documents.find(doc_id)
        if doc is None:
            raise data_error("Tenant not found!" if tenant_first else "Document not found!")
        return doc

    def listing(self, doc_id: Any, *, page: int, size: int, keywords: Any, available: int | None) -> dict[str, Any]:
        """listWebChunks: the document's chunks in list order (keyword matches highlighted), its row and the total."""
        doc = self._document(doc_id)
        store = self.tenant.chunks
        self.tenant.documents.poll(doc.id)
        if not store.has_index:
            raise data_error("No chunk found!")
        ids = store.ordered_ids(doc.id)
        text = keywords if isinstance(keywords, str) else ""
        if text:
            matching = set(self.tenant.index.keyword_filter(text, doc.id))
            ids = [cid for cid in ids if cid in matching]
        if available is not None:
            ids = [cid for cid in ids if store.items[cid].available_int == available]
        items: list[dict[str, Any]] = []
        for chunk in store.page_of(ids, page, size):
            marked = highlight(chunk.content_with_weight, text) if text else None
            items.append(chunk_item(chunk, remove_redundant_spaces(marked) if marked else None))
        return {"total": len(ids), "chunks": items, "document": doc}

    def get(self, chunk_id: str) -> Chunk:
        """getWebChunk: a chunk of the caller's tenant by id."""
        chunk = self.tenant.chunks.get(chunk_id)
        if chunk is None:
            raise data_error("Chunk not found!")
        return chunk

    def set(self, body: dict[str, Any]) -> None:
        """setWebChunk: overwrite a chunk's text (a Q&A document's must split in two) and its keyword lists."""
        for key in ("important_kwd", "question_kwd"):
            if key in body and not isinstance(body[key], list):
                raise data_error(f"`{key}` should be a list")
        doc = self._document(body["doc_id"])
        content = body["content_with_weight"]
        if doc.parser_id == "qa":
            parts = [t for t in re.split(r"[\n\t]", str(content)) if len(t) > 1]
            if len(parts) < 2:
                raise DataError("Q&A must be separated by TAB/ENTER key.")
            content = qa_content(parts[0], parts[1])
        chunk = self.tenant.chunks.get(body["chunk_id"]) if isinstance(body["chunk_id"], str) else None
        if chunk is None:  # the document store's update-by-query matches nothing: still a success
            return
        chunk.content_with_weight = str(content)
        if "important_kwd" in body:
            chunk.important_kwd = [str(k) for k in body["important_kwd"]]
        if "question_kwd" in body:
            chunk.question_kwd = [str(q) for q in body["question_kwd"]]
        if "available_int" in body:
            chunk.available_int = py_int(body["available_int"])
        self.tenant.chunks.replace(chunk)

    def switch(self, chunk_ids: Any, available: Any, doc_id: Any) -> None:
        """switchWebChunks: each chunk's `available_int` (unknown ids are skipped, as an update-by-query)."""
        self._document(doc_id, tenant_first=False)
        value = py_int(available)
        store = self.tenant.chunks
        for chunk_id in iterate(chunk_ids):
            chunk = store.get(chunk_id) if isinstance(chunk_id, str) else None
            if chunk is not None:
                chunk.available_int = value
                store.replace(chunk)

    def remove(self, chunk_ids: Any, doc_id: Any) -> None:
        """removeWebChunks: delete the chunks; the document and its knowledge base lose `len(chunk_ids)` chunks and
        one token, whatever existed (the server's decrement)."""
        doc = self._document(doc_id, tenant_first=False)
        targets = [c for c in iterate(chunk_ids) if isinstance(c, str)]
        self.tenant.chunks.delete(targets)
        self.tenant.chunks.count(doc, -len(iterate(chunk_ids)), -1)

    def create(self, body: dict[str, Any]) -> Chunk:
        """createWebChunk: one chunk (id = xxHash64 of content + document id); counters go up."""
        important = body.get("important_kwd", [])
        if not isinstance(important, list):
            raise data_error("`important_kwd` is required to be a list")
        questions = body.get("question_kwd", [])
        if not isinstance(questions, list):
            raise data_error("`question_kwd` is required to be a list")
        doc = self._document(body["doc_id"], tenant_first=False)
        if self.tenant.datasets.get(doc.kb_id) is None:
            raise data_error("Knowledgebase not found!")
        store = self.tenant.chunks
        chunk = store.add(
            store.build(doc, str(body["content_with_weight"]), [str(k) for k in important], [str(q) for q in questions])
        )
        store.count(doc, 1, store.token_cost(doc, chunk))
        return chunk

    def retrieval_test(self, body: dict[str, Any]) -> dict[str, Any]:
        """webRetrievalTest: the SDK's retrieval engine over the caller's knowledge bases, internal field names."""
        kb_ids = body["kb_id"]
        targets = [kb_ids] if isinstance(kb_ids, str) else iterate(kb_ids)
        for kb_id in targets:
            if not isinstance(kb_id, str) or self.tenant.datasets.get(kb_id) is None:
                raise owner_only("knowledgebase")
        if not targets:
            raise data_error("Knowledgebase not found!")
        query = RetrievalQuery(
            question=body["question"],
            dataset_ids=[str(k) for k in targets],
            document_ids=[str(d) for d in iterate(body.get("doc_ids", []))],
            page=py_int(body.get("page", 1)),
            page_size=py_int(body.get("size", 30)),
            similarity_threshold=py_float(body.get("similarity_threshold", 0.0)),
            vector_similarity_weight=py_float(body.get("vector_similarity_weight", 0.3)),
            top_k=py_int(body.get("top_k", 1024)),
            highlight=bool(body.get("highlight")),
            rerank_id=body.get("rerank_id") or None,
            keyword=bool(body.get("keyword", False)),
        )
        try:
            found = retrieve(self.tenant, query)
        except DataError as err:
            if err.message == NO_CHUNK_FOUND:
                raise data_error(NO_CHUNK_FOUND) from None
            raise
        aggs = [{"doc_name": a.doc_name, "doc_id": a.doc_id, "count": a.count} for a in found.doc_aggs]
        return {
            "chunks": [_ranked(c) for c in found.chunks],
            "doc_aggs": {} if found.empty_question else aggs,
            "labels": None,
            "total": found.total,
        }


def _ranked(chunk: ScoredChunk) -> dict[str, Any]:
    """One retrieval-test chunk with the retriever's own names (the vector removed, as the route does)."""
    return raw_chunk(chunk, doc_type_kwd="")
