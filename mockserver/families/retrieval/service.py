"""Retrieval: the `retrieve` service other families reuse, the retrieval routes' ownership checks, the renderers."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from mockserver.core.catalog import split_model_id
from mockserver.core.errors import DataError, HttpStatusError, PythonError
from mockserver.core.python_failures import from_exception, no_attribute, not_string_or_bytes, python_semantics
from mockserver.core.search import STOPWORDS, Hit, highlight, remove_redundant_spaces, tokenize, tokenized
from mockserver.core.tenancy import TenantContext
from mockserver.families.chunks.errors import knn_k_not_positive, negative_slicing
from mockserver.families.chunks.models import ChunkStore
from mockserver.families.datasets.models import Dataset, DatasetStore
from mockserver.families.documents.models import DocumentStore

NO_CHUNK_FOUND = "No chunk found! Check the chunk status please!"
RERANK_LIMIT = 64
"""The server's candidate budget that the block size `L` is derived from."""
DOCUMENT_FILTER_PAGE_SIZE = 30
"""With `document_ids`, at most this many chunks come back (and the threshold is 0)."""
BUILTIN_RERANK_FACTORIES = frozenset({"BAAI", "Youdao", "FastEmbed"})
BUILTIN_RERANK_MODELS = frozenset({"BAAI/bge-reranker-v2-m3", "maidalun1020/bce-reranker-base_v1"})
"""Rerank models the server serves locally, so no API key is needed for them."""


class RetrievalTenant(TenantContext, Protocol):
    """What a retrieval reads of a tenant: the context (index, models) and its datasets and chunks."""

    datasets: DatasetStore
    chunks: ChunkStore


# -- the service ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RetrievalQuery:
    """One retrieval, with the server's defaults. `question` may be any JSON value (the server's crashes)."""

    question: Any
    dataset_ids: list[str]
    document_ids: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = 30
    similarity_threshold: float = 0.2
    vector_similarity_weight: float = 0.3
    top_k: int = 1024
    highlight: bool = False
    rerank_id: Any = None
    keyword: bool = False


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk: its fields (server names) and scores; `highlight` is None when not produced."""

    id: str
    content: str
    document_id: str
    document_name: str
    dataset_id: str
    image_id: str
    important_keywords: list[str]
    positions: list[list[int]]
    similarity: float
    vector_similarity: float
    term_similarity: float
    highlight: str | None = None


@dataclass(frozen=True)
class DocAgg:
    """Chunks returned per document name (the first document id seen under that name)."""

    doc_name: str
    doc_id: str
    count: int


@dataclass(frozen=True)
class RetrievalResult:
    """What a retrieval found: `total` counts the block's candidates above the threshold."""

    total: int
    chunks: list[ScoredChunk]
    doc_aggs: list[DocAgg]
    empty_question: bool = False


