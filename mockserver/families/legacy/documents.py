"""The legacy document rules: upload, listings, chunks, infos, delete and retrieval over the knowledge stores."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from mockserver.core.errors import AuthError, DataError, PythonError
from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.core.python_failures import no_attribute, py_int
from mockserver.core.search import tokenized
from mockserver.families.datasets.schemas import CHUNK_METHODS
from mockserver.families.documents import files
from mockserver.families.documents.models import DOCUMENT_COLUMNS, Document, UploadFailure
from mockserver.families.legacy.errors import LegacyFailure
from mockserver.families.legacy.service import LegacyScope
from mockserver.families.retrieval.service import NO_CHUNK_FOUND, RetrievalQuery, ScoredChunk, render_doc_aggs, retrieve
from mockserver.state.backend import Backends, TenantBackend

PARSER_IDS = frozenset({*CHUNK_METHODS, "resume", "audio", "knowledge_graph"})
"""`parser_id` values an upload may choose."""
TASK_STATUSES = ("0", "1", "2", "3", "4")
FILE_TYPES = ("pdf", "doc", "visual", "aural", "virtual", "folder", "other")
LEGACY_MAX_FILES = 8192
"""The legacy upload's document limit when `Settings.max_file_num_per_user` is unset (the server's default)."""
_HIDDEN_CHUNK_FIELD = re.compile(r"(_vec$|_sm_|_tks|_ltks)")


@dataclass(frozen=True)
class LegacyUpload:
    """One uploaded file part: its filename (possibly empty) and bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class KbDocsQuery:
    """listLegacyKbDocuments' body fields as sent (any JSON values; defaults are the server's)."""

    kb_name: Any = ""
    page: Any = 1
    page_size: Any = 15
    orderby: Any = "create_time"
    desc: Any = True
    keywords: Any = ""
    status: Any = None
    types: Any = None


def row(doc: Document) -> dict[str, Any]:
    """The internal document row (`to_json()` of the server's model)."""
    return {key: value for key, value in asdict(doc).items() if key in DOCUMENT_COLUMNS}


def _stripped(kb_name: Any) -> str:
    if not isinstance(kb_name, str):
        raise no_attribute(kb_name, "strip")
    return kb_name.strip()


def find_document(scope: LegacyScope, doc_id: Any) -> tuple[TenantBackend, Document] | None:
    """A document by id in the tenants the scope reaches, with its owner."""
    for tenant in scope.tenants():
        doc = tenant.documents.find(doc_id)
        if doc is not None:
            return tenant, doc
    return None


# -- upload ----------------------------------------------------------------------------------------
def upload_into_named_dataset(
    tenant: TenantBackend, kb_name: Any, part: LegacyUpload | None, *, other: bool = False
) -> Document:
    """The chat-bot upload's checks in the server's order (dataset by name, file part, file name, the per-user
    file limit), then the stored document; `other` keeps unsupported types as `other` (v0.7.0)."""
    dataset = tenant.datasets.by_name(_stripped(kb_name))
    if dataset is None:
        raise DataError("Can't find this knowledgebase!")
    if part is None:
        raise LegacyFailure(101, "No file part!")
    if not part.filename:
        raise LegacyFailure(101, "No file selected!")
    limit = tenant.settings.max_file_num_per_user
    if len(tenant.documents.items) >= (LEGACY_MAX_FILES if limit is None else limit):
        raise DataError("Exceed the maximum file number of a free user!")
    try:
        return tenant.documents.upload(dataset, part.filename, part.data, other=other)
    except UploadFailure as exc:
        raise DataError(str(exc)) from None


def upload(
    tenant: TenantBackend, kb_name: Any, part: LegacyUpload | None, parser_id: str | None, run: str | None
) -> dict[str, Any]:
    """uploadLegacyDocument: into the dataset named `kb_name`; optional chunk method, parsed when `run` is 1."""
    doc = upload_into_named_dataset(tenant, kb_name, part)
    if parser_id is not None and parser_id.strip() in PARSER_IDS:
        doc.parser_id = files.chunk_method_for(doc.name, doc.type, parser_id.strip())
    data = row(doc)
    if run is not None and run.strip() == "1":
        tenant.documents.parse(doc)
    return data


