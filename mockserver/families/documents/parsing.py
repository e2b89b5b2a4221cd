"""Parse runs of documents: queued, advanced by reads and by time, finished into chunks, failed or cancelled."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, replace
from typing import Any

from mockserver.core.chunking import Piece, chunk_document
from mockserver.core.errors import DataError
from mockserver.core.indexes import DueQueue
from mockserver.core.lifecycle import (
    CANCEL,
    DONE,
    FAIL,
    QUEUED_PROGRESS,
    RUNNING,
    UNSTART,
    ParseJob,
    Progression,
    next_change,
    parse_progression,
)
from mockserver.core.text_analysis import count_tokens
from mockserver.families.documents.records import Document, DocumentTenant


@dataclass(frozen=True)
class Chunked:
    """A document's chunks computed ahead, away from the event loop; valid while its bytes and settings stay."""

    data: bytes
    parser_id: str
    parser_config: dict[str, Any]
    pieces: list[Piece]
    pages: int

    def fits(self, doc: Document, data: bytes) -> bool:
        """Still what parsing `doc` (with these stored bytes) would compute."""
        return data is self.data and doc.parser_id == self.parser_id and doc.parser_config == self.parser_config


def chunk_all(inputs: list[tuple[str, str, bytes, str, dict[str, Any]]]) -> dict[str, Chunked]:
    """Chunk documents given as (id, name, bytes, chunk method, parser config): pure work, any thread."""
    ahead: dict[str, Chunked] = {}
    for doc_id, name, data, parser_id, config in inputs:
        pieces, pages = chunk_document(name, data, parser_id, config)
        counted = [replace(piece, tokens=count_tokens(piece.text)) for piece in pieces]
        ahead[doc_id] = Chunked(data, parser_id, config, counted, pages)
    return ahead


