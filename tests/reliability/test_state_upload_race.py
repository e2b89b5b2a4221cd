"""An upload whose dataset is deleted while its body is read stores nothing (issue 16 item 6)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from starlette.datastructures import UploadFile

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.core.errors import PythonError
from mockserver.server import ThreadedServer
from mockserver.state.backend import Backends
from tests.conftest import API_KEY

HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def test_upload_files_into_a_deleted_dataset_stores_nothing() -> None:
    """uploadDocuments at commit: the dataset must still be the tenant's."""
    tenant = Backends(Settings.for_tests()).create_tenant()
    dataset = tenant.datasets.insert(name="kb")
    tenant.datasets.delete_many([dataset.id])
    with pytest.raises(PythonError, match="Can't find the dataset with ID"):
        tenant.documents.upload_files(dataset, [("a.txt", b"x")], tenant.tenant_id)
    assert (tenant.documents.items, tenant.documents.blobs, tenant.documents.by_dataset) == ({}, {}, {})


@pytest.mark.slow
def test_a_deletion_during_the_body_read_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    release, entered = threading.Event(), threading.Event()
    real = UploadFile.read

    async def held(self: UploadFile, size: int = -1) -> bytes:
        entered.set()
        await asyncio.get_running_loop().run_in_executor(None, release.wait, 30)
        return await real(self, size)

    monkeypatch.setattr(UploadFile, "read", held)
    app = create_app(Settings.for_tests(api_keys=(API_KEY,), max_file_num_per_user=1))
    with (
        ThreadedServer(app) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS, timeout=30) as client,
    ):
        dataset = client.post("/api/v1/datasets", json={"name": "kb"}).json()["data"]["id"]
        replies: list[Any] = []
        files = {"file": ("a.txt", b"x" * 10_000)}
        upload = threading.Thread(
            target=lambda: replies.append(client.post(f"/api/v1/datasets/{dataset}/documents", files=files).json())
        )
        upload.start()
        assert entered.wait(30)
        deleted = httpx.request(
            "DELETE", f"{server.base_url}/api/v1/datasets", json={"ids": [dataset]}, headers=HEADERS
        )
        assert deleted.json() == {"code": 0}
        release.set()
        upload.join(30)
        assert replies == [
            {"code": 100, "data": None, "message": f'LookupError("Can\'t find the dataset with ID {dataset}!")'}
        ]
        tenant = emulator_state(app).backends.tenant_for_key(API_KEY)
        assert tenant is not None and (tenant.documents.items, tenant.documents.blobs) == ({}, {})
        monkeypatch.setattr(UploadFile, "read", real)
        again = client.post("/api/v1/datasets", json={"name": "kb2"}).json()["data"]["id"]
        stored = client.post(f"/api/v1/datasets/{again}/documents", files=files).json()
        assert stored["code"] == 0, "no orphan counts against the per-user file limit"
