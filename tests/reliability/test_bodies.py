"""Hostile bodies (issue 16 item 1): nesting too deep for the decoder, huge and over-limit bodies, on every route.

The real server answers a nesting too deep for `json.loads` through its global handler: HTTP 200, code 100 and the
RecursionError's repr. Unauthenticated routes read the body too, so they must answer the same way.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.core.errors import WerkzeugError
from mockserver.http.bodies import SPOOL_THRESHOLD, RequestBody, read_body
from mockserver.http.spec import load_operations
from mockserver.server import ThreadedServer
from tests.reliability.conftest import assert_responsive, state_of

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
RECURSION = "maximum recursion depth exceeded while decoding a JSON {} from a unicode string"

BODY_ROUTES = [
    ("POST", "/v1/user/register"),  # unauthenticated
    ("POST", "/v1/user/login"),  # unauthenticated
    ("POST", "/api/v1/datasets"),  # the strict JSON pipeline
    ("POST", "/api/v1/chats"),
    ("POST", "/api/v1/retrieval"),
    ("DELETE", "/api/v1/datasets"),
    ("POST", "/api/v1/agents"),
]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize(("body", "kind"), [(DEEP_ARRAY, "array"), (DEEP_OBJECT, "object")])
def test_deep_json_answers_the_global_handlers_envelope(
    app: Starlette, client: TestClient, method: str, path: str, body: bytes, kind: str
) -> None:
    """registerUser, loginUser, createDataset, createChat, retrieveChunks, deleteDatasets, createAgent: 100k levels."""
    before = state_of(app)
    response = client.request(method, path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": 100, "data": None, "message": f"RecursionError({RECURSION.format(kind)!r})"}
    state = emulator_state(app)
    assert state.unexpected_count == 0
    entry = state.journal.entries()[-1]
    assert (entry.path, entry.code, entry.body) == (path, 100, f"<JSON {len(body)} bytes>")
    assert state_of(app) == before
    assert_responsive(client)


def test_a_short_deep_body_nobody_decoded_is_summarised_as_text(app: Starlette, client: TestClient) -> None:
    """listDatasets reads no body: the journal decodes the short one itself and a failure is just text."""
    body = b"[" * 1000
    client.request("GET", "/api/v1/datasets", content=body)
    assert emulator_state(app).journal.entries()[-1].body is None  # not read by the handler: not summarised
    assert_responsive(client)


def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    app = create_app(Settings.for_tests(api_keys=("k",), max_content_length=1000))
    with TestClient(app, headers={"Authorization": "Bearer k"}) as client:
        response = client.post("/api/v1/chats", content=b"x" * 1001)
        assert response.json() == {
            "code": 100,
            "data": None,
            "message": "<RequestEntityTooLarge '413: Request Entity Too Large'>",
        }
        assert emulator_state(app).unexpected_count == 0
        assert_responsive(client)


async def _chunks(sizes: list[int], seen: list[int]) -> AsyncIterator[bytes]:
    for size in sizes:
        seen.append(size)
        yield b"x" * size


def test_a_streamed_body_stops_at_the_limit_as_it_arrives() -> None:
    """Chunked bodies (no Content-Length) are refused at the first chunk past the limit; the rest is never read."""
    seen: list[int] = []
    with pytest.raises(WerkzeugError, match="RequestEntityTooLarge"):
        asyncio.run(read_body(_chunks([400, 400, 400, 400, 400], seen), None, 1000))
    assert seen == [400, 400, 400]


def test_large_bodies_are_spooled_not_kept_in_memory() -> None:
    seen: list[int] = []
    body: RequestBody = asyncio.run(read_body(_chunks([SPOOL_THRESHOLD, 10], seen), None, 10 * SPOOL_THRESHOLD))
    assert body.size == SPOOL_THRESHOLD + 10
    assert body._data is None and body._spool is not None
    assert body.head(3) == b"xxx" and len(body.data()) == body.size
    body.close()


@pytest.mark.slow
def test_deep_json_over_a_real_socket_then_the_server_still_serves() -> None:
    app = create_app(Settings.for_tests(api_keys=("k",)))
    with ThreadedServer(app) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:
        for _ in range(3):
            response = http.post("/v1/user/register", content=DEEP_ARRAY)
            assert response.status_code == 200 and response.json()["code"] == 100
        assert http.get("/api/v1/datasets", headers={"Authorization": "Bearer k"}).json()["code"] == 0
        assert emulator_state(app).unexpected_count == 0


def _every_body_operation() -> list[tuple[str, str, str]]:
    return [
        (op.method, re.sub(r"\{[^}]+\}", "x" * 32, op.path), op.operation_id)
        for op in load_operations()
        if op.method in ("POST", "PUT", "PATCH", "DELETE") and op.document != "admin.yaml"
    ]


@pytest.mark.parametrize(("method", "path", "operation_id"), _every_body_operation(), ids=lambda v: str(v))
def test_every_operation_survives_a_deep_body(client: TestClient, method: str, path: str, operation_id: str) -> None:
    """Every emulated operation that takes a body: the deep array as JSON and as a form; never an unexpected error."""
    app = client.app
    for content_type in ("application/json", "text/plain"):
        response = client.request(method, path, content=DEEP_ARRAY[:20_002], headers={"Content-Type": content_type})
        assert response.status_code < 500 or response.headers["content-type"] != "text/plain; charset=utf-8"
    assert emulator_state(app).unexpected_count == 0, operation_id  # type: ignore[arg-type]