def _chat_session(scope: LegacyScope, session_id: Any) -> tuple[TenantBackend, str] | None:
    """An SDK chat session (the server looks there first) as (owner, chat id)."""
    if not isinstance(session_id, str):
        return None
    for tenant in scope.tenants():
        found = tenant.sessions.items.get(session_id)
        if found is not None:
            return tenant, found.dialog_id
    return None


def upload_and_parse(scope: LegacyScope, conversation_id: Any, parts: list[LegacyUpload]) -> list[str]:
    """uploadAndParseLegacyDocuments: files into the first dataset of a conversation's chat, each parsed."""
    if not parts:
        raise LegacyFailure(101, "No file part!")
    if any(not p.filename for p in parts):
        raise LegacyFailure(101, "No file selected!")
    conversation = scope.conversation(conversation_id)
    if conversation is None:
        session = _chat_session(scope, conversation_id)
        if session is None:
            raise PythonError("AssertionError", "Conversation not found!")
        owner, dialog_id = session
    else:
        owner, dialog_id = scope.owner_of(conversation), conversation.dialog_id
    chat = owner.chats.items.get(dialog_id)
    if chat is None:
        raise no_attribute(None, "kb_ids")
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
            doc = owner.documents.upload(dataset, part.filename, part.data)
        except UploadFailure as exc:
            raise PythonError("RuntimeError", str(exc)) from None
        owner.documents.parse(doc)
        ids.append(doc.id)
    return ids


# -- listing and reading ---------------------------------------------------------------------------
def kb_documents(tenant: TenantBackend, query: KbDocsQuery) -> dict[str, Any]:
    """listLegacyKbDocuments: `{"docs": [{doc_id, doc_name}], "total": n}` of the dataset named `kb_name`."""
    dataset = tenant.datasets.by_name(_stripped(query.kb_name))
    if dataset is None:
        raise DataError("Can't find this knowledgebase!")
    page, page_size = py_int(query.page), py_int(query.page_size)
    status, types = query.status or [], query.types or []
    bad_status = list(dict.fromkeys(s for s in status if s not in TASK_STATUSES))
    if bad_status:
        raise DataError(f"Invalid filter status conditions: {', '.join(map(str, bad_status))}")
    bad_types = list(dict.fromkeys(t for t in types if t not in FILE_TYPES))
    if bad_types:
        plural = "s" if len(bad_types) > 1 else ""
        raise DataError(f"Invalid filter conditions: {', '.join(map(str, bad_types))} type{plural}")
    docs = tenant.documents.documents_of(dataset.id)
    if query.keywords:
        needle = collation_key(str(query.keywords))
        docs = [d for d in docs if needle in collation_key(d.name)]
    if status:
        docs = [d for d in docs if d.run in status]
    if types:
        docs = [d for d in docs if d.type in types]
    ordered = order_records(docs, str(query.orderby), bool(query.desc), "Document", Document.columns, DOCUMENT_COLUMNS)
    page_docs = mysql_page(ordered, page, page_size)
    return {"docs": [{"doc_id": d.id, "doc_name": d.name} for d in page_docs], "total": len(docs)}


def _chunk_rows(found: tuple[TenantBackend, Document] | None) -> list[dict[str, Any]]:
    if found is None:
        return []
    tenant, doc = found
    return [
        {"content": c.content_with_weight, "doc_name": c.docnm_kwd, "image_id": c.img_id}
        for c in tenant.chunks.chunks_of(doc.id)
    ]


def chunks_by_name(scope: LegacyScope, doc_name: Any) -> list[dict[str, Any]]:
    """listLegacyChunks by `doc_name`: the chunks of the first document with that exact name ([] if none)."""
    found = next(((t, d) for t in scope.tenants() for d in t.documents.named_exactly(doc_name)), None)
    return _chunk_rows(found)


def chunks_by_id(scope: LegacyScope, doc_id: Any) -> list[dict[str, Any]]:
    """listLegacyChunks by `doc_id`: the document's chunks ([] if none)."""
    return _chunk_rows(find_document(scope, doc_id))


