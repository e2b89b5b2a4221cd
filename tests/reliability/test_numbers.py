"""Huge numbers (issue 16 item 5): the server's own conversions (`int()`, `float()`, true division) fail with
its global handler's reply, code 100 and the OverflowError repr — never an unexpected error of the emulator."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from tests.reliability.conftest import assert_responsive, state_of

HUGE = 10**400
INT_TO_FLOAT = {"code": 100, "data": None, "message": "OverflowError('int too large to convert to float')"}
DIVISION = {"code": 100, "data": None, "message": "OverflowError('integer division result too large for a float')"}


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("page", DIVISION),  # ceil(page * page_size / L)
        ("similarity_threshold", INT_TO_FLOAT),
        ("vector_similarity_weight", INT_TO_FLOAT),
    ],
)
def test_retrieval_with_a_huge_number(
    app: Starlette, client: TestClient, document_id: str, dataset_id: str, field: str, expected: object
) -> None:
    """retrieveChunks."""
    before = state_of(app)
    body = {"question": "Saturn", "dataset_ids": [dataset_id], field: HUGE}
    response = client.post("/api/v1/retrieval", content=json.dumps(body))
    assert response.json() == expected
    assert emulator_state(app).unexpected_count == 0
    assert state_of(app) == before
    assert_responsive(client)


@pytest.mark.parametrize("value", ["1e999", "-1e999", "nan"])
def test_retrieval_with_infinite_floats_answers(
    app: Starlette, client: TestClient, document_id: str, dataset_id: str, value: str
) -> None:
    """`float("1e999")` is inf in the server too: a reply, not a failure."""
    for field in ("similarity_threshold", "vector_similarity_weight"):
        body = {"question": "Saturn", "dataset_ids": [dataset_id], field: value}
        assert client.post("/api/v1/retrieval", json=body).json()["code"] == 0
    assert emulator_state(app).unexpected_count == 0


def test_dify_retrieval_with_huge_settings(app: Starlette, client: TestClient, dataset_id: str) -> None:
    """difyRetrieval: `float(score_threshold)` overflows (code 100, HTTP 200); a huge `top_k` is a page size whose
    window is 0 (HTTP 500 `division by zero`, as with any top_k ≥ 129)."""
    body = {"knowledge_id": dataset_id, "query": "Saturn", "retrieval_setting": {"score_threshold": HUGE}}
    response = client.post("/api/v1/dify/retrieval", content=json.dumps(body))
    assert (response.status_code, response.json()) == (200, INT_TO_FLOAT)
    body["retrieval_setting"] = {"top_k": HUGE}
    response = client.post("/api/v1/dify/retrieval", content=json.dumps(body))
    assert (response.status_code, response.json()) == (500, {"code": 500, "message": "division by zero"})
    assert emulator_state(app).unexpected_count == 0
