"""API keys in the server's `ragflow-…` recipe, and the `/v1/system/*` handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.core.errors import DataError
from mockserver.families.accounts.crypto import api_token_text
from mockserver.http.envelope import json_result

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.http.context import RequestContext
    from mockserver.http.types import Handler
    from mockserver.state.backend import ApiToken, Backends, TenantBackend

SERVER_VERSION = "v0.18.0-103-g35e36cb945 full"
"""`git describe` of the emulated commit plus the image flavour."""


def generate_token(backends: Backends, tenant_id: str) -> str:
    """`ragflow-` + 32 characters cut from a tenant-keyed signature of a fresh UUID1."""
    return api_token_text(tenant_id, backends.ids.entity(), int(backends.clock.now()))


def issue_api_token(
    backends: Backends, tenant: TenantBackend, *, dialog_id: str | None = None, source: str | None = None
) -> ApiToken:
    """Create and store an API key; legacy keys (bound to a dialog) carry no `beta` until listed."""
    token = generate_token(backends, tenant.tenant_id)
    beta = generate_token(backends, tenant.tenant_id).replace("ragflow-", "")[:32]
    row = backends.add_token(tenant, token, dialog_id=dialog_id, source=source, beta=beta)
    if dialog_id is not None:
        backends.accounts.betaless_tokens.add(row.token)
    return row


def token_row(backends: Backends, row: ApiToken) -> dict[str, Any]:
    """A stored token row as listings return it (`update_*` equal the creation time when unset)."""
    beta = None if row.token in backends.accounts.betaless_tokens else row.beta
    return {
        "beta": beta,
        "create_date": row.create_date,
        "create_time": row.create_time,
        "dialog_id": row.dialog_id,
        "source": row.source,
        "tenant_id": row.tenant_id,
        "token": row.token,
        "update_date": row.update_date or row.create_date,
        "update_time": row.update_time or row.create_time,
    }


async def create_system_token(ctx: RequestContext) -> Response:
    """POST /v1/system/new_token (no body is read)."""
    if ctx.backends.tenant(ctx.tenant.tenant_id) is None:
        raise DataError("Tenant not found!")
    row = issue_api_token(ctx.backends, ctx.tenant)
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
    """GET /v1/system/token_list: every key of the tenant; a missing `beta` is generated now."""
    rows = sorted(ctx.backends.tokens_of(ctx.tenant.tenant_id), key=lambda r: r.token)
    ctx.backends.accounts.betaless_tokens.difference_update(r.token for r in rows)
    return json_result(data=[token_row(ctx.backends, r) for r in rows])


async def delete_system_token(ctx: RequestContext) -> Response:
    """DELETE /v1/system/token/{token}: always `true`, even when nothing matched."""
    key = ctx.path_param("token")
    row = ctx.backends.token(key)
    if row is not None and row.tenant_id == ctx.tenant.tenant_id and row.token == key:
        ctx.backends.remove_token(key)
    return json_result(data=True)


async def get_system_version(ctx: RequestContext) -> Response:
    """GET /v1/system/version."""
    return json_result(data=SERVER_VERSION)


async def get_system_status(ctx: RequestContext) -> Response:
    """GET /v1/system/status: every component green (nothing to be unhealthy in the emulator)."""
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
    """GET /v1/system/config (no auth)."""
    enabled = str(ctx.backends.accounts.register_enabled).strip()
    return json_result(data={"registerEnabled": 0 if enabled == "0" else 1})


HANDLERS: dict[str, Handler] = {
    "createSystemToken": create_system_token,
    "listSystemTokens": list_system_tokens,
    "deleteSystemToken": delete_system_token,
    "getSystemVersion": get_system_version,
    "getSystemStatus": get_system_status,
    "getSystemConfig": get_system_config,
}
