"""The `/v1/system/*` handlers: API keys (`accounts.tokens` decides), version, status and config."""

from __future__ import annotations

from starlette.responses import Response

from mockserver.families.accounts import tokens
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result
from mockserver.http.types import Handler

SERVER_VERSION = "v0.18.0-103-g35e36cb945 full"
"""`git describe` of the emulated commit plus the image flavour."""


async def create_system_token(ctx: RequestContext) -> Response:
    """createSystemToken: POST /v1/system/new_token (no body is read)."""
    row = tokens.create_system_token(ctx.backends, ctx.tenant)
    data = {
        "beta": row.beta,
        "create_date": row.create_date,
        "create_time": row.create_time,
        "tenant_id": row.tenant_id,
        "token": row.token,
        "update_date": None,
        "update_time": None,
    }
    return json_result(data=data)


async def list_system_tokens(ctx: RequestContext) -> Response:
    """listSystemTokens: GET /v1/system/token_list (every key of the tenant; a missing `beta` is generated now)."""
    return json_result(data=tokens.list_system_tokens(ctx.backends, ctx.tenant.tenant_id))


async def delete_system_token(ctx: RequestContext) -> Response:
    """deleteSystemToken: DELETE /v1/system/token/{token} (always `true`, even when nothing matched)."""
    tokens.delete_system_token(ctx.backends, ctx.tenant.tenant_id, ctx.path_param("token"))
    return json_result(data=True)


async def get_system_version(ctx: RequestContext) -> Response:
    """getSystemVersion: GET /v1/system/version."""
    return json_result(data=SERVER_VERSION)


async def get_system_status(ctx: RequestContext) -> Response:
    """getSystemStatus: GET /v1/system/status (every component green (nothing to be unhealthy in the emulator))."""
    data = {
        "database": {"database": "mysql", "elapsed": "0.1", "status": "green"},
        "doc_engine": {
            "active_primary_shards": 0,
            "active_shards": 0,
            "cluster_name": "docker-cluster",
            "elapsed": "0.1",
            "number_of_data_nodes": 1,
            "number_of_nodes": 1,
            "status": "green",
            "timed_out": False,
            "type": "elasticsearch",
        },
        "redis": {"elapsed": "0.1", "status": "green"},
        "storage": {"elapsed": "0.1", "status": "green", "storage": "minio"},
        "task_executor_heartbeats": {},
    }
    return json_result(data=data)


async def get_system_config(ctx: RequestContext) -> Response:
    """getSystemConfig: GET /v1/system/config (no auth)."""
    return json_result(data={"registerEnabled": 1 if ctx.backends.accounts.register_enabled else 0})


HANDLERS: dict[str, Handler] = {
    "createSystemToken": create_system_token,
    "listSystemTokens": list_system_tokens,
    "deleteSystemToken": delete_system_token,
    "getSystemVersion": get_system_version,
    "getSystemStatus": get_system_status,
    "getSystemConfig": get_system_config,
}
