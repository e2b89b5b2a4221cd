"""One state, three views: a dataset made through 2024-06 is read and changed through the draft (prefix-mounted)
and the current API, with the field renames of behavior-profiles.md §3; deleted through the current API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from tests.conftest import API_KEY

V10 = "/api/v1/dataset"
DRAFT = "/_p/2024-10-draft/api/v1"
CURRENT = "/api/v1"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """2024-06-dataset selected at its paths, the draft under its prefix, the current API as always."""
    app = create_app(replace(settings, profile="2024-06-dataset"))
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as c:
        yield c


def test_create_in_2024_06_change_in_the_draft_read_everywhere_delete_in_current(client: TestClient) -> None:
    dataset_id = client.post(V10, json={"name": "kb"}).json()["data"]["dataset_id"]
    drafted = client.get(f"{DRAFT}/dataset", params={"id": dataset_id}).json()["data"][0]
    assert (drafted["name"], drafted["parse_method"], drafted["document_count"]) == ("kb", "naive", 0)
    assert client.put(f"{DRAFT}/dataset/{dataset_id}", json={"name": "renamed", "parse_method": "book"}).json() == {
        "code": 0
    }
    details = client.get(f"{V10}/{dataset_id}").json()["data"]
    assert (details["name"], details["parser_id"]) == ("renamed", "book")
    current = client.get(f"{CURRENT}/datasets", params={"id": dataset_id}).json()["data"][0]
    assert (current["name"], current["chunk_method"], current["document_count"]) == ("renamed", "book", 0)

    doc_id = client.post(
        f"{CURRENT}/datasets/{dataset_id}/documents", files=[("file", ("a.txt", b"RAGFlow text"))]
    ).json()["data"][0]["id"]
    v10_doc = client.get(f"{V10}/{dataset_id}/documents").json()["data"]["docs"][0]
    assert (v10_doc["kb_id"], v10_doc["parser_id"], v10_doc["run"], v10_doc["thumbnail"]) == (
        dataset_id,
        "book",
        "0",
        None,
    )
    draft_doc = client.get(f"{DRAFT}/dataset/{dataset_id}/info").json()["data"]["docs"][0]
    assert (draft_doc["knowledgebase_id"], draft_doc["parser_method"], draft_doc["token_count"]) == (
        dataset_id,
        "book",
        0,
    )

    assert client.post(f"{DRAFT}/dataset/{dataset_id}/chunk", json={"document_ids": [doc_id]}).json() == {"code": 0}
    parsed = client.get(f"{CURRENT}/datasets/{dataset_id}/documents", params={"id": doc_id}).json()["data"]["docs"][0]
    assert (parsed["run"], parsed["chunk_count"] > 0) == ("DONE", True)
    status = client.get(f"{V10}/{dataset_id}/documents/{doc_id}/status").json()["data"]
    assert status == {"progress": 1.0, "status": "RUNNING"}  # 2024-06 reads the enable flag
    assert client.delete(f"{V10}/{dataset_id}/documents/{doc_id}/status").json() == {"code": 0, "message": ""}
    stopped = client.get(f"{CURRENT}/datasets/{dataset_id}/documents", params={"id": doc_id}).json()["data"]["docs"][0]
    assert stopped["status"] == "2"  # what 2024-06's stop wrote into the shared enable flag

    chat = client.post(f"{DRAFT}/chat", json={"knowledgebases": [{"id": dataset_id}], "name": "c"}).json()["data"]
    current_chat = client.get(f"{CURRENT}/chats", params={"id": chat["id"]}).json()["data"][0]
    assert [d["id"] for d in current_chat["datasets"]] == [dataset_id]

    assert client.request("DELETE", f"{CURRENT}/datasets", json={"ids": [dataset_id]}).json() == {"code": 0}
    assert client.get(f"{V10}/{dataset_id}").json() == {"code": 102, "message": "Can't find this dataset!"}
    assert client.get(f"{DRAFT}/dataset", params={"id": dataset_id}).json() == {
        "code": 102,
        "message": "The dataset doesn't exist",
    }


def test_a_draft_dataset_is_a_2024_06_and_a_current_dataset(client: TestClient) -> None:
    made = client.post(f"{DRAFT}/dataset", json={"name": "d", "description": "from the draft"}).json()["data"]
    assert client.get(f"{V10}/{made['id']}").json()["data"]["description"] == "from the draft"
    assert client.post(V10, json={"name": "d"}).json()["data"]["dataset_name"] == "d(1)"  # 2024-06 renames
    names = {d["name"] for d in client.get(f"{CURRENT}/datasets").json()["data"]}
    assert names == {"d", "d(1)"}


def test_unknown_paths_answer_in_the_owning_profiles_envelope(client: TestClient) -> None:
    old_404 = b'{"data":null,"retcode":100,"retmsg":"<NotFound \'404: Not Found\'>"}\n'
    old_405 = b'{"data":null,"retcode":100,"retmsg":"<MethodNotAllowed \'405: Method Not Allowed\'>"}\n'
    assert client.delete(V10).content == old_404  # Werkzeug: the rule ends with `/`, so no 405 without it
    assert client.delete(f"{V10}/").content == old_405
    assert client.get(f"{V10}/x/nope/y/z").content == old_404
    assert client.put(f"{DRAFT}/dataset").content == old_405
    assert client.get(f"{CURRENT}/nope").json() == {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}
    current_404 = {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}
    assert client.get("/api/v1/chat").json() == current_404  # the draft is not selected: only under its prefix
