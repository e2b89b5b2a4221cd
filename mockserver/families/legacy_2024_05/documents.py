"""The v0.7.0 document rules of `/v1/api`: upload by dataset name, chunks and listings, deletion, file content."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from mockserver.core.errors import DataError
from mockserver.core.pagination import collation_key, mysql_page, order_records
from mockserver.core.python_failures import no_attribute, py_int
from mockserver.families.documents import files
from mockserver.families.documents.models import DOCUMENT_COLUMNS, Document
from mockserver.families.legacy.documents import (
    LegacyUpload,
    document_file,
    document_image,
    find_document,
    upload_into_named_dataset,
)
from mockserver.families.legacy.service import LegacyScope
from mockserver.families.legacy_2024_05.errors import NoChunkFound
from mockserver.state.backend import Backends, TenantBackend

V07_PARSER_IDS = ("presentation", "laws", "manual", "paper", "resume", "book", "qa", "table", "naive")
"""The `parser_id` values v0.7.0's upload takes from the form (`picture` and `one` fall off its enum slice)."""
V07_DOCUMENT_COLUMNS = tuple(c for c in DOCUMENT_COLUMNS if c != "meta_fields")
"""Document columns at v0.7.0 (23; `meta_fields` came later)."""
CHUNK_LIMIT = 1024


def _png_data_url() -> str:
    """A valid one-pixel grey PNG as a data URL: stands in for v0.7.0's rendered thumbnail (pixels not emulated)."""

    def part(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + part(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + part(b"IDAT", zlib.compress(b"\x00\x80"))
        + part(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


THUMBNAIL_DATA_URL = _png_data_url()


def document_row(doc: Document) -> dict[str, Any]:
    """A document as v0.7.0's `to_json()` shows it: 23 columns, `run` as its code, thumbnails inline."""
    row = {column: getattr(doc, column) for column in V07_DOCUMENT_COLUMNS}
    row["thumbnail"] = THUMBNAIL_DATA_URL if doc.thumbnail else None
    return row


def _stripped(value: Any) -> str:
    if not isinstance(value, str):
        raise no_attribute(value, "strip")
    return value.strip()


V07Upload = LegacyUpload
"""One uploaded file part (filename possibly empty): the chat-bot upload's part of every version."""


def upload(
    tenant: TenantBackend, kb_name: Any, part: V07Upload | None, parser_id: str | None, run: str | None
) -> dict[str, Any]:
    """v07UploadDocument: into the key tenant's dataset named `kb_name`; parsed when `run` is `1`.

    Unsupported extensions are stored with type `other`; the form's `parser_id` counts only when it is one of
    `V07_PARSER_IDS`; the answer is the row as read right after the insert (`run` still `"0"`).
    """
    doc = upload_into_named_dataset(tenant, kb_name, part, other=True)
    dataset = tenant.datasets.items[doc.kb_id]
    chosen = parser_id.strip() if parser_id is not None and parser_id.strip() in V07_PARSER_IDS else dataset.parser_id
    doc.parser_id = "picture" if doc.type == files.VISUAL else chosen
    if re.search(r"\.(ppt|pptx|pages)$", doc.name):
        doc.parser_id = "presentation"
    data = document_row(doc)
    if run is not None and run.strip() == "1":
        tenant.documents.parse(doc)
    return data


# -- chunks and listings -----------------------------------------------------------------------------
def list_chunks(scope: LegacyScope, doc_name: Any, doc_id: Any) -> list[dict[str, Any]] | None:
    """v07ListChunks: up to 1024 chunks of the document named `doc_name` (else with id `doc_id`).

    None: neither was given. An unknown document searches an index that does not exist (`NoChunkFound`).
    """
    if doc_name is not None:
        found = next(((t, d) for t in scope.tenants() for d in t.documents.named_exactly(doc_name)), None)
    elif doc_id is not None:
        found = find_document(scope, doc_id)
    else:
        return None
    if found is None:
        raise NoChunkFound()
    tenant, doc = found
    chunks = tenant.chunks.chunks_of(doc.id)[:CHUNK_LIMIT]
    return [{"content": c.content_with_weight, "doc_name": c.docnm_kwd, "img_id": c.img_id or None} for c in chunks]


@dataclass(frozen=True)
class KbDocsForm:
    """v07ListKbDocs' fields as sent (form strings, or JSON values)."""

    kb_name: Any = None
    page: Any = 1
    page_size: Any = 15
    orderby: Any = "create_time"
    desc: Any = True
    keywords: Any = ""


def kb_documents(tenant: TenantBackend, form: KbDocsForm) -> dict[str, Any]:
    """v07ListKbDocs: `{"docs": [{doc_id, doc_name}], "total"}`; any non-empty `desc` (even `False`) descends."""
    dataset = tenant.datasets.by_name(_stripped(form.kb_name))
    if dataset is None:
        raise DataError("Can't find this knowledgebase!")
    page, page_size = py_int(form.page), py_int(form.page_size)
    docs = tenant.documents.documents_of(dataset.id)
    if form.keywords:
        needle = collation_key(str(form.keywords))
        docs = [d for d in docs if needle in collation_key(d.name)]
    orderby, desc = str(form.orderby), bool(form.desc)
    ordered = order_records(docs, orderby, desc, "Document", Document.columns, V07_DOCUMENT_COLUMNS)
    shown = mysql_page(ordered, page, page_size)
    return {"docs": [{"doc_id": d.id, "doc_name": d.name} for d in shown], "total": len(docs)}


# -- deletion and content ------------------------------------------------------------------------------
def delete(scope: LegacyScope, names: list[Any], doc_ids: list[Any]) -> bool:
    """v07DeleteDocuments: names resolve to the first document of that name (unknown → null), then the ids;
    deleted one by one (earlier ones stay deleted when a later one fails). False: nothing was named."""
    targets: list[Any] = []
    for name in names:
        hit = next((d.id for t in scope.tenants() for d in t.documents.named_exactly(name)), None)
        targets.append(hit)
    targets += [doc_id for doc_id in doc_ids if doc_id not in targets]
    if not targets:
        return False
    for doc_id in targets:
        found = find_document(scope, doc_id)
        if found is None:
            raise DataError("Document not found!")
        tenant, doc = found
        if tenant.datasets.get(doc.kb_id) is None:
            raise DataError("Tenant not found!")
        tenant.documents.remove(doc)
    return True


def document_content(backends: Backends, content_id: str) -> tuple[bytes, dict[str, str]]:
    """v07GetDocument (documented, never routed): an image when the id has a `-` (`<kb_id>-<chunk_id>`),
    else the document's bytes — what `/v1/document/image/…` and `/v1/document/get/…` answer."""
    if "-" in content_id:
        return document_image(backends, content_id), {"Content-Type": "image/JPEG"}
    return document_file(backends, content_id)
