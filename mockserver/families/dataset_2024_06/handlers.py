"""Profile `2024-06-dataset` handlers: the 15 routes v0.10.0 served under `/api/v1/dataset`."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.python_failures import item, iterate, keyed, none_not_iterable
from mockserver.families.dataset_2024_06.documents import DocumentApi
from mockserver.families.dataset_2024_06.views import caught
from mockserver.families.documents import files
from mockserver.families.legacy.service import LegacyScope
from mockserver.http.context import RequestContext
from mockserver.http.envelope import message_result
from mockserver.http.historical import guard
from mockserver.http.types import Handler


def api(ctx: RequestContext) -> DocumentApi:
    """The caller's view through this profile."""
    return DocumentApi(LegacyScope(ctx.backends, ctx.tenant))


def _ids(ctx: RequestContext) -> tuple[str, str]:
    return ctx.path_param("dataset_id"), ctx.path_param("document_id")


async def create_dataset(ctx: RequestContext) -> Response:
    """v10CreateDataset: POST /api/v1/dataset (body `{"name": …}`; the seed's `dataset_name` fails the guard)."""
    await guard(ctx, "name")
    body = await ctx.json_forced()
    if body is None:
        raise none_not_iterable()
    return message_result(api(ctx).create(keyed(body, ("name",))))


async def list_datasets(ctx: RequestContext) -> Response:
    """v10ListDatasets: GET /api/v1/dataset?offset=&count=&orderby=&desc=."""
    query = ctx.query
    with caught():
        rows = api(ctx).listing(
            query.get("offset"), query.get("count"), query.get("orderby", "create_time"), query.get("desc", "1")
        )
    return message_result(rows, "List datasets successfully!")


async def delete_dataset(ctx: RequestContext) -> Response:
    """v10DeleteDataset: DELETE /api/v1/dataset/{dataset_id}."""
    with caught():
        return message_result(None, api(ctx).delete(ctx.path_param("dataset_id")))


async def get_dataset(ctx: RequestContext) -> Response:
    """v10GetDataset: GET /api/v1/dataset/{dataset_id} (12 keys, any caller)."""
    with caught():
        return message_result(api(ctx).details(ctx.path_param("dataset_id")))


async def update_dataset(ctx: RequestContext) -> Response:
    """v10UpdateDataset: PUT /api/v1/dataset/{dataset_id} (the full row back)."""
    body = await ctx.json_forced()
    with caught():
        return message_result(api(ctx).update(ctx.path_param("dataset_id"), body))


async def upload_documents(ctx: RequestContext) -> Response:
    """v10UploadDocuments: POST /api/v1/dataset/{dataset_id}/documents (multipart `file` parts)."""
    form = await ctx.form()
    parts = [(p.filename or "", await p.read()) for p in form.getlist("file") if isinstance(p, UploadFile)]
    any_file = any(isinstance(value, UploadFile) for _, value in form.multi_items())
    with caught():
        return message_result(api(ctx).upload(ctx.path_param("dataset_id"), parts, any_file=any_file))


async def delete_document(ctx: RequestContext) -> Response:
    """v10DeleteDocument: DELETE /api/v1/dataset/{dataset_id}/documents/{document_id}."""
    with caught():
        api(ctx).delete_document(*_ids(ctx))
    return message_result(True)


async def list_documents(ctx: RequestContext) -> Response:
    """v10ListDocuments: GET /api/v1/dataset/{dataset_id}/documents (`"message": 0`, as the server sent)."""
    with caught():
        data = api(ctx).documents(ctx.path_param("dataset_id"), dict(ctx.query))
    return message_result(data, 0)


async def update_document(ctx: RequestContext) -> Response:
    """v10UpdateDocument: PUT /api/v1/dataset/{dataset_id}/documents/{document_id}."""
    body = await ctx.json_forced()
    with caught():
        return message_result(api(ctx).update_document(*_ids(ctx), body), "Success")