def candidate_window(page_size: int) -> int:
    """The block size `L`: 64 rounded to a multiple of `page_size`; 0 for page sizes above 128."""
    if page_size <= 1:
        return 1
    with python_semantics():  # int/int true division: a huge page size gives 0 (then ZeroDivisionError)
        return int(RERANK_LIMIT // page_size + ((RERANK_LIMIT % page_size) / page_size + 0.5)) * page_size


def check_rerank_model(tenant: RetrievalTenant, rerank_id: Any) -> None:
    """The server's model-bundle lookup for a rerank id: unknown → `LookupError('Model(<id>) not authorized')`."""
    if not isinstance(rerank_id, str):
        raise no_attribute(rerank_id, "split")
    name, factory = split_model_id(rerank_id)
    configured = {split_model_id(m) for m in tenant.configured_models}
    if (name, factory) in configured or (factory is None and any(n == name for n, _ in configured)):
        return
    if (factory is None or factory in BUILTIN_RERANK_FACTORIES) and name in BUILTIN_RERANK_MODELS:
        return
    raise PythonError("LookupError", f"Model({name}) not authorized")


def extracted_keywords(question: str) -> str:
    """Deterministic stand-in for the chat model's keyword extraction (`keyword: true`)."""
    return ", ".join(dict.fromkeys(t for t in tokenize(question) if t not in STOPWORDS))


def retrieve(tenant: RetrievalTenant, query: RetrievalQuery) -> RetrievalResult:
    """Run one retrieval the way the server's retriever does (block of `L` candidates, absolute page slice)."""
    if query.rerank_id:
        check_rerank_model(tenant, query.rerank_id)
    question = query.question
    if query.keyword:
        if not tenant.llm_id:
            raise PythonError("LookupError", "Type of chat model is not set.")
        keywords = extracted_keywords(question if isinstance(question, str) else str(question))
        with python_semantics():  # the server's `question += keywords`: a list grows, a number or null fails
            question = _copied(question)
            question += keywords
    if not question:
        return RetrievalResult(0, [], [], empty_question=True)
    window = candidate_window(query.page_size)
    block_number = _ceil_div(query.page_size * query.page, window)
    if not isinstance(question, str):
        raise not_string_or_bytes()
    if block_number <= 0:
        raise negative_slicing()
    if not tenant.index.created:
        raise DataError(NO_CHUNK_FOUND)
    if query.top_k < 1:
        raise knn_k_not_positive()
    block = _block(tenant, query, question, window, block_number)
    threshold = 0.0 if query.document_ids else query.similarity_threshold
    page_size = DOCUMENT_FILTER_PAGE_SIZE if query.document_ids else query.page_size
    total = sum(1 for _, sim in block if sim >= threshold)
    picked: list[tuple[Hit, float]] = []
    for hit, sim in block[(query.page - 1) * query.page_size : query.page * query.page_size]:
        if sim < threshold:
            break
        if len(picked) < page_size:
            picked.append((hit, sim))
    chunks = [c for c in (_scored(tenant, hit, sim) for hit, sim in picked) if c is not None]
    if query.highlight:
        chunks = _with_highlights(tenant, chunks, block, question)
    return RetrievalResult(total, chunks, _doc_aggs(chunks))


def _copied(value: Any) -> Any:
    """A list question is extended in place by `+=`: work on a copy so the request's value stays as sent."""
    return list(value) if isinstance(value, list) else value


def _ceil_div(numerator: int, denominator: int) -> int:
    try:
        return math.ceil(numerator / denominator)
    except (ZeroDivisionError, OverflowError) as exc:  # a huge page: integer division result too large for a float
        raise from_exception(exc) from None


def _block(
    tenant: RetrievalTenant, query: RetrievalQuery, question: str, window: int, block_number: int
) -> list[tuple[Hit, float]]:
    """The fetched candidate block, best first, with each hit's final similarity (pagerank added)."""
    dataset_ids = list(dict.fromkeys(query.dataset_ids))  # a repeated id searches the same dataset: once
    datasets = [d for d in (tenant.datasets.get(i) for i in dataset_ids) if d is not None]
    with_pagerank = any(d.pagerank > 0 for d in datasets)
    threshold = 0.0 if query.document_ids or with_pagerank else query.similarity_threshold
    limit = None if with_pagerank else block_number * window  # pagerank re-sorts: every candidate
    hits = tenant.index.search(
        question, dataset_ids, query.document_ids, query.vector_similarity_weight, threshold, query.top_k, limit
    )
    if not hits and query.document_ids:
        hits = [Hit(cid, 0.0, 0.0, 0.0) for cid in tenant.index.available_in(query.document_ids, dataset_ids)]
    ranked = [(hit, hit.similarity + (_pagerank(tenant, hit.chunk_id) if with_pagerank else 0.0)) for hit in hits]
    if with_pagerank:
        ranked.sort(key=lambda pair: -pair[1])
    start = (block_number - 1) * window
    return ranked[start : start + window]


def _pagerank(tenant: RetrievalTenant, chunk_id: str) -> float:
    record = tenant.chunks.get(chunk_id)
    return float(record.pagerank_fea or 0) if record is not None else 0.0


def _scored(tenant: RetrievalTenant, hit: Hit, similarity: float) -> ScoredChunk | None:
    record = tenant.chunks.get(hit.chunk_id)
    if record is None:
        return None
    return ScoredChunk(
        id=hit.chunk_id,
        content=record.content_with_weight,
        document_id=record.doc_id,
        document_name=record.docnm_kwd,
        dataset_id=record.kb_id,
        image_id=record.img_id or "",
        important_keywords=list(record.important_kwd or []),
        positions=[list(p) for p in record.position_int or []],
        similarity=similarity,
        vector_similarity=hit.vector_similarity,
        term_similarity=hit.term_similarity,
    )


def _with_highlights(
    tenant: RetrievalTenant, chunks: list[ScoredChunk], block: list[tuple[Hit, float]], question: str
) -> list[ScoredChunk]:
    """Every chunk gets `highlight` (its markup, else its content) once any block candidate has one."""
    marked = {c.id: highlight(c.content, question) for c in chunks}
    if not any(marked.values()) and not _block_has_highlight(tenant, block, question, set(marked)):
        return chunks
    return [replace(c, highlight=remove_redundant_spaces(marked[c.id]) if marked[c.id] else c.content) for c in chunks]


def _block_has_highlight(
    tenant: RetrievalTenant, block: list[tuple[Hit, float]], question: str, seen: set[str]
) -> bool:
    for hit, _ in block:
        if hit.chunk_id in seen:
            continue
        record = tenant.chunks.get(hit.chunk_id)
        if record is not None and highlight(record.content_with_weight, question):
            return True
    return False


def _doc_aggs(chunks: Iterable[ScoredChunk]) -> list[DocAgg]:
    counts: dict[str, list[Any]] = {}
    for chunk in chunks:
        counts.setdefault(chunk.document_name, [chunk.document_id, 0])[1] += 1
    ordered = sorted(counts.items(), key=lambda item: -int(item[1][1]))
    return [DocAgg(name, doc_id, count) for name, (doc_id, count) in ordered]


# -- the routes' checks ----------------------------------------------------------------------------------
def owned_datasets(datasets: DatasetStore, dataset_ids: list[Any]) -> list[Dataset]:
    """retrieveChunks: every id names one of the caller's datasets, and they share one embedding model."""
    found: dict[str, Dataset] = {}
    for dataset_id in dataset_ids:
        if isinstance(dataset_id, str) and dataset_id in found:
            continue  # checked already: a repeated id costs nothing more
        dataset = datasets.get(dataset_id) if isinstance(dataset_id, str) else None
        if dataset is None:
            raise DataError(f"You don't own the dataset {dataset_id}.")
        found[dataset_id] = dataset
    if len({split_model_id(d.embd_id)[0] for d in found.values()}) != 1:
        raise DataError('Datasets use different embedding models."')
    return list(found.values())


def check_documents(documents: DocumentStore, datasets: list[Dataset], document_ids: list[Any]) -> None:
    """retrieveChunks: every document id names a document of those datasets."""
    owned = {
        doc.id for dataset_id in dict.fromkeys(d.id for d in datasets) for doc in documents.documents_of(dataset_id)
    }
    for document_id in document_ids:
        if not isinstance(document_id, str) or document_id not in owned:
            raise DataError(f"The datasets don't own the document {document_id}")


def dify_retrieve(
    tenant: RetrievalTenant, question: Any, dataset_id: Any, threshold: float, top_k: int
) -> RetrievalResult:
    """difyRetrieval: one dataset of the caller; failures as real HTTP statuses (404 not found, 500 a crash)."""
    dataset = tenant.datasets.get(dataset_id) if isinstance(dataset_id, str) else None
    if dataset is None or dataset.tenant_id != tenant.tenant_id:
        raise HttpStatusError(404, "Knowledgebase not found!")
    query = RetrievalQuery(question, [dataset_id], page_size=top_k, similarity_threshold=threshold, top_k=top_k)
    try:
        return retrieve(tenant, query)
    except DataError as err:
        if err.message != NO_CHUNK_FOUND:
            raise
        raise HttpStatusError(404, NO_CHUNK_FOUND) from None
    except PythonError as err:
        raise HttpStatusError(500, err.detail) from None


# -- renderers -------------------------------------------------------------------------------------------
def api_chunk(chunk: ScoredChunk) -> dict[str, Any]:
    """The `/api/v1/retrieval` chunk object (server renames applied; no `questions`, no `available`)."""
    data: dict[str, Any] = {
        "id": chunk.id,
        "content": chunk.content,
        "content_ltks": tokenized(chunk.content),
        "dataset_id": chunk.dataset_id,
        "document_id": chunk.document_id,
        "document_keyword": chunk.document_name,
        "image_id": chunk.image_id,
        "important_keywords": list(chunk.important_keywords),
        "positions": [list(p) for p in chunk.positions],
        "similarity": chunk.similarity,
        "term_similarity": chunk.term_similarity,
        "vector_similarity": chunk.vector_similarity,
    }
    if chunk.highlight is not None:
        data["highlight"] = chunk.highlight
    return data


def reference_chunk(chunk: ScoredChunk) -> dict[str, Any]:
    """The chat `reference` chunk object (§5.1 key order, `url` null)."""
    return {
        "id": chunk.id,
        "content": chunk.content,
        "document_id": chunk.document_id,
        "document_name": chunk.document_name,
        "dataset_id": chunk.dataset_id,
        "image_id": chunk.image_id,
        "positions": [list(p) for p in chunk.positions],
        "url": None,
        "similarity": chunk.similarity,
        "vector_similarity": chunk.vector_similarity,
        "term_similarity": chunk.term_similarity,
    }


def render_doc_aggs(found: RetrievalResult) -> list[dict[str, Any]] | dict[str, Any]:
    """`doc_aggs` as the server sends it: a list of `{doc_name, doc_id, count}`, or `{}` for an empty question."""
    if found.empty_question:
        return {}
    return [{"doc_name": a.doc_name, "doc_id": a.doc_id, "count": a.count} for a in found.doc_aggs]


def render_retrieval(found: RetrievalResult) -> dict[str, Any]:
    """The `data` of `POST /api/v1/retrieval`."""
    return {"chunks": [api_chunk(c) for c in found.chunks], "doc_aggs": render_doc_aggs(found), "total": found.total}


def render_reference(found: RetrievalResult) -> dict[str, Any]:
    """A chat answer's `reference`: `{"total", "chunks", "doc_aggs"}` in that order."""
    return {
        "total": found.total,
        "chunks": [reference_chunk(c) for c in found.chunks],
        "doc_aggs": render_doc_aggs(found),
    }
