"""Documents: the `Document` record and `DocumentStore` (upload, storage, listing, deletion, parse lifecycle)."""

from __future__ import annotations

import copy
import os
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from mockserver.core.chunking import Piece, chunk_document
from mockserver.core.errors import DataError, ServerError
from mockserver.core.lifecycle import (
    CANCEL,
    DONE,
    FAIL,
    QUEUED_PROGRESS,
    RUN_NAMES,
    RUNNING,
    UNSTART,
    ParseJob,
    Progression,
    parse_progression,
)
from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.core.validation import check_duplicate_ids, partial_result
from mockserver.families.documents import files

if TYPE_CHECKING:
    from mockserver.families.datasets.models import Dataset
    from mockserver.state.backend import TenantBackend

_API_RENAMES = {
    "chunk_num": "chunk_count",
    "kb_id": "dataset_id",
    "token_num": "token_count",
    "parser_id": "chunk_method",
}
_UPLOAD_KEYS = (
    "chunk_method",
    "created_by",
    "dataset_id",
    "id",
    "location",
    "name",
    "parser_config",
    "run",
    "size",
    "thumbnail",
    "type",
)


@dataclass
class Document:
    """One document row, with the server's internal column names."""

    id: str
    kb_id: str
    name: str
    location: str
    size: int
    type: str
    parser_id: str
    created_by: str
    create_time: int
    create_date: str
    update_time: int
    update_date: str
    parser_config: dict[str, Any] = field(default_factory=dict)
    thumbnail: str = ""
    source_type: str = "local"
    token_num: int = 0
    chunk_num: int = 0
    progress: float = 0.0
    progress_msg: str = ""
    process_begin_at: str | None = None
    process_duation: float = 0.0
    meta_fields: dict[str, Any] = field(default_factory=dict)
    run: str = UNSTART
    status: str = "1"

    def columns(self) -> dict[str, Any]:
        """Internal column → value (what `orderby` sorts on)."""
        return {f: getattr(self, f) for f in DOCUMENT_COLUMNS}

    def to_api(self) -> dict[str, Any]:
        """The 24-key object of document lists and chunk lists (renames applied, `run` as text)."""
        view = {_API_RENAMES.get(k, k): copy.deepcopy(v) for k, v in asdict(self).items()}
        view["run"] = RUN_NAMES.get(self.run, self.run)
        return view

    def upload_view(self) -> dict[str, Any]:
        """The 11-key object an upload returns."""
        view = self.to_api()
        return {key: view[key] for key in _UPLOAD_KEYS}


DOCUMENT_COLUMNS = tuple(f.name for f in fields(Document))


class UploadFailure(Exception):
    """One file of an upload failed; the text becomes `<filename>: <text>`."""


