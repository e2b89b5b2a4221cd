"""Web-UI handlers: `/v1/tenant/list`, `/v1/user/setting` and the knowledge bases (`/v1/kb/*`)."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.core.pagination import python_int
from mockserver.core.python_failures import get, gettable
from mockserver.families.webui.account import joined_tenants, update_user_settings
from mockserver.families.webui.knowledge import WebKnowledge
from mockserver.families.webui.rows import kb_list_item
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.request_args import flask_get_json, query_arg, require_arguments
from mockserver.http.types import Handler


async def list_tenants(ctx: RequestContext) -> Response:
    """listTenants: GET /v1/tenant/list (the caller's memberships: its own tenant, as owner)."""
    accounts = ctx.backends.accounts
    return json_result(data=joined_tenants(accounts.user_of(ctx.tenant), ctx.tenant.clock.now()))


async def set_user_setting(ctx: RequestContext) -> Response:
    """setUserSetting: POST /v1/user/setting (profile fields; a password change needs the current one)."""
    accounts = ctx.backends.accounts
    body = gettable(await ctx.json_forced())
    update_user_settings(accounts, accounts.user_of(ctx.tenant), body)
    return json_result(data=True)


async def list_login_channels(ctx: RequestContext) -> Response:
    """listLoginChannels: GET /v1/user/login/channels (no OAuth channel is configured in the emulator)."""
    return json_result(data=[])


async def create_knowledgebase(ctx: RequestContext) -> Response:
    """createKnowledgebase: POST /v1/kb/create."""
    body = await require_arguments(ctx, "name")
    dataset = WebKnowledge(ctx.tenant).create_kb(gettable(body))
    return json_result(data={"kb_id": dataset.id})


async def update_knowledgebase(ctx: RequestContext) -> Response:
    """updateKnowledgebase: POST /v1/kb/update."""
    body = await require_arguments(ctx, "kb_id", "name", "description", "parser_id")
    return json_result(data=WebKnowledge(ctx.tenant).update_kb(dict(gettable(body))))


async def get_knowledgebase_detail(ctx: RequestContext) -> Response:
    """getKnowledgebaseDetail: GET /v1/kb/detail?kb_id=…."""
    return json_result(data=WebKnowledge(ctx.tenant).detail(query_arg(ctx, "kb_id")))


async def list_knowledgebases(ctx: RequestContext) -> Response:
    """listKnowledgebases: POST /v1/kb/list (query: keywords, page, page_size, parser_id, orderby, desc; body
    `owner_ids`)."""
    query = ctx.query
    page, page_size = python_int(query.get("page"), 0), python_int(query.get("page_size"), 0)
    body = await flask_get_json(ctx)
    owner_ids = get(body, "owner_ids", [])
    desc = (query.get("desc") or "true").lower() != "false"
    knowledge = WebKnowledge(ctx.tenant)
    paged = not owner_ids
    found, total = knowledge.listing(
        keywords=query.get("keywords", ""),
        parser_id=query.get("parser_id"),
        orderby=query.get("orderby", "create_time"),
        desc=desc,
        page=page if paged else 0,
        page_size=page_size if paged else 0,
    )
    if owner_ids:
        found = [d for d in found if d.tenant_id in owner_ids]
        if page and page_size:
            found = found[(page - 1) * page_size : page * page_size]
        total = len(found)
    user = ctx.backends.accounts.users.get(ctx.tenant.tenant_id)
    nickname = user.nickname if user is not None else ctx.tenant.name
    avatar = user.avatar if user is not None else None
    return json_result(data={"kbs": [kb_list_item(d, nickname, avatar) for d in found], "total": total})


async def remove_knowledgebase(ctx: RequestContext) -> Response:
    """removeKnowledgebase: POST /v1/kb/rm (documents, files and chunks go with it)."""
    body = await require_arguments(ctx, "kb_id")
    WebKnowledge(ctx.tenant).remove_kb(gettable(body)["kb_id"])
    return json_result(data=True)


async def get_knowledge_graph(ctx: RequestContext) -> Response:
    """getKnowledgeGraph: GET /v1/kb/{kb_id}/knowledge_graph (no GraphRAG data in the emulator: both empty)."""
    WebKnowledge(ctx.tenant).accessible_kb(ctx.path_param("kb_id"))
    return json_result(data={"graph": {}, "mind_map": {}})


HANDLERS: dict[str, Handler] = {
    "listTenants": list_tenants,
    "setUserSetting": set_user_setting,
    "createKnowledgebase": create_knowledgebase,
    "updateKnowledgebase": update_knowledgebase,
    "getKnowledgebaseDetail": get_knowledgebase_detail,
    "listKnowledgebases": list_knowledgebases,
    "removeKnowledgebase": remove_knowledgebase,
    "getKnowledgeGraph": get_knowledge_graph,
    "listLoginChannels": list_login_channels,
}
