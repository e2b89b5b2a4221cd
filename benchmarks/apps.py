"""ASGI app factories the benchmarks serve with uvicorn: the emulator and a bare Starlette baseline."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver import Settings, create_app, emulator_state

KEY = "ragflow-bench-key"
DATASETS = 30
"""Rows in the listed tenant (the issue's `GET /api/v1/datasets?page_size=30` with 30 datasets)."""
LIST_PATH = "/api/v1/datasets?page_size=30"


def emulator() -> Starlette:
    """The emulator with one tenant holding `DATASETS` datasets (deterministic ids: same bytes every start)."""
    app = create_app(Settings(api_keys=(KEY,), world=None, id_seed=1, virtual_clock=True))
    tenant = emulator_state(app).backends.tenant_for_key(KEY)
    assert tenant is not None
    for i in range(DATASETS):
        tenant.datasets.insert(name=f"dataset-{i}", description="benchmark dataset")
    return app


def empty() -> Starlette:
    """The emulator with one empty tenant, instant parsing and answers (bulk and stream benchmarks)."""
    return create_app(Settings(api_keys=(KEY,), world=None, progression="immediate"))


def emulator_bytes() -> bytes:
    """The exact body the emulator sends for the list (read through the app in-process)."""
    from starlette.testclient import TestClient

    with TestClient(emulator()) as client:
        reply = client.get(LIST_PATH, headers={"Authorization": f"Bearer {KEY}"})
        assert reply.status_code == 200 and reply.json()["code"] == 0, reply.text
        return reply.content


def bare() -> Starlette:
    """A bare Starlette app answering the same path with the emulator's own response bytes."""
    body = emulator_bytes()

    async def list_datasets(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/api/v1/datasets", list_datasets)])
