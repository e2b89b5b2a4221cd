"""HTTP half of documents: upload, update, download, list, delete, start and stop parsing."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.errors import ArgumentError, DataError, PythonError, range_not_satisfiable
from mockserver.core.pagination import python_int
from mockserver.core.python_failures import gettable, keyed, no_attribute, py_int
from mockserver.core.validation import check_duplicate_ids, partial_result
from mockserver.families.datasets.schemas import default_parser_config
from mockserver.families.documents import files
from mockserver.http.envelope import result

if TYPE_CHECKING:
    from mockserver.families.datasets.models import Dataset
    from mockserver.families.documents.models import Document, DocumentStore
    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import TenantBackend

DOCUMENT_CHUNK_METHODS = frozenset(
    [
        "naive",
        "manual",
        "qa",
        "table",
        "paper",
        "book",
        "laws",
        "presentation",
        "picture",
        "one",
        "knowledge_graph",
        "email",
        "tag",
    ]
)
_UPDATE_KEYS = (
    "chunk_count",
    "token_count",
    "progress",
    "meta_fields",
    "name",
    "parser_config",
    "chunk_method",
    "enabled",
)


def owned_dataset(tenant: TenantBackend, dataset_id: str, message: str) -> Dataset:
    """The caller's dataset, or a 102 with the endpoint's own wording."""
    dataset = tenant.datasets.get(dataset_id)
    if dataset is None:
        raise DataError(message)
    return dataset


def owned_document(store: DocumentStore, dataset_id: str, document_id: str, message: str) -> Document:
    """A document of the dataset, or a 102 with the endpoint's own wording."""
    doc = store.get(dataset_id, document_id)
    if doc is None:
        raise DataError(message)
    return doc


# -- upload ----------------------------------------------------------------------------------------
def _upload_target(ctx: RequestContext, dataset_id: str) -> tuple[TenantBackend, Dataset]:
    """The dataset's owner tenant and the dataset (the server does not check ownership; see quirks)."""
    dataset = ctx.tenant.datasets.get(dataset_id)
    if dataset is not None:
        return ctx.tenant, dataset
    if not ctx.state.settings.strict_tenant_isolation:
        for tenant in ctx.backends.tenants.values():
            found = tenant.datasets.get(dataset_id)
            if found is not None:
                return tenant, found
    raise PythonError("LookupError", f"Can't find the dataset with ID {dataset_id}!")


async def upload_documents(ctx: RequestContext) -> Response:
    """POST /api/v1/datasets/{dataset_id}/documents (multipart, parts named `file`)."""
    dataset_id = ctx.path_param("dataset_id")
    form = await ctx.form()
    parts = [p for p in form.getlist("file") if isinstance(p, UploadFile)]
    if not parts:
        raise ArgumentError("No file part!")
    for part in parts:
        if not part.filename:
            raise ArgumentError("No file selected!")
        if len(part.filename.encode("utf-8")) >= 128:
            raise ArgumentError("File name should be less than 128 bytes.")
    owner, dataset = _upload_target(ctx, dataset_id)
    uploads = [(str(part.filename), await part.read()) for part in parts]
    docs = owner.documents.upload_files(dataset, uploads, ctx.tenant.tenant_id)
    return result([doc.upload_view() for doc in docs])


# -- update ----------------------------------------------------------------------------------------
def _merge_parser_config(doc: Document, config: Any) -> None:
    """Deep-merge a sent parser_config; afterwards a stored `raptor` goes unless the sent one is truthy."""
    if not config:
        return
    if not isinstance(config, dict):
        raise no_attribute(config, "items")
    merged = copy.deepcopy(doc.parser_config)

    def merge(old: dict[str, Any], new: dict[str, Any]) -> None:
        for key, value in new.items():
            if key in old and isinstance(value, dict):
                if not isinstance(old[key], dict):
                    raise PythonError("AssertionError", "", rendered="AssertionError()")
                merge(old[key], value)
            else:
                old[key] = value

    try:
        merge(merged, config)
    finally:
        doc.parser_config = merged  # keys merged before an AssertionError stay, as on the server
    if not config.get("raptor"):
        doc.parser_config.pop("raptor", None)


