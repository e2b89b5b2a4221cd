"""Fixtures of the 2024-05-legacy tests: an app with the profile selected and a provisioned `World`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from tests.families.legacy_2024_05.worldkit import World, provision


@pytest.fixture
def v07_app() -> Starlette:
    """An emulator answering `/v1/api/*` as v0.7.0."""
    return create_app(Settings.for_tests(legacy_profile="2024-05-legacy"))


@pytest.fixture
def world(v07_app: Starlette) -> Iterator[World]:
    with TestClient(v07_app) as web:
        yield provision(web)