class ParseRuns:
    """The parse half of `DocumentStore` (its base class): one `ParseJob` per running document.

    The store supplies `items` (its documents by id) and `blob` (a document's bytes).
    """

    items: dict[str, Document]

    def __init__(self, tenant: DocumentTenant) -> None:
        self.tenant = tenant
        self.jobs: dict[str, ParseJob] = {}
        self.pending: dict[str, list[Piece]] = {}
        """Document id → the chunks its running parse will write when it finishes."""
        self.progressions: dict[str, Progression] = {}
        self.default_progression: Progression = parse_progression(tenant.settings.progression)
        self.due = DueQueue()
        """Running jobs by the instant their clock-driven run next shows a change (derived from `jobs`)."""

    def blob(self, doc: Document) -> bytes:
        """The stored bytes of a document (the store's storage)."""
        raise NotImplementedError

    def set_progression(self, doc_id: str, progression: Progression | str) -> None:
        """Choose how this document's parse runs progress (also applies to a run in progress)."""
        chosen = parse_progression(progression) if isinstance(progression, str) else progression
        self.progressions[doc_id] = chosen
        job = self.jobs.get(doc_id)
        if job is not None:
            self._set_job(doc_id, replace(job, progression=chosen))

    def clear_chunks(self, doc: Document) -> None:
        """Remove the document's chunks from the index (counters untouched)."""
        self.tenant.chunks.remove_document(doc.id)

    async def chunk_ahead(self, dataset_id: str, ids: Any) -> dict[str, Chunked]:
        """parseDocuments, before the store decides: chunk the dataset's documents named by `ids` in a worker
        thread, so the event loop keeps serving other clients while a large file is read and split."""
        named = ids if isinstance(ids, list) else []
        targets = {doc.id: doc for doc in (self.items.get(i) if isinstance(i, str) else None for i in named) if doc}
        inputs = [
            (doc.id, doc.name, self.blob(doc), doc.parser_id, copy.deepcopy(doc.parser_config))
            for doc in targets.values()
            if doc.kb_id == dataset_id
        ]
        return await asyncio.to_thread(chunk_all, inputs) if inputs else {}

    def parse(self, doc: Document, ahead: Chunked | None = None) -> None:
        """parseDocuments (one document): counters of the document reset (not the dataset's), chunks cleared,
        queued; a document being processed is refused. `ahead` is its chunking done off the loop, if any
        (used when still valid, else the document is chunked here)."""
        self.refresh(doc)
        if 0 < doc.progress < 1:
            raise DataError("Can't parse document that is currently being processed")
        self.clear_chunks(doc)
        doc.chunk_num = 0
        doc.token_num = 0
        clock = self.tenant.clock
        now = clock.now()
        doc.run = RUNNING
        doc.progress = QUEUED_PROGRESS
        doc.progress_msg = "Task is queued..."
        doc.process_begin_at = clock.http_date(now)
        clock.touch(doc)
        data = self.blob(doc)
        if ahead is not None and ahead.fits(doc, data):
            pieces, pages = ahead.pieces, ahead.pages
        else:
            pieces, pages = chunk_document(doc.name, data, doc.parser_id, doc.parser_config)
        progression = self.progressions.get(doc.id, self.default_progression)
        self._set_job(doc.id, ParseJob(progression, now, pages, len(pieces)))
        self.pending[doc.id] = pieces
        self.refresh(doc)

    def stop(self, doc: Document) -> None:
        """stopParsingDocuments (one document): CANCEL, progress 0, chunk counter 0 (tokens kept), chunks removed;
        a document at progress 0 or 1 is refused."""
        self.refresh(doc)
        if doc.progress == 0 or int(doc.progress) == 1:
            raise DataError("Can't stop parsing document with progress at 0 or 1")
        self.forget_run(doc.id)
        doc.run = CANCEL
        doc.progress = 0.0
        doc.chunk_num = 0
        self.clear_chunks(doc)
        self.tenant.clock.touch(doc)

    def reset_run(self, doc: Document) -> None:
        """Back to UNSTART (chunk method change): progress 0, message cleared, run forgotten."""
        self.forget_run(doc.id)
        doc.run = UNSTART
        doc.progress = 0.0
        doc.progress_msg = ""

    def refresh(self, doc: Document, *, poll: bool = False) -> None:
        """Advance the document's parse run to now; `poll` counts one read of it."""
        job = self.jobs.get(doc.id)
        if job is None:
            return
        if poll:
            job = job.polled()
        clock = self.tenant.clock
        now = clock.now()
        phase = job.phase(now)
        if phase.fraction <= 0 and not (phase.finished or phase.failed):
            self._set_job(doc.id, job)
            return
        job = job.with_log(phase, now, clock.zone)
        self._set_job(doc.id, job)
        doc.progress = job.progress(phase)
        doc.progress_msg = "\n".join(job.lines)
        if phase.finished or phase.failed:
            self._finish(doc, job, failed=phase.failed, now=now)

    def poll(self, doc_id: str) -> None:
        """listChunks: reading a document's chunks counts as one read of its parse run."""
        doc = self.items.get(doc_id)
        if doc is not None:
            self.refresh(doc, poll=True)

    def settle(self) -> None:
        """Advance the running parses whose clock-driven run shows a change by now, without counting reads (every
        request; reads of a document advance it to now themselves). Cost: the jobs due, not the documents."""
        if self.due.source is not self.jobs:
            self.due.clear()
            self.due.source = self.jobs
            for doc_id, job in self.jobs.items():
                self.due.schedule(doc_id, next_change(job))
        for key in self.due.pop_due(self.tenant.clock.now()):
            doc = self.items.get(str(key))
            running = self.jobs.get(str(key))
            if doc is not None and running is not None:
                self.refresh(doc)
                if self.jobs.get(doc.id) is running:  # nothing moved yet (float edge): try at the next request
                    self.due.schedule(doc.id, next_change(running))

    def poll_dataset(self, dataset_id: str) -> None:
        """listDocuments without filters: one read of every running parse of the dataset, in upload order."""
        running = [self.items[i] for i in self.jobs if i in self.items and self.items[i].kb_id == dataset_id]
        running.sort(key=lambda d: getattr(d, "_seq", 0))
        for doc in running:
            self.refresh(doc, poll=True)

    def _set_job(self, doc_id: str, job: ParseJob) -> None:
        self.jobs[doc_id] = job
        if self.due.source is self.jobs:
            self.due.schedule(doc_id, next_change(job))

    def forget_run(self, doc_id: str) -> None:
        """Drop the document's running job and its pending chunks."""
        self.jobs.pop(doc_id, None)
        self.pending.pop(doc_id, None)
        self.due.schedule(doc_id, None)

    def _finish(self, doc: Document, job: ParseJob, *, failed: bool, now: float) -> None:
        pieces = self.pending.get(doc.id, [])
        self.forget_run(doc.id)
        doc.process_duation = round(max(0.0, now - job.started_at), 6)
        self.tenant.clock.touch(doc)
        if failed:
            doc.run = FAIL
            return
        doc.run = DONE
        if pieces:
            tokens = self.tenant.chunks.store_parsed(doc, pieces)
            self.tenant.chunks.count(doc, len(pieces), tokens)
