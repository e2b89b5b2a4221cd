"""The control plane `/_emulator/*`: state, worlds, snapshots, keys, answers, faults, progression, clock, journal."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from mockserver.control import seed, snapshot
from mockserver.control.faults import fault_interceptor
from mockserver.control.journal import journal_interceptor
from mockserver.control.schemas import (
    ClockAdvance,
    CreateKeyRequest,
    FaultRequest,
    ProgressionRequest,
    ResetRequest,
    SeedRequest,
)
from mockserver.control.worlds import WorldError
from mockserver.core.clock import VirtualClock
from mockserver.core.errors import ControlPlaneError, not_found
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.types import Handler, Interceptor
from mockserver.state.backend import Backends, TenantBackend
from mockserver.state.faults import FaultSpec
from mockserver.version import __version__

AdminError = ControlPlaneError


def _problems(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        lines.append(f"{loc}: {err['msg']}")
    return "; ".join(lines)


async def _body(ctx: RequestContext, model: type[BaseModel]) -> Any:
    raw = await ctx.body()
    data = await ctx.json_forced()
    if data is None and raw.strip():
        raise AdminError("request body is not valid JSON")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AdminError(f"request body must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AdminError(_problems(exc)) from None


# -- guards and targets ----------------------------------------------------------------------------
def _guard(ctx: RequestContext) -> None:
    settings = ctx.state.settings
    if not settings.admin_enabled:
        raise not_found()
    if settings.admin_key:
        header = ctx.request.headers.get("authorization") or ""
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer" or parts[1] != settings.admin_key:
            raise AdminError("admin key missing or wrong: send Authorization: Bearer <admin key>", status=401)


def _find_tenant(backends: Backends, api_key: str | None, tenant_id: str | None) -> TenantBackend | None:
    if api_key is not None:
        tenant = backends.tenant_for_key(api_key)
        if tenant is None:
            raise AdminError(f"unknown api_key {api_key!r}", status=404)
        if tenant_id is not None and tenant.tenant_id != tenant_id:
            raise AdminError("api_key and tenant_id name different tenants")
        return tenant
    if tenant_id is not None:
        tenant = backends.tenant(tenant_id)
        if tenant is None:
            raise AdminError(f"unknown tenant_id {tenant_id!r}", status=404)
        return tenant
    return None


def _default_tenant(backends: Backends, api_key: str | None, tenant_id: str | None) -> TenantBackend:
    tenant = _find_tenant(backends, api_key, tenant_id)
    if tenant is not None:
        return tenant
    for key in backends.settings.api_keys:
        found = backends.tenant_for_key(key)
        if found is not None:
            return found
    raise AdminError("no tenant to target: give api_key or tenant_id", status=404)


def _query_tenant(ctx: RequestContext) -> TenantBackend | None:
    return _find_tenant(ctx.backends, ctx.query.get("api_key"), ctx.query.get("tenant_id"))


def admin(handler: Handler) -> Handler:
    """Wrap a control-plane handler: enabled/key checks first, never a bare exception."""

    async def guarded(ctx: RequestContext) -> Response:
        _guard(ctx)
        try:
            return await handler(ctx)
        except (WorldError, snapshot.SnapshotError) as err:
            raise AdminError(str(err)) from None

    guarded.__name__ = handler.__name__
    guarded.__doc__ = handler.__doc__
    return guarded


# -- handlers --------------------------------------------------------------------------------------
def _keys_of(backends: Backends, tenant: TenantBackend) -> list[dict[str, Any]]:
    return [
        {"api_key": t.token, "beta": t.beta, "tenant_id": t.tenant_id} for t in backends.tokens_of(tenant.tenant_id)
    ]


async def get_emulator_info(ctx: RequestContext) -> Response:
    """getEmulatorInfo: GET /_emulator."""
    backends, settings = ctx.backends, ctx.state.settings
    tenants = [
        {"tenant_id": t.tenant_id, "name": t.name, "keys": [k["api_key"] for k in _keys_of(backends, t)]}
        for t in list(backends.tenants.values())
    ]
    info = {
        "version": __version__,
        "world": settings.world,
        "virtual_clock": settings.virtual_clock,
        "now": backends.clock.now(),
        "tenants": tenants,
    }
    return result(info)


async def reset_emulator(ctx: RequestContext) -> Response:
    """resetEmulator: POST /_emulator/reset (no target: `EmulatorState.reset`; one tenant: `reset_tenant`)."""
    body: ResetRequest = await _body(ctx, ResetRequest)
    state = ctx.state
    tenant = _find_tenant(state.backends, body.api_key, body.tenant_id)
    world = state.settings.world
    if tenant is None:
        state.reset()
        if body.reseed and world:
            seed.seed_configured_tenants(state.backends, world)
        return result({"reset": "all", "tenants": len(state.backends.tenants)})
    fresh = state.reset_tenant(tenant)
    if body.reseed and world:
        seed.seed_tenant(state.backends, fresh, world)
    return result({"reset": fresh.tenant_id})


async def seed_world(ctx: RequestContext) -> Response:
    """seedWorld: POST /_emulator/seed."""
    body: SeedRequest = await _body(ctx, SeedRequest)
    tenant = _default_tenant(ctx.backends, body.api_key, body.tenant_id)
    report = seed.seed_tenant(ctx.backends, tenant, body.world)
    return result(report.to_json())


async def take_snapshot(ctx: RequestContext) -> Response:
    """takeSnapshot: GET /_emulator/snapshot."""
    return result(snapshot.take_snapshot(ctx.state))


async def restore_snapshot(ctx: RequestContext) -> Response:
    """restoreSnapshot: POST /_emulator/snapshot."""
    data = await ctx.json_forced()
    if not isinstance(data, dict):
        raise AdminError("request body must be a snapshot object (from GET /_emulator/snapshot)")
    snapshot.restore_snapshot(ctx.state, data.get("data", data) if "format" not in data else data)
    return result({"tenants": len(ctx.backends.tenants)})


async def list_api_keys(ctx: RequestContext) -> Response:
    """listApiKeys: GET /_emulator/keys."""
    backends = ctx.backends
    rows = []
    for tenant in list(backends.tenants.values()):
        rows.extend(_keys_of(backends, tenant))
    return result(rows)


async def create_api_key(ctx: RequestContext) -> Response:
    """createApiKey: POST /_emulator/keys."""
    body: CreateKeyRequest = await _body(ctx, CreateKeyRequest)
    backends = ctx.backends
    if body.api_key is not None and backends.token(body.api_key) is not None:
        raise AdminError(f"api_key {body.api_key!r} already exists")
    if body.tenant_id is not None:
        tenant = _find_tenant(backends, None, body.tenant_id)
        assert tenant is not None
    else:
        tenant = backends.create_tenant(None, name=body.name)
    row = backends.add_token(tenant, body.api_key)
    data: dict[str, Any] = {"tenant_id": tenant.tenant_id, "api_key": row.token, "beta": row.beta}
    if body.world is not None:
        data["seed"] = seed.seed_tenant(backends, tenant, body.world).to_json()
    return result(data)


async def add_scripted_answer(ctx: RequestContext) -> Response:
    """addScriptedAnswer: POST /_emulator/answers."""
    data = await ctx.json_forced()
    if not isinstance(data, dict):
        raise AdminError("request body must be a JSON object describing the answer")
    payload = dict(data)
    tenant = _find_tenant(ctx.backends, payload.pop("api_key", None), payload.pop("tenant_id", None))
    try:
        added = ctx.state.answers.add(payload, tenant_id=None if tenant is None else tenant.tenant_id)
    except (ValueError, TypeError) as exc:
        raise AdminError(str(exc)) from None
    return result(added.to_json())


async def list_scripted_answers(ctx: RequestContext) -> Response:
    """listScriptedAnswers: GET /_emulator/answers."""
    return result([a.to_json() for a in ctx.state.answers.scripted()])


async def clear_scripted_answers(ctx: RequestContext) -> Response:
    """clearScriptedAnswers: DELETE /_emulator/answers."""
    tenant = _query_tenant(ctx)
    removed = ctx.state.answers.clear(None if tenant is None else tenant.tenant_id)
    return result({"removed": removed})


async def add_fault_rule(ctx: RequestContext) -> Response:
    """addFaultRule: POST /_emulator/faults."""
    body: FaultRequest = await _body(ctx, FaultRequest)
    tenant = _find_tenant(ctx.backends, body.api_key, body.tenant_id)
    spec = FaultSpec.model_validate(
        {**body.model_dump(exclude={"api_key", "tenant_id"}), "tenant_id": tenant.tenant_id if tenant else None}
    )
    if spec.operation_id != "*" and spec.operation_id not in ctx.state.operation_ids:
        raise AdminError(f"operation_id: unknown operation {spec.operation_id!r}")
    return result(ctx.state.faults.add(spec).to_json())


async def list_fault_rules(ctx: RequestContext) -> Response:
    """listFaultRules: GET /_emulator/faults."""
    return result([r.to_json() for r in ctx.state.faults.rules()])


async def clear_fault_rules(ctx: RequestContext) -> Response:
    """clearFaultRules: DELETE /_emulator/faults."""
    tenant = _query_tenant(ctx)
    return result({"removed": ctx.state.faults.clear(None if tenant is None else tenant.tenant_id)})


async def delete_fault_rule(ctx: RequestContext) -> Response:
    """deleteFaultRule: DELETE /_emulator/faults/{rule_id}."""
    rule_id = ctx.path_param("rule_id")
    if not ctx.state.faults.remove(rule_id):
        raise AdminError(f"unknown fault rule {rule_id!r}", status=404)
    return result({"removed": 1})


async def set_parse_progression(ctx: RequestContext) -> Response:
    """setParseProgression: PUT /_emulator/progression."""
    body: ProgressionRequest = await _body(ctx, ProgressionRequest)
    tenant = _find_tenant(ctx.backends, body.api_key, body.tenant_id)
    try:
        seed.set_parse_progression(ctx.backends, body.progression, tenant)
    except ValueError as exc:
        raise AdminError(f"progression: {exc}") from None
    return result({"progression": body.progression, "tenant_id": None if tenant is None else tenant.tenant_id})


async def advance_clock(ctx: RequestContext) -> Response:
    """advanceClock: POST /_emulator/clock/advance."""
    body: ClockAdvance = await _body(ctx, ClockAdvance)
    clock = ctx.backends.clock
    if not isinstance(clock, VirtualClock):
        raise AdminError("the clock is real: start the emulator with a virtual clock to advance it", status=409)
    clock.advance(body.seconds)
    return result({"now": clock.now()})


async def list_journal(ctx: RequestContext) -> Response:
    """listJournal: GET /_emulator/journal."""
    tenant = _query_tenant(ctx)
    since_raw = ctx.query.get("since", "0")
    if not since_raw.isdigit():
        raise AdminError(f"since: expected a non-negative integer, got {since_raw!r}")
    entries = ctx.state.journal.entries(
        ctx.query.get("operation_id"), tenant_id=None if tenant is None else tenant.tenant_id, since=int(since_raw)
    )
    return result([e.to_json() for e in entries])


async def clear_journal(ctx: RequestContext) -> Response:
    """clearJournal: DELETE /_emulator/journal."""
    tenant = _query_tenant(ctx)
    return result({"removed": ctx.state.journal.clear(None if tenant is None else tenant.tenant_id)})


def control_interceptors() -> list[Interceptor]:
    """The control plane's interceptors, innermost last: the journal sits outside the faults, so injected
    answers are recorded too."""
    return [journal_interceptor, fault_interceptor]


CONTROL_HANDLERS: dict[str, Handler] = {
    op_id: admin(fn)
    for op_id, fn in {
        "getEmulatorInfo": get_emulator_info,
        "resetEmulator": reset_emulator,
        "seedWorld": seed_world,
        "takeSnapshot": take_snapshot,
        "restoreSnapshot": restore_snapshot,
        "listApiKeys": list_api_keys,
        "createApiKey": create_api_key,
        "addScriptedAnswer": add_scripted_answer,
        "listScriptedAnswers": list_scripted_answers,
        "clearScriptedAnswers": clear_scripted_answers,
        "addFaultRule": add_fault_rule,
        "listFaultRules": list_fault_rules,
        "clearFaultRules": clear_fault_rules,
        "deleteFaultRule": delete_fault_rule,
        "setParseProgression": set_parse_progression,
        "advanceClock": advance_clock,
        "listJournal": list_journal,
        "clearJournal": clear_journal,
    }.items()
}
