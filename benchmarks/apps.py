"""ASGI app factories the benchmarks serve with uvicorn: the emulator and a bare Starlette baseline."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver import Settings, create_app, emulator_state

KEY = "ragflow-bench-key"
DATASETS = 10


def emulator() -> Starlette:
    """The emulator with one tenant holding `DATASETS` datasets."""
    app = create_app(Settings(api_keys=(KEY,), world=None))
    tenant = emulator_state(app).backends.tenant_for_key(KEY)
    assert tenant is not None
    for i in range(DATASETS):
        tenant.datasets.insert(name=f"dataset-{i}", description="benchmark dataset")
    return app


def _rows() -> list[dict[str, object]]:
    app = emulator()
    tenant = emulator_state(app).backends.tenant_for_key(KEY)
    assert tenant is not None
    return [dict(d.to_api()) for d in tenant.datasets.items.values()]


def bare() -> Starlette:
    """A bare Starlette app answering the same path with the same JSON list, serialised per request."""
    rows = _rows()

    async def list_datasets(request: Request) -> Response:
        return JSONResponse({"code": 0, "data": rows})

    return Starlette(routes=[Route("/api/v1/datasets", list_datasets)])