def _download(ctx: RequestContext, dataset_id: str, document_id: str) -> Response:
    with caught():
        doc, data = api(ctx).download(dataset_id, document_id)
    headers = {"Content-Disposition": files.content_disposition(doc.name), "Cache-Control": "no-cache"}
    return Response(data, headers=headers, media_type="application/octet-stream")


async def download_document(ctx: RequestContext) -> Response:
    """v10DownloadDocument: GET /api/v1/dataset/{dataset_id}/documents/{document_id} (the bytes)."""
    return _download(ctx, *_ids(ctx))


async def start_parsing(ctx: RequestContext) -> Response:
    """v10StartParsing: POST /api/v1/dataset/{dataset_id}/documents/{document_id}/status."""
    dataset_id, document_id = _ids(ctx)
    with caught():
        return message_result(None, api(ctx).start_parsing(dataset_id, [document_id]))


async def _doc_ids(ctx: RequestContext) -> list[Any] | None:
    """`request.json["doc_ids"]`, read before the handler's try (a missing body or key is the global handler's)."""
    ids = item(await ctx.json_forced(), "doc_ids")
    if not ids:
        return None
    return iterate(ids)


async def start_parsing_documents(ctx: RequestContext) -> Response:
    """v10StartParsingDocuments: POST /api/v1/dataset/{dataset_id}/documents/status (`doc_ids`, null = all)."""
    ids = await _doc_ids(ctx)
    with caught():
        return message_result(True, api(ctx).start_parsing(ctx.path_param("dataset_id"), ids))


async def get_parsing_status(ctx: RequestContext) -> Response:
    """v10GetParsingStatus: GET /api/v1/dataset/{dataset_id}/documents/{document_id}/status."""
    with caught():
        return message_result(api(ctx).status(*_ids(ctx)))


async def get_documents_status(ctx: RequestContext) -> Response:
    """v10GetDocumentsStatus: GET /api/v1/dataset/{dataset_id}/documents/status (the seed's row 13).

    On the server this path is the download route with `document_id="status"`; with a `document_id` query
    parameter (what the seed documents) it answers as the real status route."""
    dataset_id = ctx.path_param("dataset_id")
    document_id = ctx.query.get("document_id")
    if document_id is None:
        return _download(ctx, dataset_id, "status")
    with caught():
        return message_result(api(ctx).status(dataset_id, document_id))


async def stop_parsing(ctx: RequestContext) -> Response:
    """v10StopParsing: DELETE /api/v1/dataset/{dataset_id}/documents/{document_id}/status (undocumented)."""
    dataset_id, document_id = _ids(ctx)
    with caught():
        api(ctx).stop_parsing(dataset_id, [document_id])
    return message_result(None, "")


async def stop_parsing_documents(ctx: RequestContext) -> Response:
    """v10StopParsingDocuments: DELETE /api/v1/dataset/{dataset_id}/documents/status (undocumented)."""
    ids = await _doc_ids(ctx)
    with caught():
        api(ctx).stop_parsing(ctx.path_param("dataset_id"), ids)
    return message_result(True, "")


HANDLERS: dict[str, Handler] = {
    "v10CreateDataset": create_dataset,
    "v10ListDatasets": list_datasets,
    "v10DeleteDataset": delete_dataset,
    "v10GetDataset": get_dataset,
    "v10UpdateDataset": update_dataset,
    "v10UploadDocuments": upload_documents,
    "v10DeleteDocument": delete_document,
    "v10ListDocuments": list_documents,
    "v10UpdateDocument": update_document,
    "v10DownloadDocument": download_document,
    "v10StartParsing": start_parsing,
    "v10StartParsingDocuments": start_parsing_documents,
    "v10GetParsingStatus": get_parsing_status,
    "v10GetDocumentsStatus": get_documents_status,
    "v10StopParsing": stop_parsing,
    "v10StopParsingDocuments": stop_parsing_documents,
}