def _rename(store: DocumentStore, doc: Document, name: Any) -> None:
    if not isinstance(name, str):
        raise no_attribute(name, "encode")
    if len(name.encode("utf-8")) >= 128:
        raise ArgumentError("The name should be less than 128 bytes.")
    if files.extension_changed(doc.name, name):
        raise ArgumentError("The extension of file can't be changed")
    if any(d.name == name for d in store.documents_of(doc.kb_id)):
        raise DataError("Duplicated document name in the same dataset.")
    doc.name = name


def _change_chunk_method(store: DocumentStore, doc: Document, method: Any, sent_config: Any) -> bool:
    """Apply a chunk_method change; True when the method was already set (the handler returns at once)."""
    if method not in DOCUMENT_CHUNK_METHODS:
        raise DataError(f"`chunk_method` {method} doesn't exist")
    if doc.parser_id.lower() == method.lower():
        return True
    if doc.type == files.VISUAL or re.search(r"\.(ppt|pptx|pages)$", doc.name):
        raise DataError("Not supported yet!")
    doc.parser_id = method
    store.reset_run(doc)
    _merge_parser_config(doc, sent_config if sent_config else default_parser_config(method))
    if doc.token_num > 0:
        store.adjust(doc, -doc.chunk_num, -doc.token_num)
        doc.chunk_num = doc.token_num = 0
        doc.process_duation = 0.0
        store.clear_chunks(doc)
    return False


def apply_document_update(store: DocumentStore, doc: Document, body: dict[str, Any]) -> bool | None:
    """The update rules in the server's order; earlier effects persist when a later step fails."""
    for key, column in (("chunk_count", "chunk_num"), ("token_count", "token_num"), ("progress", "progress")):
        if key in body and body[key] != getattr(doc, column):
            raise DataError(f"Can't change `{key}`.")
    store.touch(doc)
    if "meta_fields" in body:
        if not isinstance(body["meta_fields"], dict):
            raise DataError("meta_fields must be a dictionary")
        doc.meta_fields = copy.deepcopy(body["meta_fields"])
    if "name" in body and body["name"] != doc.name:
        _rename(store, doc, body["name"])
    if "parser_config" in body:
        _merge_parser_config(doc, body["parser_config"])
    if "chunk_method" in body and _change_chunk_method(store, doc, body["chunk_method"], body.get("parser_config")):
        return None
    if "enabled" in body:
        status = py_int(body["enabled"])
        if doc.status != body["enabled"]:
            doc.status = str(status)
            store.tenant.chunks.set_available(doc.id, status)
            return True
    return None


async def update_document(ctx: RequestContext) -> Response:
    """PUT /api/v1/datasets/{dataset_id}/documents/{document_id}."""
    dataset_id = ctx.path_param("dataset_id")
    owned_dataset(ctx.tenant, dataset_id, "You don't own the dataset.")
    store = ctx.tenant.documents
    doc = owned_document(store, dataset_id, ctx.path_param("document_id"), "The dataset doesn't own the document.")
    body = keyed(await ctx.json_forced(), _UPDATE_KEYS)
    return result(apply_document_update(store, doc, body))


# -- download --------------------------------------------------------------------------------------
async def download_document(ctx: RequestContext) -> Response:
    """GET /api/v1/datasets/{dataset_id}/documents/{document_id}: the bytes uploaded."""
    dataset_id = ctx.path_param("dataset_id")
    document_id = ctx.path_param("document_id")
    owned_dataset(ctx.tenant, dataset_id, f"You do not own the dataset {dataset_id}.")
    store = ctx.tenant.documents
    doc = owned_document(store, dataset_id, document_id, f"The dataset not own the document {document_id}.")
    data = store.blob(doc)
    if not data:
        raise DataError("This file is empty.")
    headers = {
        "Content-Disposition": files.content_disposition(doc.name),
        "Cache-Control": "no-cache",
        "Accept-Ranges": "bytes",
    }
    span = files.byte_range(ctx.request.headers.get("range"), len(data))
    if span is False:
        # Werkzeug raises RequestedRangeNotSatisfiable inside send_file; the global handler renders it.
        raise range_not_satisfiable()
    if isinstance(span, tuple):
        start, end = span
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(data)}"
        return Response(data[start:end], status_code=206, headers=headers, media_type="application/octet-stream")
    return Response(data, headers=headers, media_type="application/octet-stream")


