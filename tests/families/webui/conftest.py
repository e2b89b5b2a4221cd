"""Fixtures of the web-UI tests: a web client on `serve`-like settings and a logged-in user's headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.families.webui.webkit import register_and_login, web_app


@pytest.fixture
def web() -> Iterator[TestClient]:
    with TestClient(web_app()) as client:
        yield client


@pytest.fixture
def ui(web: TestClient) -> dict[str, str]:
    return register_and_login(web)
