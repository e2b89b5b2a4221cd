"""2024-06-dataset over a real socket: every seed row in order, as the v0.10.0 Python SDK sent them.

`V010Sdk` does what `sdk/python/ragflow/ragflow.py` of RAGFlow v0.10.0 did, with `requests` as it did:
`Authorization: <key>` (one word), `json={"name": …}` for create, `offset`/`count` and `order_by`/`descend` as
query parameters (booleans as `True`, the way `requests` renders them), `file` parts, `/documents/` with a slash.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mockserver import Settings
from mockserver.server import ThreadedServer
from tests.conftest import API_KEY
from tests.support.profiles import profile_app

pytestmark = pytest.mark.slow


class Http:
    """`requests` calls against one base URL with the SDK's header (the SDK called `requests.<method>` directly)."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update(headers)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base_url + path, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


class V010Sdk:
    """The requests the v0.10.0 SDK's `RAGFlow` class sends (same paths, parameters and header)."""

    def __init__(self, user_key: str, base_url: str) -> None:
        self.http = Http(base_url, {"Authorization": user_key})
        self.dataset_url = "/api/v1/dataset"

    def create_dataset(self, dataset_name: str) -> Any:
        return self.http.post(self.dataset_url, json={"name": dataset_name}).json()

    def list_dataset(self, offset: int = 0, count: int = -1, orderby: str = "create_time", desc: bool = True) -> Any:
        params = {"offset": offset, "count": count, "orderby": orderby, "desc": desc}
        return self.http.get(self.dataset_url, params=params).json()

    def delete_dataset(self, dataset_id: str) -> Any:
        return self.http.delete(f"{self.dataset_url}/{dataset_id}").json()

    def get_dataset(self, dataset_id: str) -> Any:
        return self.http.get(f"{self.dataset_url}/{dataset_id}").json()

    def update_dataset(self, dataset_id: str, **params: Any) -> Any:
        return self.http.put(f"{self.dataset_url}/{dataset_id}", json=params).json()

    def upload_local_file(self, dataset_id: str, files: list[tuple[str, bytes]]) -> Any:
        parts = [("file", (name, data)) for name, data in files]
        return self.http.post(f"{self.dataset_url}/{dataset_id}/documents/", files=parts).json()

    def delete_files(self, document_id: str, dataset_id: str) -> Any:
        return self.http.delete(f"{self.dataset_url}/{dataset_id}/documents/{document_id}").json()

    def list_files(self, dataset_id: str, offset: int = 0, count: int = -1, order_by: str = "create_time",
                   descend: bool = True, keywords: str = "") -> Any:  # fmt: skip
        params = {"offset": offset, "count": count, "order_by": order_by, "descend": descend, "keywords": keywords}
        return self.http.get(f"{self.dataset_url}/{dataset_id}/documents/", params=params).json()

    def update_file(self, dataset_id: str, document_id: str, **params: Any) -> Any:
        return self.http.put(f"{self.dataset_url}/{dataset_id}/documents/{document_id}", json=params).json()

    def download_file(self, dataset_id: str, document_id: str) -> requests.Response:
        return self.http.get(f"{self.dataset_url}/{dataset_id}/documents/{document_id}")

    def start_parsing_document(self, dataset_id: str, document_id: str) -> Any:
        return self.http.post(f"{self.dataset_url}/{dataset_id}/documents/{document_id}/status").json()

    def start_parsing_documents(self, dataset_id: str, doc_ids: list[str] | None = None) -> Any:
        return self.http.post(f"{self.dataset_url}/{dataset_id}/documents/status", json={"doc_ids": doc_ids}).json()

    def show_parsing_status(self, dataset_id: str, document_id: str) -> Any:
        return self.http.get(f"{self.dataset_url}/{dataset_id}/documents/{document_id}/status").json()


@pytest.fixture
def sdk() -> Iterator[V010Sdk]:
    app = profile_app(Settings.for_tests(api_keys=(API_KEY,)), "2024-06-dataset")
    with ThreadedServer(app) as server:
        client = V010Sdk(API_KEY, server.base_url)
        yield client
        client.http.session.close()


def test_every_seed_row_in_order(sdk: V010Sdk) -> None:
    created = sdk.create_dataset("kb1")  # row 1
    assert (created["code"], created["data"]["dataset_name"], created["message"]) == (0, "kb1", "success")
    dataset_id = created["data"]["dataset_id"]
    listed = sdk.list_dataset()  # row 2
    assert (listed["message"], [d["id"] for d in listed["data"]]) == ("List datasets successfully!", [dataset_id])
    assert sdk.get_dataset(dataset_id)["data"]["name"] == "kb1"  # row 4
    updated = sdk.update_dataset(dataset_id, name="new_name", description="new_description1")  # row 5
    assert (updated["data"]["name"], updated["data"]["description"]) == ("new_name", "new_description1")
    docs = sdk.upload_local_file(dataset_id, [("test.txt", b"test\ntest\ntest"), ("empty.txt", b"")])  # row 6
    assert [d["name"] for d in docs["data"]] == ["test.txt", "empty.txt"]
    test_id, empty_id = (d["id"] for d in docs["data"])
    files = sdk.list_files(dataset_id)  # row 8 (`descend=True`: newest first)
    assert (files["message"], files["data"]["total"]) == (0, 2)
    assert [d["name"] for d in files["data"]["docs"]] == ["empty.txt", "test.txt"]
    renamed = sdk.update_file(dataset_id, test_id, name="new_name.txt")  # row 9
    assert (renamed["message"], renamed["data"]["name"]) == ("Success", "new_name.txt")
    download = sdk.download_file(dataset_id, test_id)  # row 10
    assert (download.content, download.headers["content-type"]) == (b"test\ntest\ntest", "application/octet-stream")
    assert sdk.start_parsing_document(dataset_id, test_id) == {"code": 0, "message": ""}  # row 11
    assert sdk.start_parsing_documents(dataset_id) == {  # row 12
        "code": 0,
        "data": True,
        "message": "Empty data in the document: empty.txt; ",
    }
    assert sdk.show_parsing_status(dataset_id, test_id) == {  # row 13 (the real route)
        "code": 0,
        "data": {"progress": 0.0, "status": "RUNNING"},
        "message": "success",
    }
    seed_path = sdk.http.get(f"/api/v1/dataset/{dataset_id}/documents/status", params={"document_id": test_id})
    assert seed_path.json()["data"]["status"] == "RUNNING"  # row 13 at the seed's path
    assert sdk.delete_files(empty_id, dataset_id) == {"code": 0, "data": True, "message": "success"}  # row 7
    assert sdk.delete_dataset(dataset_id)["message"] == f"Remove dataset: {dataset_id} successfully"  # row 3
    assert sdk.list_dataset()["data"] == []
