"""Web-UI handlers of `/v1/document/*`: upload, list (the UI polls it), run, remove, rename, status, parser."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from mockserver.core.pagination import python_int
from mockserver.core.python_failures import get, gettable, item
from mockserver.families.webui.errors import argument_error
from mockserver.families.webui.knowledge import WebKnowledge, thumbnails
from mockserver.families.webui.rows import document_row, listed_document
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.request_args import flask_get_json, require_arguments
from mockserver.http.types import Handler

LACK_OF_KB_ID = 'Lack of "KB ID"'


async def upload_web_documents(ctx: RequestContext) -> Response:
    """uploadWebDocuments: POST /v1/document/upload (multipart: `kb_id`, files under `file`)."""
    await require_arguments(ctx, "kb_id")
    form = await ctx.form()
    kb_id = form.get("kb_id")
    if not kb_id or not isinstance(kb_id, str):
        raise argument_error(LACK_OF_KB_ID)
    parts = form.getlist("file")
    if not parts:
        raise argument_error("No file part!")
    uploads: list[tuple[str, bytes]] = []
    for part in parts:
        if not isinstance(part, UploadFile) or not part.filename:
            raise argument_error("No file selected!")
        uploads.append((part.filename, await part.read()))
    stored, errors = WebKnowledge(ctx.tenant).upload(kb_id, uploads)
    rows = [document_row(doc) for doc in stored]
    if errors:
        return json_result(500, "\n".join(errors), rows)
    return json_result(data=rows)


async def list_web_documents(ctx: RequestContext) -> Response:
    """listWebDocuments: POST /v1/document/list?kb_id=… (body: `run_status`, `types` filters)."""
    query = ctx.query
    kb_id = query.get("kb_id")
    if not kb_id:
        raise argument_error(LACK_OF_KB_ID)
    knowledge = WebKnowledge(ctx.tenant)
    knowledge.owned_kb(kb_id)
    page, page_size = python_int(query.get("page"), 1), python_int(query.get("page_size"), 15)
    desc = (query.get("desc") or "true").lower() != "false"
    body = await flask_get_json(ctx)
    docs, total = knowledge.documents(
        kb_id,
        keywords=query.get("keywords", ""),
        page=page,
        page_size=page_size,
        orderby=query.get("orderby", "create_time"),
        desc=desc,
        run_status=list(get(body, "run_status", []) or []),
        types=list(get(body, "types", []) or []),
    )
    return json_result(data={"docs": [listed_document(d) for d in docs], "total": total})


async def run_web_documents(ctx: RequestContext) -> Response:
    """runWebDocuments: POST /v1/document/run (`doc_ids`, `run` "1" start / "2" cancel, optional `delete`)."""
    body = gettable(await require_arguments(ctx, "doc_ids", "run"))
    WebKnowledge(ctx.tenant).run(body["doc_ids"], body["run"], body.get("delete", False))
    return json_result(data=True)


async def remove_web_documents(ctx: RequestContext) -> Response:
    """removeWebDocuments: POST /v1/document/rm (`doc_id`: one id or a list)."""
    body = gettable(await require_arguments(ctx, "doc_id"))
    WebKnowledge(ctx.tenant).remove_documents(body["doc_id"])
    return json_result(data=True)


async def rename_web_document(ctx: RequestContext) -> Response:
    """renameWebDocument: POST /v1/document/rename."""
    body = gettable(await require_arguments(ctx, "doc_id", "name"))
    WebKnowledge(ctx.tenant).rename(body["doc_id"], body["name"])
    return json_result(data=True)


async def change_web_document_status(ctx: RequestContext) -> Response:
    """changeWebDocumentStatus: POST /v1/document/change_status (`status` "0"/"1")."""
    body = gettable(await require_arguments(ctx, "doc_id", "status"))
    WebKnowledge(ctx.tenant).change_status(body["doc_id"], body["status"])
    return json_result(data=True)


async def change_web_document_parser(ctx: RequestContext) -> Response:
    """changeWebDocumentParser: POST /v1/document/change_parser."""
    body = gettable(await require_arguments(ctx, "doc_id", "parser_id"))
    WebKnowledge(ctx.tenant).change_parser(body["doc_id"], body["parser_id"], body.get("parser_config"))
    return json_result(data=True)


async def get_document_thumbnails(ctx: RequestContext) -> Response:
    """getDocumentThumbnails: GET /v1/document/thumbnails?doc_ids=a,b (no auth at all)."""
    raw = ctx.query.get("doc_ids", "")
    doc_ids = [d for d in raw.split(",") if d]
    if not doc_ids:
        raise argument_error('Lack of "Document ID"')
    tenants = list(ctx.backends.tenants.values())
    return json_result(data=thumbnails(tenants, doc_ids))


async def get_web_document_infos(ctx: RequestContext) -> Response:
    """getWebDocumentInfos: POST /v1/document/infos (`doc_ids`)."""
    body = gettable(await ctx.json_forced())
    docs = WebKnowledge(ctx.tenant).infos(item(body, "doc_ids"))
    return json_result(data=[document_row(d) for d in docs])


HANDLERS: dict[str, Handler] = {
    "uploadWebDocuments": upload_web_documents,
    "listWebDocuments": list_web_documents,
    "runWebDocuments": run_web_documents,
    "removeWebDocuments": remove_web_documents,
    "renameWebDocument": rename_web_document,
    "changeWebDocumentStatus": change_web_document_status,
    "changeWebDocumentParser": change_web_document_parser,
    "getDocumentThumbnails": get_document_thumbnails,
    "getWebDocumentInfos": get_web_document_infos,
}
