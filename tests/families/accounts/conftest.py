"""Fixtures of the accounts tests: a web client and a registered user's login token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.families.accounts.webkit import login, register


@pytest.fixture
def web(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def token(web: TestClient) -> str:
    assert register(web).json()["code"] == 0
    return login(web)
