"""The document routes (upload, update, download, list, delete, start and stop parsing): parse, store, envelope."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.errors import ArgumentError, range_not_satisfiable
from mockserver.core.indexes import cached_json
from mockserver.core.jsonbytes import JSONRows
from mockserver.core.pagination import page_numbers
from mockserver.core.python_failures import utf8
from mockserver.families.documents import files
from mockserver.families.documents.models import Document, upload_target
from mockserver.families.documents.schemas import DocumentUpdate, document_ids, ids_to_delete
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler


async def upload_documents(ctx: RequestContext) -> Response:
    """uploadDocuments: POST /api/v1/datasets/{dataset_id}/documents (multipart, parts named `file`)."""
    form = await ctx.form()
    parts = [p for p in form.getlist("file") if isinstance(p, UploadFile)]
    if not parts:
        raise ArgumentError("No file part!")
    for part in parts:
        if not part.filename:
            raise ArgumentError("No file selected!")
        if len(utf8(part.filename)) >= 128:
            raise ArgumentError("File name should be less than 128 bytes.")
    uploads = [(str(part.filename), await part.read()) for part in parts]
    # The dataset is looked up after the last await: a deletion that ran meanwhile is seen (no orphans).
    strict = ctx.state.settings.strict_tenant_isolation
    store, dataset = upload_target(
        ctx.tenant, ctx.backends.tenants.values(), ctx.path_param("dataset_id"), strict=strict
    )
    docs = store.upload_files(dataset, uploads, ctx.tenant.tenant_id)
    return result([doc.upload_view() for doc in docs])


async def update_document(ctx: RequestContext) -> Response:
    """updateDocument: PUT /api/v1/datasets/{dataset_id}/documents/{document_id}."""
    store = ctx.tenant.documents
    doc = store.updatable(ctx.path_param("dataset_id"), ctx.path_param("document_id"))
    return result(store.update(doc, DocumentUpdate.from_body(await ctx.json_forced())))


async def download_document(ctx: RequestContext) -> Response:
    """downloadDocument: GET /api/v1/datasets/{dataset_id}/documents/{document_id} (the bytes uploaded)."""
    doc, data = ctx.tenant.documents.download(ctx.path_param("dataset_id"), ctx.path_param("document_id"))
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


async def list_documents(ctx: RequestContext) -> Response:
    """listDocuments: GET /api/v1/datasets/{dataset_id}/documents."""
    dataset_id = ctx.path_param("dataset_id")
    store = ctx.tenant.documents
    query = ctx.query
    doc_id, name = query.get("id"), query.get("name")
    store.check_listing(dataset_id, doc_id, name)
    page, page_size = page_numbers(query)
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
    return result({"docs": JSONRows([cached_json(d, Document.to_api) for d in docs]), "total": total})


async def delete_documents(ctx: RequestContext) -> Response:
    """deleteDocuments: DELETE /api/v1/datasets/{dataset_id}/documents (`ids` absent: every document)."""
    dataset_id = ctx.path_param("dataset_id")
    store = ctx.tenant.documents
    store.in_dataset(dataset_id)
    return result(store.delete_many(dataset_id, ids_to_delete(await ctx.json_forced())))


async def parse_documents(ctx: RequestContext) -> Response:
    """parseDocuments: POST /api/v1/datasets/{dataset_id}/chunks (queue parsing)."""
    dataset_id = ctx.path_param("dataset_id")
    ctx.tenant.datasets.owned(dataset_id)
    ids = document_ids(await ctx.json_forced())
    store = ctx.tenant.documents
    ahead = await store.chunk_ahead(dataset_id, ids)
    ctx.tenant.datasets.owned(dataset_id)  # deleted while the files were read: the same answer as before
    return result(store.parse_many(dataset_id, ids, ahead))


async def stop_parsing_documents(ctx: RequestContext) -> Response:
    """stopParsingDocuments: DELETE /api/v1/datasets/{dataset_id}/chunks (cancel parsing)."""
    dataset_id = ctx.path_param("dataset_id")
    ctx.tenant.datasets.owned(dataset_id)
    return result(ctx.tenant.documents.stop_many(dataset_id, document_ids(await ctx.json_forced())))


HANDLERS: dict[str, Handler] = {
    "uploadDocuments": upload_documents,
    "updateDocument": update_document,
    "downloadDocument": download_document,
    "listDocuments": list_documents,
    "deleteDocuments": delete_documents,
    "parseDocuments": parse_documents,
    "stopParsingDocuments": stop_parsing_documents,
}
