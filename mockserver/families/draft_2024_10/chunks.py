"""Profile `2024-10-draft`: the chunk and retrieval rules (`…/document/{id}/chunk`, `GET /api/v1/retrieval`).

Chunk lists show each chunk once (DOC≠CODE: 6329427ad5 repeated them), with `docnm_kwd`, `available_int` and the
document's internal row; added chunks get MD5 ids; the chunk update the code never served (or always crashed
on) works as the draft documents it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mockserver.core.errors import DataError, PythonError
from mockserver.core.python_failures import gettable, iterate, no_attribute, py_int
from mockserver.core.search import count_tokens, tokenized
from mockserver.families.chunks.models import Chunk
from mockserver.families.draft_2024_10.service import DraftApi, document_row, fail
from mockserver.families.retrieval.service import RetrievalQuery, RetrievalResult, ScoredChunk, retrieve


class DraftChunks(DraftApi):
    """The caller's view of chunks and retrieval through the draft's routes."""

    def chunks(self, dataset_id: str, document_id: str, query: dict[str, str]) -> dict[str, Any]:
        """draftListChunks: the document's chunks (once each: DOC≠CODE), `docnm_kwd` and the internal `doc`."""
        doc = self.document(dataset_id, document_id)
        page, size = py_int(query.get("offset", 1)), py_int(query.get("limit", 30))
        chunks = self.tenant.chunks
        self.tenant.documents.poll(doc.id)
        if not chunks.has_index:  # the search engine has no index for the tenant yet
            raise fail("No chunk found!")
        ids = chunks.ordered_ids(doc.id)
        keywords = query.get("keywords", "")
        if keywords:
            matching = set(self.tenant.index.keyword_filter(keywords, doc.id))
            ids = [cid for cid in ids if cid in matching]
        if "available_int" in query:
            wanted = py_int(query["available_int"])
            ids = [cid for cid in ids if chunks.items[cid].available_int == wanted]
        found = [_chunk_item(c, keywords) for c in chunks.page_of(ids, page, size)]
        return {"chunks": found, "doc": document_row(doc), "total": len(ids)}

    def delete_chunks(self, dataset_id: str, document_id: str, body: Any) -> None:
        """draftDeleteChunks: every id must exist in the tenant; counters −n chunks, −1 token (sic)."""
        doc = self.document(dataset_id, document_id)
        ids = gettable(body).get("chunk_ids")
        if not ids:
            raise DataError("`chunk_ids` is required")
        chunks = self.tenant.chunks
        targets = iterate(ids)
        if any(not isinstance(cid, str) or chunks.get(cid) is None for cid in targets):
            raise no_attribute("", "args")
        count = chunks.delete(targets)
        doc.chunk_num -= count
        doc.token_num -= 1
        self.tenant.datasets.count(self.tenant.datasets.get(doc.kb_id), -count, -1)

    def add_chunk(self, dataset_id: str, document_id: str, body: Any) -> dict[str, Any]:
        """draftAddChunk: `content` (text) and `important_kwd`; the id is MD5 of content + document id."""
        doc = self.document(dataset_id, document_id)
        req = gettable(body)
        content = req.get("content")
        if not content:
            raise DataError("`content` is required")
        if not isinstance(content, str):
            raise PythonError(
                "TypeError", f'can only concatenate {type(content).__name__} (not "str") to {type(content).__name__}'
            )
        important = req.get("important_kwd", [])
        store = self.tenant.chunks
        chunk = store.build(doc, content, [str(k) for k in iterate(important)])
        chunk.id = hashlib.md5((content + doc.id).encode("utf-8")).hexdigest()
        store.add(chunk)
        store.count(doc, 1, count_tokens(content))
        return {
            "chunk": {
                "content": chunk.content_with_weight,
                "create_time": chunk.create_time,
                "create_timestamp": chunk.create_timestamp_flt,
                "dataset_id": [chunk.kb_id],
                "document_id": chunk.doc_id,
                "id": chunk.id,
                "important_keywords": list(chunk.important_kwd),
            }
        }

    def update_chunk(self, dataset_id: str, document_id: str, chunk_id: Any, body: dict[str, Any]) -> None:
        """draftUpdateChunk (documented-only) and the undocumented path form: content, keywords, availability."""
        doc = self.document(dataset_id, document_id)
        if not chunk_id:
            raise DataError("`chunk_id` is required")
        chunks = self.tenant.chunks
        chunk = chunks.get(chunk_id) if isinstance(chunk_id, str) else None
        if chunk is None or chunk.doc_id != doc.id:
            raise fail(f"Chunk {chunk_id} not found")
        if "content" in body:
            chunk.content_with_weight = str(body["content"])
        if "important_keywords" in body:
            chunk.important_kwd = [str(k) for k in iterate(body["important_keywords"])]
        for key in ("available", "status"):
            if key in body:
                chunk.available_int = 1 if str(body[key]).lower() in ("1", "true") else 0
        chunks.replace(chunk)

    # -- retrieval -------------------------------------------------------------------------------
    def retrieval(self, body: Any, query: dict[str, str]) -> dict[str, Any]:
        """draftRetrieval (`GET /api/v1/retrieval`, undocumented) and the seed's per-dataset form."""
        req = gettable(body)
        dataset_ids = req.get("datasets")
        if not dataset_ids:
            raise DataError("`datasets` is required.")
        dataset_ids = [dataset_ids] if isinstance(dataset_ids, str) else iterate(dataset_ids)
        for dataset_id in dataset_ids:
            self.owned(str(dataset_id))
        if "question" not in req:
            raise DataError("`question` is required.")
        found = retrieve(
            self.tenant,
            RetrievalQuery(
                question=req["question"],
                dataset_ids=[str(d) for d in dataset_ids],
                document_ids=[str(d) for d in iterate(req.get("documents") or [])],
                page=py_int(query.get("offset", 1)),
                page_size=py_int(query.get("limit", 30)),
                similarity_threshold=float(query.get("similarity_threshold", 0.0)),
                vector_similarity_weight=float(query.get("vector_similarity_weight", 0.3)),
                top_k=py_int(query.get("top_k", 1024)),
                highlight=query.get("highlight") not in ("False", "false"),
                rerank_id=query.get("rerank_id") or None,
                keyword=bool(query.get("keyword")),
            ),
        )
        return _retrieval_view(found)


