"""Routing: spec ↔ registry consistency, unknown routes, wrong methods, trailing slashes, crash rendering."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.responses import Response
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.control.admin import CONTROL_HANDLERS
from mockserver.families.registry import family_handlers
from mockserver.http.context import RequestContext
from mockserver.http.routing import RegistryMismatch, check_registry
from mockserver.http.spec import Operation, load_operations

NOT_FOUND = {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}
NOT_ALLOWED = {"code": 100, "data": None, "message": "<MethodNotAllowed '405: Method Not Allowed'>"}


def test_every_spec_operation_has_exactly_one_handler() -> None:
    operations = load_operations()
    handlers = {**family_handlers(), **CONTROL_HANDLERS}
    check_registry(operations, handlers)
    assert {op.operation_id for op in operations} == set(handlers)


def test_registry_mismatch_refuses_to_start() -> None:
    op = Operation("ghost", "GET", "/ghost", None, False, (), "x.yaml")
    with pytest.raises(RegistryMismatch, match="operations without a handler: ghost"):
        check_registry([op], {})

    async def handler(ctx: RequestContext) -> Response:
        return Response()

    with pytest.raises(RegistryMismatch, match="handlers without an operation: extra"):
        check_registry([], {"extra": handler})


def test_unknown_route_and_wrong_method(client: TestClient) -> None:
    assert client.get("/api/v1/nothing").json() == NOT_FOUND
    assert client.get("/").json() == NOT_FOUND
    response = client.patch("/api/v1/datasets")
    assert response.status_code == 200
    assert response.json() == NOT_ALLOWED


def test_trailing_slash_is_the_same_route(client: TestClient) -> None:
    assert client.get("/api/v1/datasets/").json() == {"code": 0, "data": []}


def test_head_is_served_like_get(client: TestClient) -> None:
    assert client.head("/api/v1/datasets").status_code == 200


def test_unexpected_exception_is_rendered_as_the_global_handler_does() -> None:
    app = create_app(Settings.for_tests())
    state = app.state.emulator
    route = next(r for r in app.router.routes if getattr(r, "path", "") == "/api/v1/datasets")

    async def boom(ctx: RequestContext) -> Response:
        raise KeyError("dataset_ids")

    endpoint = route.app  # type: ignore[attr-defined]
    endpoint.bound["GET"] = replace(endpoint.bound["GET"], handler=boom)
    with TestClient(app, headers={"Authorization": "Bearer ragflow-mock-key"}) as c:
        response = c.get("/api/v1/datasets")
    assert response.status_code == 200
    assert response.json() == {"code": 100, "data": None, "message": "KeyError('dataset_ids')"}
    assert isinstance(state.unexpected[0], KeyError)


def test_body_over_the_limit_gets_the_413_repr() -> None:
    app = create_app(Settings.for_tests(max_content_length=10))
    with TestClient(app, headers={"Authorization": "Bearer ragflow-mock-key"}) as c:
        body = c.post("/api/v1/datasets", json={"name": "a" * 50}).json()
    assert body == {"code": 100, "data": None, "message": "<RequestEntityTooLarge '413: Request Entity Too Large'>"}


def test_two_apps_are_independent() -> None:
    first, second = create_app(Settings.for_tests()), create_app(Settings.for_tests())
    headers = {"Authorization": "Bearer ragflow-mock-key"}
    with TestClient(first, headers=headers) as a, TestClient(second, headers=headers) as b:
        assert a.post("/api/v1/datasets", json={"name": "only-in-first"}).json()["code"] == 0
        assert b.get("/api/v1/datasets").json() == {"code": 0, "data": []}


def test_cors_preflight_is_answered(client: TestClient) -> None:
    response = client.options(
        "/api/v1/datasets",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