def chunk(tenant: TenantBackend, chunk_id: str) -> dict[str, Any]:
    """getLegacyChunk: the stored chunk minus vector and token fields (null fields dropped)."""
    found = tenant.chunks.get(chunk_id)
    if found is None:
        raise PythonError("Exception", "Chunk not found")
    return {k: v for k, v in asdict(found).items() if v is not None and not _HIDDEN_CHUNK_FIELD.search(k)}


def document_infos(scope: LegacyScope, ids: Any) -> list[dict[str, Any]]:
    """getLegacyDocumentInfos: internal rows of the `doc_ids` found (one id or a list), by id."""
    wanted = ids if isinstance(ids, list) else [ids]
    rows = [found[1] for found in (find_document(scope, i) for i in wanted) if found is not None]
    unique = {doc.id: doc for doc in rows}
    return [row(doc) for _, doc in sorted(unique.items())]


def delete(scope: LegacyScope, names: list[Any], doc_ids: list[Any]) -> bool:
    """deleteLegacyDocuments: by names and/or ids, one by one (earlier ones stay deleted); False: none given."""
    targets: list[Any] = []
    for name in names:
        for tenant in scope.tenants():
            targets += [d.id for d in tenant.documents.named_exactly(name) if d.id not in targets]
    for doc_id in doc_ids:
        if doc_id not in targets:
            targets.append(doc_id)
    if not targets:
        return False
    for doc_id in targets:
        found = find_document(scope, doc_id)
        if found is None:
            raise DataError("Document not found!")
        tenant, doc = found
        tenant.documents.remove(doc)
    return True


# -- retrieval ---------------------------------------------------------------------------------------
def raw_chunk(chunk: ScoredChunk, **extra: Any) -> dict[str, Any]:
    """A retrieval hit as the server's retriever returns it (internal names, vector removed); `extra` fields of a
    route that adds some (the web UI's `doc_type_kwd`) come before the highlight."""
    data: dict[str, Any] = {
        "chunk_id": chunk.id,
        "content_ltks": tokenized(chunk.content),
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
        **extra,
    }
    if chunk.highlight is not None:
        data["highlight"] = chunk.highlight
    return data


def retrieval(tenant: TenantBackend, query: RetrievalQuery) -> dict[str, Any]:
    """legacyRetrieval: raw chunks over datasets of one embedding model (109 otherwise), doc aggs, total."""
    datasets = [tenant.datasets.get(i) for i in query.dataset_ids if isinstance(i, str)]
    if len({d.embd_id for d in datasets if d is not None}) != 1:
        raise AuthError('Knowledge bases use different embedding models or does not exist."')
    try:
        found = retrieve(tenant, query)
    except DataError as err:
        if err.message == NO_CHUNK_FOUND:
            raise LegacyFailure(102, NO_CHUNK_FOUND) from None
        raise
    chunks = [raw_chunk(c) for c in found.chunks]
    return {"chunks": chunks, "doc_aggs": render_doc_aggs(found), "total": found.total}


# -- /v1/document files ------------------------------------------------------------------------------
def document_file(backends: Backends, doc_id: str) -> tuple[bytes, dict[str, str]]:
    """getDocumentFile: any tenant's stored bytes with `image/<ext>` (images) or `application/<ext>`."""
    for tenant in backends.tenants.values():
        doc = tenant.documents.find(doc_id)
        if doc is not None:
            match = re.search(r"\.([^.]+)$", doc.name.lower())
            headers = {}
            if match:
                family = "image" if doc.type == "visual" else "application"
                headers["Content-Type"] = f"{family}/{match.group(1)}"
            return tenant.documents.blob(doc), headers
    raise DataError("Document not found!")


def document_image(backends: Backends, image_id: str) -> bytes:
    """getDocumentImage: `<bucket>-<name>` from any tenant's storage."""
    parts = image_id.split("-")
    if len(parts) != 2:
        raise DataError("Image not found.")
    for tenant in backends.tenants.values():
        data = tenant.documents.blobs.get((parts[0], parts[1]))
        if data is not None:
            return data
    raise DataError("Image not found.")