class DocumentStore:
    """A tenant's documents, their stored bytes and their parse runs."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant
        self.items: dict[str, Document] = {}
        self.by_dataset: dict[str, dict[str, None]] = {}
        self.blobs: dict[tuple[str, str], bytes] = {}
        """Object storage: (dataset id, location) → bytes."""
        self.jobs: dict[str, ParseJob] = {}
        self.pending: dict[str, list[Piece]] = {}
        self.progressions: dict[str, Progression] = {}
        self.default_progression: Progression = parse_progression(tenant.settings.progression)

    # -- lookups ---------------------------------------------------------------------------------
    def find(self, doc_id: Any) -> Document | None:
        """Any document of the tenant with this id (ids compare case-insensitively, like MySQL)."""
        if not isinstance(doc_id, str):
            return None
        return self.items.get(doc_id) or self.items.get(doc_id.lower())

    def get(self, dataset_id: str, doc_id: Any) -> Document | None:
        """The document with this id if it belongs to the dataset."""
        doc = self.find(doc_id)
        return doc if doc is not None and doc.kb_id == dataset_id else None

    def named(self, dataset_id: str, name: str) -> Document | None:
        """The dataset's document with this name under MySQL collation."""
        key = collation_key(name)
        return next((d for d in self.documents_of(dataset_id) if collation_key(d.name) == key), None)

    def documents_of(self, dataset_id: str) -> list[Document]:
        """The dataset's documents in upload order."""
        return [self.items[i] for i in self.by_dataset.get(dataset_id, {})]

    def blob(self, doc: Document) -> bytes:
        """The stored bytes of a document (empty when missing)."""
        return self.blobs.get((doc.kb_id, doc.location), b"")

    def _dataset(self, doc: Document) -> Dataset | None:
        return self.tenant.datasets.get(doc.kb_id)

    def _stamp(self) -> dict[str, Any]:
        return self.tenant.clock.updated()

    def touch(self, doc: Document) -> None:
        """Move the document's `update_time/update_date` to now."""
        for key, value in self._stamp().items():
            setattr(doc, key, value)

    def adjust(self, doc: Document, chunks: int, tokens: int) -> None:
        """Add to the document's and its dataset's chunk and token counters."""
        doc.chunk_num += chunks
        doc.token_num += tokens
        self.adjust_dataset(self._dataset(doc), chunks, tokens)

    def adjust_dataset(self, dataset: Dataset | None, chunks: int, tokens: int) -> None:
        """Add to a dataset's chunk and token counters (its update time moves)."""
        if dataset is not None:
            dataset.chunk_num += chunks
            dataset.token_num += tokens
            self.tenant.datasets.touch(dataset)

    # -- upload ----------------------------------------------------------------------------------
    def upload_files(self, dataset: Dataset, uploads: list[tuple[str, bytes]], uploader: str) -> list[Document]:
        """Store each file; failures are collected and reported together (successes are kept)."""
        stored: list[Document] = []
        errors: list[str] = []
        for filename, data in uploads:
            try:
                stored.append(self.upload(dataset, filename, data, uploader))
            except UploadFailure as exc:
                errors.append(f"{filename}: {exc}")
        if errors:
            raise ServerError("\n".join(errors))
        return stored

    def upload(self, dataset: Dataset, name: str, data: bytes, uploader: str | None = None) -> Document:
        """Store one file as a new document of `dataset` (name de-duplicated, type checked, thumbnail made)."""
        limit = os.environ.get("MAX_FILE_NUM_PER_USER", "0")
        if limit.isdigit() and 0 < int(limit) <= len(self.items):
            raise UploadFailure("Exceed the maximum file number of a free user!")
        taken = {collation_key(d.name) for d in self.documents_of(dataset.id)}
        final = files.deduplicate(name, lambda n: collation_key(n) in taken)
        kind = files.file_type(final)
        if kind is None:
            raise UploadFailure(files.UNSUPPORTED)
        location = final
        while (dataset.id, location) in self.blobs:
            location += "_"
        self.blobs[(dataset.id, location)] = data
        doc_id = self.tenant.ids.entity()
        try:
            thumbnail = files.thumbnail_for(final, data, doc_id)
        except ValueError as exc:  # the bytes stay in storage, as on the server
            raise UploadFailure(str(exc)) from None
        clock = self.tenant.clock
        now = clock.now()
        doc = Document(
            id=doc_id,
            kb_id=dataset.id,
            name=final,
            location=location,
            size=len(data),
            type=kind,
            parser_id=files.chunk_method_for(final, kind, dataset.parser_id),
            parser_config=copy.deepcopy(dataset.parser_config),
            created_by=uploader or self.tenant.tenant_id,
            create_time=clock.epoch_ms(now),
            create_date=clock.http_date(now),
            thumbnail=thumbnail,
            **self._stamp(),
        )
        self.items[doc.id] = doc
        self.by_dataset.setdefault(dataset.id, {})[doc.id] = None
        dataset.doc_num += 1
        self.tenant.datasets.touch(dataset)
        return doc

    # -- listing ---------------------------------------------------------------------------------
    def listing(
        self,
        dataset_id: str,
        *,
        doc_id: str | None,
        name: str | None,
        keywords: str,
        page: int,
        page_size: int,
        orderby: str,
        desc: bool,
    ) -> tuple[list[Document], int]:
        """Filter, observe (advance parse runs), order and page; `total` counts before paging."""
        matches = self.documents_of(dataset_id)
        if doc_id:
            matches = [d for d in matches if d.id.lower() == doc_id.lower()]
        if name:
            key = collation_key(name)
            matches = [d for d in matches if collation_key(d.name) == key]
        if keywords:
            needle = collation_key(keywords + "\x00")[:-1]
            matches = [d for d in matches if needle in collation_key(d.name + "\x00")]
        for doc in matches:
            self.refresh(doc, poll=True)
        ordered = order_records(matches, orderby, desc, "Document", Document.columns, DOCUMENT_COLUMNS)
        return mysql_page(ordered, page, page_size), len(matches)

    # -- deletion --------------------------------------------------------------------------------
    def delete(self, dataset_id: str, ids: Any) -> dict[str, Any] | None:
        """Delete ids (all of the dataset's when falsy); any of the tenant's documents may be named."""
        if not ids:
            targets: list[Any] = list(self.by_dataset.get(dataset_id, {}))
            duplicates: list[str] = []
        else:
            targets, duplicates = check_duplicate_ids(ids, "document")
        not_found: list[Any] = []
        success = 0
        for target in targets:
            doc = self.find(target)
            if doc is None:
                not_found.append(target)
                continue
            self.remove(doc)
            success += 1
        if not_found:
            raise DataError(f"Documents not found: {not_found!r}")
        return partial_result([], duplicates, success)

    def remove(self, doc: Document) -> None:
        """Hard-delete a document: chunks, bytes, row; the dataset's counters go down by its counters."""
        dataset = self._dataset(doc)
        if dataset is not None:
            dataset.doc_num -= 1
        self.adjust(doc, -doc.chunk_num, -doc.token_num)
        self.tenant.chunks.remove_document(doc.id)
        self.blobs.pop((doc.kb_id, doc.location), None)
        self._forget_job(doc.id)
        self.progressions.pop(doc.id, None)
        self.items.pop(doc.id, None)
        self.by_dataset.get(doc.kb_id, {}).pop(doc.id, None)

    def drop_dataset(self, dataset_id: str) -> None:
        """Cascade of a dataset deletion: every document, its chunks and bytes."""
        for doc in self.documents_of(dataset_id):
            self.remove(doc)
        self.by_dataset.pop(dataset_id, None)
        for key in [k for k in self.blobs if k[0] == dataset_id]:
            del self.blobs[key]

    # -- parse lifecycle -------------------------------------------------------------------------
    def set_progression(self, doc_id: str, progression: Progression | str) -> None:
        """Choose how this document's parse runs progress (also applies to a run in progress)."""
        chosen = parse_progression(progression) if isinstance(progression, str) else progression
        self.progressions[doc_id] = chosen
        job = self.jobs.get(doc_id)
        if job is not None:
            self.jobs[doc_id] = replace(job, progression=chosen)

    def clear_chunks(self, doc: Document) -> None:
        """Remove the document's chunks from the index (counters untouched)."""
        self.tenant.chunks.remove_document(doc.id)

    def parse(self, doc: Document) -> None:
        """Start a parse run: counters of the document reset (not the dataset's), chunks cleared, queued."""
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
        self.touch(doc)
        pieces, pages = chunk_document(doc.name, self.blob(doc), doc.parser_id, doc.parser_config)
        progression = self.progressions.get(doc.id, self.default_progression)
        self.jobs[doc.id] = ParseJob(progression, now, pages, len(pieces))
        self.pending[doc.id] = pieces
        self.refresh(doc)

    def stop(self, doc: Document) -> None:
        """Cancel a run: CANCEL, progress 0, chunk counter 0 (tokens kept), chunks removed."""
        self.refresh(doc)
        if doc.progress == 0 or int(doc.progress) == 1:
            raise DataError("Can't stop parsing document with progress at 0 or 1")
        self._forget_job(doc.id)
        doc.run = CANCEL
        doc.progress = 0.0
        doc.chunk_num = 0
        self.clear_chunks(doc)
        self.touch(doc)

    def reset_run(self, doc: Document) -> None:
        """Back to UNSTART (chunk method change): progress 0, message cleared, run forgotten."""
        self._forget_job(doc.id)
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
            self.jobs[doc.id] = job
            return
        job = job.with_log(phase, now, clock.zone)
        self.jobs[doc.id] = job
        doc.progress = job.progress(phase)
        doc.progress_msg = "\n".join(job.lines)
        if phase.finished or phase.failed:
            self._finish(doc, job, failed=phase.failed, now=now)

    def settle(self) -> None:
        """Advance every running parse to now without counting reads (before searches)."""
        for doc_id in list(self.jobs):
            doc = self.items.get(doc_id)
            if doc is not None:
                self.refresh(doc)

    def _finish(self, doc: Document, job: ParseJob, *, failed: bool, now: float) -> None:
        pieces = self.pending.get(doc.id, [])
        self._forget_job(doc.id)
        doc.process_duation = round(max(0.0, now - job.started_at), 6)
        self.touch(doc)
        if failed:
            doc.run = FAIL
            return
        doc.run = DONE
        if pieces:
            tokens = self.tenant.chunks.store_parsed(doc, pieces)
            self.adjust(doc, len(pieces), tokens)

    def _forget_job(self, doc_id: str) -> None:
        self.jobs.pop(doc_id, None)
        self.pending.pop(doc_id, None)