def _chunk_item(chunk: Chunk, keywords: str) -> dict[str, Any]:
    """T11's chunk object: `available_int` 1 or the stored flag as text, keywords tab-joined when present."""
    content = chunk.content_with_weight
    if keywords:
        content = str(chunk.highlighted_view(keywords)["content"])
    return {
        "available_int": 1 if chunk.available_int == 1 else str(chunk.available_int),
        "content": content,
        "docnm_kwd": chunk.docnm_kwd,
        "document_id": chunk.doc_id,
        "id": chunk.id,
        "image_id": chunk.img_id,
        "important_keywords": "\t".join(chunk.important_kwd) if chunk.important_kwd else [],
        "positions": [[float(v) for v in p] for p in chunk.position_int] if chunk.position_int else [""],
    }


def _retrieval_chunk(chunk: ScoredChunk) -> dict[str, Any]:
    data: dict[str, Any] = {
        "content": chunk.content,
        "content_ltks": tokenized(chunk.content),
        "document_id": chunk.document_id,
        "document_keyword": chunk.document_name,
        "id": chunk.id,
        "img_id": chunk.image_id,
        "important_keywords": list(chunk.important_keywords),
        "kb_id": chunk.dataset_id,
        "positions": [list(p) for p in chunk.positions] or [""],
        "similarity": chunk.similarity,
        "term_similarity": chunk.term_similarity,
        "vector_similarity": chunk.vector_similarity,
    }
    if chunk.highlight is not None:
        data["highlight"] = chunk.highlight
    return data


def _retrieval_view(found: RetrievalResult) -> dict[str, Any]:
    aggs = [{"count": a.count, "doc_id": a.doc_id, "doc_name": a.doc_name} for a in found.doc_aggs]
    return {"chunks": [_retrieval_chunk(c) for c in found.chunks], "doc_aggs": aggs, "total": found.total}
