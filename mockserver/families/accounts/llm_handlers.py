"""The `/v1/llm/*` handlers: model keys per tenant (accepted offline) and the provider catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.core.pagination import collation_key
from mockserver.core.python_failures import item
from mockserver.families.accounts.catalog import FACTORIES, HIDDEN_FACTORIES, CatalogModel
from mockserver.http.envelope import json_result
from mockserver.http.request_args import require_arguments

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler


def _stamps(ctx: RequestContext) -> dict[str, Any]:
    """The catalog rows' time fields: when this emulator loaded its catalog."""
    return ctx.backends.clock.stamps(ctx.backends.accounts.catalog_time)


async def set_api_key(ctx: RequestContext) -> Response:
    """POST /v1/llm/set_api_key: no provider is contacted; catalog rows get the key."""
    await require_arguments(ctx, "llm_factory", "api_key")
    body = await ctx.json_forced()
    factory_name, api_key = item(body, "llm_factory"), item(body, "api_key")
    extra = {k: body[k] for k in ("model_type", "llm_name") if k in body}
    ctx.tenant.profile.set_api_key(factory_name, api_key, body.get("base_url"), extra)
    return json_result(data=True)


async def list_my_llms(ctx: RequestContext) -> Response:
    """GET /v1/llm/my_llms."""
    return json_result(data=ctx.tenant.profile.my_llms())


async def list_llm_factories(ctx: RequestContext) -> Response:
    """GET /v1/llm/factories: every catalog factory but the three built-in local ones."""
    stamps = _stamps(ctx)
    shown = sorted(
        (f for f in FACTORIES.values() if f.name not in HIDDEN_FACTORIES), key=lambda f: collation_key(f.name)
    )
    data = [
        {"logo": "", "model_types": f.model_types, "name": f.name, "status": "1", "tags": f.tags, **stamps}
        for f in shown
    ]
    return json_result(data=data)


def _catalog_row(model: CatalogModel, available: bool, stamps: dict[str, Any]) -> dict[str, Any]:
    return {
        "available": available,
        "fid": model.fid,
        "is_tools": model.is_tools,
        "llm_name": model.llm_name,
        "max_tokens": model.max_tokens,
        "model_type": model.model_type,
        "status": "1",
        "tags": model.tags,
        **stamps,
    }


async def list_llms(ctx: RequestContext) -> Response:
    """GET /v1/llm/list: catalog rows grouped by factory, with `available` per tenant keys."""
    profile = ctx.tenant.profile
    model_type = ctx.query.get("model_type")
    stamps = _stamps(ctx)
    rows: list[dict[str, Any]] = [
        _catalog_row(m, profile.is_available(m.fid, m.llm_name), stamps)
        for f in sorted(FACTORIES.values(), key=lambda f: collation_key(f.name))
        for m in f.models
    ]
    rows += [
        {"available": True, "fid": r.llm_factory, "llm_name": r.llm_name, "model_type": r.model_type}
        for r in profile.uncatalogued_rows()
    ]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if model_type and model_type not in row["model_type"]:
            continue
        grouped.setdefault(row["fid"], []).append(row)
    return json_result(data=grouped)


HANDLERS: dict[str, Handler] = {
    "setLlmApiKey": set_api_key,
    "listMyLlms": list_my_llms,
    "listLlmFactories": list_llm_factories,
    "listLlms": list_llms,
}
