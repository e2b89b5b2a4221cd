"""One state, several profiles: made through 2024-10-draft, read and changed through 2024-05-legacy, deleted in current."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from tests.conftest import API_KEY
from tests.families.legacy_2024_05.worldkit import PREFIX, TEXT

DRAFT = "/_p/2024-10-draft/api/v1"


def test_create_in_the_draft_change_in_v07_delete_in_current() -> None:
    app = create_app(Settings.for_tests(api_keys=(API_KEY,), legacy_profile="2024-05-legacy"))
    api = {"Authorization": f"Bearer {API_KEY}"}
    with TestClient(app) as web:
        # 2024-10-draft: a dataset and a chat over it
        made = web.post(f"{DRAFT}/dataset", headers=api, json={"name": "shared"}).json()
        assert made["code"] == 0, made
        dataset_id = made["data"]["id"]
        chat = web.post(f"{DRAFT}/chat", headers=api, json={"name": "c", "knowledgebases": [{"id": dataset_id}]})
        assert chat.json()["code"] == 0, chat.json()

        # 2024-05-legacy (selected at /v1/api): the same dataset by name; upload and list there
        uploaded = web.post(
            "/v1/api/document/upload", headers=api, data={"kb_name": "shared"}, files={"file": ("a.txt", TEXT)}
        ).json()
        assert uploaded["retcode"] == 0 and uploaded["data"]["kb_id"] == dataset_id
        doc_id = uploaded["data"]["id"]
        listed = web.post("/v1/api/list_kb_docs", headers=api, data={"kb_name": "shared"}).json()
        assert listed["data"] == {"docs": [{"doc_id": doc_id, "doc_name": "a.txt"}], "total": 1}
        assert web.post(f"{PREFIX}/v1/api/list_kb_docs", headers=api, data={"kb_name": "shared"}).json() == listed

        # back in the draft: the document uploaded through v0.7 is there, with the draft's names
        info = web.get(f"{DRAFT}/dataset/{dataset_id}/info", headers=api).json()
        assert info["code"] == 0 and info["data"]["docs"][0]["knowledgebase_id"] == dataset_id

        # current: the dataset with its document count, then deleted
        current = web.get("/api/v1/datasets", headers=api, params={"id": dataset_id}).json()["data"][0]
        assert current["name"] == "shared" and current["document_count"] == 1
        assert web.request("DELETE", "/api/v1/datasets", headers=api, json={"ids": [dataset_id]}).json() == {"code": 0}

        # gone for every profile
        assert web.post("/v1/api/list_kb_docs", headers=api, data={"kb_name": "shared"}).json() == {
            "retcode": 102,
            "retmsg": "Can't find this knowledgebase!",
        }
        assert web.get(f"/v1/api/document/get/{doc_id}").json() == {"retcode": 102, "retmsg": "Document not found!"}
