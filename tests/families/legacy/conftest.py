"""Fixtures of the legacy tests: the provisioned `World`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.families.accounts.webkit import PASSWORD
from tests.families.legacy.worldkit import TEXT, World


@pytest.fixture
def world(app: Starlette) -> Iterator[World]:
    with TestClient(app) as web:
        web.post("/v1/user/register", json={"nickname": "u", "email": "u@example.com", "password": PASSWORD})
        token = web.post("/v1/user/login", json={"email": "u@example.com", "password": PASSWORD}).headers[
            "Authorization"
        ]
        login = {"Authorization": token}
        api_key = web.post("/v1/system/new_token", headers=login).json()["data"]["token"]
        api = {"Authorization": f"Bearer {api_key}"}
        dataset_id = web.post("/api/v1/datasets", headers=api, json={"name": "kb"}).json()["data"]["id"]
        files = {"file": ("notes.txt", TEXT)}
        doc = web.post("/v1/api/document/upload", headers=api, data={"kb_name": "kb", "run": "1"}, files=files).json()
        chat = web.post("/api/v1/chats", headers=api, json={"name": "bot", "dataset_ids": [dataset_id]}).json()
        legacy = web.post("/v1/api/new_token", headers=login, json={"dialog_id": chat["data"]["id"]}).json()["data"]
        yield World(
            web,
            login,
            api,
            dataset_id,
            chat["data"]["id"],
            {"Authorization": f"Bearer {legacy['token']}"},
            legacy["token"],
            doc["data"]["id"],
        )
