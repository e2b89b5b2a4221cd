"""Chunks: the `Chunk` record (the server's index field names) and `ChunkStore`, kept in step with the index."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

import xxhash

from mockserver.core.chunking import Piece
from mockserver.core.chunking.splitter import qa_content
from mockserver.core.errors import DataError, NotFoundError
from mockserver.core.python_failures import unbound_local, utf8
from mockserver.core.search import count_tokens, highlight, remove_redundant_spaces, tokenize
from mockserver.core.tenancy import TenantContext
from mockserver.core.validation import check_duplicate_ids, partial_result
from mockserver.families.chunks.errors import negative_slicing
from mockserver.families.chunks.order import DocumentOrders, order_key
from mockserver.families.chunks.schemas import ChunkUpdate, NewChunk
from mockserver.families.datasets.models import DatasetStore

_ES_DEFAULT_SIZE = 10
"""Items the document store returns when a search has no size (`page_size=0`)."""


def chunk_id(content: str, document_id: str) -> str:
    """Chunk id: xxHash64 hex of the UTF-8 bytes of content + document id (same content, same id)."""
    return xxhash.xxh64(utf8(content + document_id)).hexdigest()


@dataclass
class Chunk:
    """One chunk in the tenant's index, with the server's internal field names."""

    id: str
    content_with_weight: str
    doc_id: str
    kb_id: str
    docnm_kwd: str
    create_time: str
    create_timestamp_flt: float
    important_kwd: list[str] = field(default_factory=list)
    question_kwd: list[str] = field(default_factory=list)
    img_id: str = ""
    position_int: list[list[int]] | None = None
    available_int: int = 1
    page_num_int: list[int] | None = None
    top_int: list[int] | None = None
    pagerank_fea: int | None = None
    title_tks: str = ""
    """Title tokens of the document name: parser-made chunks carry them (searched), API-added ones do not."""

    def to_api(self) -> dict[str, object]:
        """The 10-key object of a chunk list."""
        return {
            "available": bool(self.available_int),
            "content": self.content_with_weight,
            "dataset_id": self.kb_id,
            "docnm_kwd": self.docnm_kwd,
            "document_id": self.doc_id,
            "id": self.id,
            "image_id": self.img_id,
            "important_keywords": list(self.important_kwd),
            "positions": [list(p) for p in self.position_int or []],
            "questions": list(self.question_kwd),
        }

    def added_view(self) -> dict[str, object]:
        """The 8-key object an add-chunk reply carries."""
        return {
            "content": self.content_with_weight,
            "create_time": self.create_time,
            "create_timestamp": self.create_timestamp_flt,
            "dataset_id": self.kb_id,
            "document_id": self.doc_id,
            "id": self.id,
            "important_keywords": list(self.important_kwd),
            "questions": list(self.question_kwd),
        }

    def highlighted_view(self, keywords: str) -> dict[str, object]:
        """The list object with the keywords marked in `content` (unchanged when nothing matches)."""
        view = self.to_api()
        marked = highlight(self.content_with_weight, keywords)
        if marked:
            view["content"] = remove_redundant_spaces(marked)
        return view

    def embedded_text(self) -> str:
        """What gets embedded besides the title: the questions when there are any, else the content."""
        return "\n".join(self.question_kwd) if self.question_kwd else self.content_with_weight


class ChunkedDocument(Protocol):
    """What the chunk rules read and count of a document (`DocumentStore`'s records, above this store)."""

    id: str
    kb_id: str
    name: str
    status: str
    parser_id: str
    chunk_num: int
    token_num: int


class ParseRuns(Protocol):
    """What the chunk rules use of the documents store: a chunk listing counts as one read of the parse run."""

    def poll(self, doc_id: str) -> None:
        """Advance the document's parse run to now, counting one read."""
        ...


class ChunkTenant(TenantContext, Protocol):
    """What `ChunkStore` uses of its tenant: the context, the datasets (counters) and the parse runs."""

    datasets: DatasetStore

    @property
    def documents(self) -> ParseRuns:
        """The tenant's documents store."""
        ...


class ChunkStore:
    """A tenant's chunks by id, per document in list order, mirrored into `tenant.index`."""

    def __init__(self, tenant: ChunkTenant) -> None:
        self.tenant = tenant
        self.items: dict[str, Chunk] = {}
        self.by_doc: dict[str, dict[str, int]] = {}
        """Document id → chunk id → insertion sequence (ties in list order)."""
        self.docs_of_dataset: dict[str, set[str]] = {}
        self.has_index = False
        """The tenant's index exists once a chunk was ever written (it outlives deletions)."""
        self._sequence = itertools.count()
        self._orders = DocumentOrders()

    # -- building --------------------------------------------------------------------------------
    def build(
        self,
        doc: ChunkedDocument,
        content: str,
        important: list[str] | None = None,
        questions: list[str] | None = None,
        *,
        positions: list[list[int]] | None = None,
        at: float | None = None,
    ) -> Chunk:
        """A chunk of `doc` stamped now (id = xxHash64 of content + document id)."""
        clock = self.tenant.clock
        now = clock.now() if at is None else at
        dataset = self.tenant.datasets.get(doc.kb_id)
        pagerank = dataset.pagerank if dataset is not None and dataset.pagerank > 0 else None
        return Chunk(
            id=chunk_id(content, doc.id),
            content_with_weight=content,
            doc_id=doc.id,
            kb_id=doc.kb_id,
            docnm_kwd=doc.name,
            create_time=clock.local_datetime(now),
            create_timestamp_flt=now,
            important_kwd=list(important or []),
            question_kwd=list(questions or []),
            position_int=positions or None,
            page_num_int=[p[0] for p in positions] if positions else None,
            top_int=[p[3] for p in positions] if positions else None,
            pagerank_fea=pagerank,
        )

    def token_cost(self, doc: ChunkedDocument, chunk: Chunk) -> int:
        """Tokens the embedding model counts for a chunk: document name + embedded text."""
        return count_tokens(doc.name) + count_tokens(chunk.embedded_text())

    def store_parsed(self, doc: ChunkedDocument, pieces: list[Piece]) -> int:
        """Write a finished parse's chunks (one timestamp for the run); returns the tokens counted."""
        at = self.tenant.clock.now()
        tokens = count_tokens(doc.name)
        title = " ".join(tokenize(doc.name))
        for piece in pieces:
            chunk = self.build(doc, piece.text, positions=piece.positions, at=at)
            chunk.title_tks = title
            if doc.status != "1":
                chunk.available_int = int(doc.status) if doc.status.lstrip("-").isdigit() else 1
            self.add(chunk)
            tokens += count_tokens(piece.text) if piece.tokens is None else piece.tokens
        return tokens

    # -- writing ---------------------------------------------------------------------------------
    def add(self, chunk: Chunk) -> Chunk:
        """Insert (or overwrite the chunk with the same id) and index it."""
        existing = self.items.get(chunk.id)
        if existing is not None and existing.doc_id != chunk.doc_id:
            self._unlink(existing)
        self.items[chunk.id] = chunk
        seq = self.by_doc.setdefault(chunk.doc_id, {})[chunk.id] = next(self._sequence)
        self.docs_of_dataset.setdefault(chunk.kb_id, set()).add(chunk.doc_id)
        self._orders.sync(self.by_doc).place(chunk.doc_id, chunk, seq)
        self.has_index = True
        self._index(chunk)
        return chunk

    def _index(self, chunk: Chunk) -> None:
        index = self.tenant.index
        index.add(
            chunk.id,
            chunk.kb_id,
            chunk.doc_id,
            chunk.content_with_weight,
            chunk.important_kwd,
            chunk.question_kwd,
            chunk.title_tks,
        )
        index.set_available(chunk.id, bool(chunk.available_int))

    def replace(self, chunk: Chunk) -> None:
        """Re-index a chunk whose fields changed (position in its document's list unchanged)."""
        self.items[chunk.id] = chunk
        self._orders.sync(self.by_doc).place(chunk.doc_id, chunk, self.by_doc[chunk.doc_id][chunk.id])
        self._index(chunk)

    def set_available(self, doc_id: str, value: int) -> None:
        """Every chunk of a document gets `available_int = value` (document enable/disable)."""
        for cid in self.by_doc.get(doc_id, {}):
            self.items[cid].available_int = value
            self.tenant.index.set_available(cid, bool(value))

    def _unlink(self, chunk: Chunk) -> None:
        self.items.pop(chunk.id, None)
        self.tenant.index.remove(chunk.id)
        siblings = self.by_doc.get(chunk.doc_id)
        if siblings is not None:
            siblings.pop(chunk.id, None)
            self._orders.sync(self.by_doc).drop(chunk.doc_id, chunk.id)
            if not siblings:
                del self.by_doc[chunk.doc_id]
                self.docs_of_dataset.get(chunk.kb_id, set()).discard(chunk.doc_id)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete chunks by id wherever they are in the tenant; returns how many existed."""
        removed = 0
        for cid in ids:
            chunk = self.items.get(cid)
            if chunk is not None:
                self._unlink(chunk)
                removed += 1
        return removed

    def remove_document(self, doc_id: str) -> int:
        """Delete every chunk of a document."""
        return self.delete(list(self.by_doc.get(doc_id, {})))

    def wipe(self) -> int:
        """Delete every chunk of the tenant (the server's `chunk_ids: []` match-all delete)."""
        return self.delete(list(self.items))

    def drop_dataset(self, dataset_id: str) -> None:
        """Cascade of a dataset deletion."""
        for doc_id in list(self.docs_of_dataset.pop(dataset_id, set())):
            self.remove_document(doc_id)

    # -- the chunk routes ------------------------------------------------------------------------
    def count(self, doc: ChunkedDocument, chunks: int, tokens: int) -> None:
        """Add to the document's and its dataset's chunk and token counters."""
        doc.chunk_num += chunks
        doc.token_num += tokens
        self.tenant.datasets.count(self.tenant.datasets.get(doc.kb_id), chunks, tokens)

    def existing(self, cid: str) -> Chunk:
        """updateChunk: the chunk (anywhere in the tenant; checked before the path), or a 102."""
        chunk = self.get(cid)
        if chunk is None:
            raise DataError(f"Can't find this chunk {cid}")
        return chunk

    def add_to(self, doc: ChunkedDocument, new: NewChunk) -> Chunk:
        """addChunk: index one chunk of the document; its counters and its dataset's go up."""
        chunk = self.add(self.build(doc, new.content, new.important_keywords, new.questions))
        self.count(doc, 1, self.token_cost(doc, chunk))
        return chunk

    def listing(
        self, doc: ChunkedDocument, *, wanted: str | None, keywords: str, page: int, page_size: int
    ) -> tuple[list[dict[str, object]], int]:
        """listChunks: one chunk by id, or the document's page (keyword-filtered, marked); and the total."""
        self.tenant.documents.poll(doc.id)
        if wanted:
            found = self.get(wanted)
            if found is None:
                raise NotFoundError(f"Chunk not found: {doc.kb_id}/{wanted}")
            return [found.to_api()], 1
        if not self.has_index:
            return [], 0
        if not keywords:
            return [c.to_api() for c in self.page_in_order(doc.id, page, page_size)], self.count_of(doc.id)
        matching = set(self.tenant.index.keyword_filter(keywords, doc.id))
        ids = [cid for cid in self.ordered_ids(doc.id) if cid in matching]  # list order, as without keywords
        return [c.highlighted_view(keywords) for c in self.page_of(ids, page, page_size)], len(ids)

    def update(self, doc: ChunkedDocument, chunk: Chunk, change: ChunkUpdate) -> None:
        """updateChunk: the fields sent replace the chunk's; a Q&A document's content must split in two."""
        content = chunk.content_with_weight if change.content is None else change.content
        if doc.parser_id == "qa":
            parts = [t for t in re.split(r"[\n\t]", content) if len(t) > 1]
            if len(parts) != 2:
                raise DataError("Q&A must be separated by TAB/ENTER key.")
            content = qa_content(parts[0], parts[1])
        chunk.content_with_weight = content
        if change.important_keywords is not None:
            chunk.important_kwd = list(change.important_keywords)
        if change.questions is not None:
            chunk.question_kwd = change.questions
        if change.available is not None:
            chunk.available_int = change.available
        self.replace(chunk)

    def delete_listed(self, dataset_id: str, doc: ChunkedDocument, chunk_ids: Any) -> dict[str, Any] | None:
        """deleteChunks with `chunk_ids` (any JSON): `[]` deletes every chunk of the tenant (the server's
        match-all); otherwise each id wherever it is, and fewer deleted than asked is a 102 afterwards."""
        unique, duplicates = check_duplicate_ids(chunk_ids, "chunk")
        if not unique:
            self._deleted(dataset_id, doc, self.wipe())
            return None
        count = self._deleted(dataset_id, doc, self.delete(cid for cid in unique if isinstance(cid, str)))
        if count != len(unique):
            raise DataError(f"rm_chunk deleted chunks {count}, expect {len(unique)}")
        return partial_result([], duplicates, count)

    def delete_unlisted(self, dataset_id: str, doc: ChunkedDocument) -> NoReturn:
        """deleteChunks without `chunk_ids`: the document's chunks go (when it is in the path's dataset), then
        the server crashes on its unassigned duplicate messages."""
        self._deleted(dataset_id, doc, self.remove_document(doc.id) if doc.kb_id == dataset_id else 0)
        raise unbound_local("duplicate_messages")

    def _deleted(self, dataset_id: str, doc: ChunkedDocument, count: int) -> int:
        """The server's counters after a chunk deletion: the document's chunks and one token (whatever the
        count) come off, and as much off the path's dataset."""
        if count:
            doc.chunk_num -= count
            doc.token_num -= 1
            self.tenant.datasets.count(self.tenant.datasets.get(dataset_id), -count, -1)
        return count

    # -- reading ---------------------------------------------------------------------------------
    def get(self, cid: str) -> Chunk | None:
        """A chunk of the tenant by id, in any dataset."""
        return self.items.get(cid)

    def count_of(self, doc_id: str) -> int:
        """How many chunks the document has in the index."""
        return len(self.by_doc.get(doc_id, {}))

    def ordered_ids(self, doc_id: str) -> list[str]:
        """A document's chunk ids in list order: page, top, newest first, then insertion."""
        return self._order(doc_id).ids(doc_id)

    def _order(self, doc_id: str) -> DocumentOrders:
        orders = self._orders.sync(self.by_doc)
        sequence = self.by_doc.get(doc_id, {})
        if not orders.built(doc_id) or orders.size(doc_id) != len(sequence):
            # built on first use; rebuilt if a write raced the build (parsing runs off the event loop)
            orders.build(doc_id, [order_key(self.items[cid], seq) for cid, seq in list(sequence.items())])
        return orders

    def page_in_order(self, doc_id: str, page: int, page_size: int) -> list[Chunk]:
        """`page_of(ordered_ids(doc_id), page, page_size)` from the sorted order, O(log n + page)."""
        if page_size <= 0:
            start, stop = 0, _ES_DEFAULT_SIZE
        else:
            start = (page - 1) * page_size
            if start < 0:
                raise negative_slicing()
            stop = start + page_size
        return [self.items[cid] for cid in self._order(doc_id).ids(doc_id, start, stop)]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        """A document's chunks in list order."""
        return [self.items[cid] for cid in self.ordered_ids(doc_id)]

    def page_of(self, ids: list[str], page: int, page_size: int) -> list[Chunk]:
        """The document store's slicing of ordered ids: size ≤ 0 gives its default 10; negative offsets fail."""
        if page_size <= 0:
            return [self.items[cid] for cid in ids[:_ES_DEFAULT_SIZE]]
        offset = (page - 1) * page_size
        if offset < 0:
            raise negative_slicing()
        return [self.items[cid] for cid in ids[offset : offset + page_size]]
