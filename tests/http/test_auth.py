"""Authentication schemes: the exact bodies of every failure mode."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from mockserver import Settings
from mockserver.core.errors import RagflowError
from mockserver.http.auth import api_key, beta_token, dify_api_key, legacy_api_key, login_token
from mockserver.http.render import error_response
from mockserver.state.backend import Backends


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, {"code": 0, "data": False, "message": "`Authorization` can't be empty"}),
        ({"Authorization": ""}, {"code": 0, "data": False, "message": "`Authorization` can't be empty"}),
        ({"Authorization": "Bearer"}, {"code": 0, "data": False, "message": "Please check your authorization format."}),
        (
            {"Authorization": "Bearer nope"},
            {"code": 109, "data": False, "message": "Authentication error: API key is invalid!"},
        ),
    ],
)
def test_api_key_failures(anon_client: TestClient, headers: dict[str, str], expected: dict[str, object]) -> None:
    response = anon_client.get("/api/v1/datasets", headers=headers)
    assert response.status_code == 200
    assert response.json() == expected


def test_auth_runs_before_body_validation(anon_client: TestClient) -> None:
    payload = anon_client.post("/api/v1/datasets", content=b"{", headers={"Authorization": "Bearer x"}).json()
    assert payload["code"] == 109


def test_scheme_word_is_not_checked_and_key_is_case_insensitive(anon_client: TestClient) -> None:
    assert anon_client.get("/api/v1/datasets", headers={"Authorization": "Token RAGFLOW-TEST-KEY"}).json()["code"] == 0


def _payload(exc: RagflowError) -> tuple[int, dict[str, object]]:
    response = error_response(exc)

    return response.status_code, json.loads(bytes(response.body))


def test_other_schemes_fail_like_the_server() -> None:
    backends = Backends(Settings.for_tests())
    cases = [
        (
            dify_api_key,
            None,
            (
                200,
                {
                    "code": 100,
                    "data": None,
                    "message": "AttributeError(\"'NoneType' object has no attribute 'split'\")",
                },
            ),
        ),
        (
            dify_api_key,
            "Bearer",
            (200, {"code": 100, "data": None, "message": "IndexError('list index out of range')"}),
        ),
        (dify_api_key, "Bearer nope", (403, {"code": 403, "message": "API-KEY is invalid!"})),
        (beta_token, "a b c", (200, {"code": 102, "message": 'Authorization is not valid!"'})),
        (beta_token, "Bearer nope", (200, {"code": 102, "message": 'Authentication error: API key is invalid!"'})),
        (
            legacy_api_key,
            "Bearer nope",
            (200, {"code": 109, "data": False, "message": 'Authentication error: API key is invalid!"'}),
        ),
        (login_token, "whatever", (200, {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"})),
        (
            api_key,
            "Bearer nope",
            (200, {"code": 109, "data": False, "message": "Authentication error: API key is invalid!"}),
        ),
    ]
    for scheme, header, expected in cases:
        with pytest.raises(RagflowError) as info:
            scheme(backends, header)
        assert _payload(info.value) == expected, (scheme.__name__, header)


def test_known_keys_resolve_to_their_tenant() -> None:
    backends = Backends(Settings.for_tests(api_keys=("k1", "k2")))
    first = api_key(backends, "Bearer k1")
    second = dify_api_key(backends, "Bearer k2")
    assert first.tenant is not second.tenant
    assert first.token is not None
    assert beta_token(backends, f"Bearer {first.token.beta}").tenant is first.tenant
    backends.remove_token("k1")
    with pytest.raises(RagflowError):
        api_key(backends, "Bearer k1")