# -- list ------------------------------------------------------------------------------------------
async def list_documents(ctx: RequestContext) -> Response:
    """GET /api/v1/datasets/{dataset_id}/documents."""
    dataset_id = ctx.path_param("dataset_id")
    owned_dataset(ctx.tenant, dataset_id, f"You don't own the dataset {dataset_id}. ")
    store = ctx.tenant.documents
    query = ctx.query
    doc_id, name = query.get("id"), query.get("name")
    if doc_id and store.get(dataset_id, doc_id) is None:
        raise DataError(f"You don't own the document {doc_id}.")
    if name and store.named(dataset_id, name) is None:
        raise DataError(f"You don't own the document {name}.")
    page = python_int(query.get("page"), 1)
    page_size = python_int(query.get("page_size"), 30)
    docs, total = store.listing(
        dataset_id,
        doc_id=doc_id,
        name=name,
        keywords=query.get("keywords", ""),
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "create_time"),
        desc=query.get("desc") != "False",
    )
    return result({"docs": [d.to_api() for d in docs], "total": total})


# -- delete ----------------------------------------------------------------------------------------
async def delete_documents(ctx: RequestContext) -> Response:
    """DELETE /api/v1/datasets/{dataset_id}/documents."""
    dataset_id = ctx.path_param("dataset_id")
    owned_dataset(ctx.tenant, dataset_id, f"You don't own the dataset {dataset_id}. ")
    body = await ctx.json_forced()
    ids = gettable(body).get("ids") if body else None
    return result(ctx.tenant.documents.delete(dataset_id, ids))


# -- parse / stop ----------------------------------------------------------------------------------
async def _document_ids(ctx: RequestContext, dataset_id: str) -> tuple[list[Any], list[str]]:
    owned_dataset(ctx.tenant, dataset_id, f"You don't own the dataset {dataset_id}.")
    ids = gettable(await ctx.json_forced()).get("document_ids")
    if not ids:
        raise DataError("`document_ids` is required")
    return check_duplicate_ids(ids, "document")


async def parse_documents(ctx: RequestContext) -> Response:
    """POST /api/v1/datasets/{dataset_id}/chunks: queue parsing."""
    dataset_id = ctx.path_param("dataset_id")
    targets, duplicates = await _document_ids(ctx, dataset_id)
    store = ctx.tenant.documents
    not_found: list[Any] = []
    success = 0
    for target in targets:
        doc = store.get(dataset_id, target)
        if doc is None:
            not_found.append(target)
            continue
        store.parse(doc)
        success += 1
    if not_found:
        raise DataError(f"Documents not found: {not_found!r}")
    return result(partial_result([], duplicates, success))


async def stop_parsing_documents(ctx: RequestContext) -> Response:
    """DELETE /api/v1/datasets/{dataset_id}/chunks: cancel parsing."""
    dataset_id = ctx.path_param("dataset_id")
    targets, duplicates = await _document_ids(ctx, dataset_id)
    store = ctx.tenant.documents
    success = 0
    for target in targets:
        doc = owned_document(store, dataset_id, target, f"You don't own the document {target}.")
        store.stop(doc)
        success += 1
    return result(partial_result([], duplicates, success))


HANDLERS: dict[str, Handler] = {
    "uploadDocuments": upload_documents,
    "updateDocument": update_document,
    "downloadDocument": download_document,
    "listDocuments": list_documents,
    "deleteDocuments": delete_documents,
    "parseDocuments": parse_documents,
    "stopParsingDocuments": stop_parsing_documents,
}
