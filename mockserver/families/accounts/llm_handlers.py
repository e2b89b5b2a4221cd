"""The `/v1/llm/*` handlers: model keys per tenant (accepted offline) and the provider catalog."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.core.python_failures import item
from mockserver.families.accounts.catalog import factory_listing
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler


def _stamps(ctx: RequestContext) -> dict[str, Any]:
    """The catalog rows' time fields: when this emulator loaded its catalog."""
    return ctx.backends.clock.stamps(ctx.backends.accounts.catalog_time)


async def set_api_key(ctx: RequestContext) -> Response:
    """setLlmApiKey: POST /v1/llm/set_api_key (no provider is contacted; catalog rows get the key)."""
    await require_arguments(ctx, "llm_factory", "api_key")
    body = await ctx.json_forced()
    factory_name, api_key = item(body, "llm_factory"), item(body, "api_key")
    extra = {k: body[k] for k in ("model_type", "llm_name") if k in body}
    ctx.tenant.profile.set_api_key(factory_name, api_key, body.get("base_url"), extra)
    return json_result(data=True)


async def list_my_llms(ctx: RequestContext) -> Response:
    """listMyLlms: GET /v1/llm/my_llms."""
    return json_result(data=ctx.tenant.profile.my_llms())


async def list_llm_factories(ctx: RequestContext) -> Response:
    """listLlmFactories: GET /v1/llm/factories (every catalog factory but the three built-in local ones)."""
    return json_result(data=factory_listing(_stamps(ctx)))


async def list_llms(ctx: RequestContext) -> Response:
    """listLlms: GET /v1/llm/list (catalog rows grouped by factory, with `available` per tenant keys)."""
    return json_result(data=ctx.tenant.profile.llm_listing(ctx.query.get("model_type"), _stamps(ctx)))


HANDLERS: dict[str, Handler] = {
    "setLlmApiKey": set_api_key,
    "listMyLlms": list_my_llms,
    "listLlmFactories": list_llm_factories,
    "listLlms": list_llms,
}
