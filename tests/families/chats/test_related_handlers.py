"""Related questions (§3.10, §3.11): auth, the `question` checks, deterministic numbered-line parsing."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.families.chats.related_handlers import parse_list, related
from mockserver.state.backend import Backends, TenantBackend

LOGIN_TOKEN = "login-token-for-tests"


@pytest.fixture
def login_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(backends: Backends, header: str) -> TenantBackend | None:
        return next(iter(backends.tenants.values())) if header == LOGIN_TOKEN else None

    monkeypatch.setattr(Backends, "tenant_for_login_token", resolve)


def test_web_endpoint_needs_a_raw_login_token(anon_client: TestClient, login_resolver: None) -> None:
    """generateRelatedQuestions: login-token auth and the `question` argument check."""
    url = "/v1/conversation/related_questions"
    unauthorized = {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}
    assert anon_client.post(url, json={"question": "q"}).json() == unauthorized
    bearer = {"Authorization": f"Bearer {LOGIN_TOKEN}"}
    assert anon_client.post(url, json={"question": "q"}, headers=bearer).json() == unauthorized
    raw = {"Authorization": LOGIN_TOKEN}
    assert anon_client.post(url, json={}, headers=raw).json() == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: question; ",
    }
    body = anon_client.post(url, json={"question": "What are the advantages of Neovim?"}, headers=raw).json()
    assert body["code"] == 0 and body["message"] == "success"
    assert body["data"][0] == "What is advantages neovim?"
    assert 5 <= len(body["data"]) <= 10
    again = anon_client.post(url, json={"question": "What are the advantages of Neovim?"}, headers=raw).json()
    assert again == body


def test_sdk_twin(client: TestClient) -> None:
    """generateSessionRelatedQuestions: API-key twin; `question` must be truthy."""
    url = "/api/v1/sessions/related_questions"
    body = client.post(url, json={"question": "longest river in Africa"}).json()
    assert body == {
        "code": 0,
        "data": [
            "longest river africa",
            "longest river africa overview",
            "longest river africa features",
            "longest river africa benefits",
            "longest river africa examples",
        ],
    }
    assert client.post(url, json={"question": ""}).json() == {"code": 102, "message": "`question` is required."}
    assert client.post(url).json() == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'NoneType' object has no attribute 'get'\")",
    }


def test_only_single_digit_numbered_lines_are_kept() -> None:
    """generateRelatedQuestions: only `N. ` lines of the model reply are kept."""
    assert parse_list("Sure:\n1. a\n2. b\n10. c\n- d\n3.e") == ["a", "b"]
    assert related("?", ("{topic}",)) == [""]
