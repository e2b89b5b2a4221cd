"""Tests of document_handlers: /v1/document/* (code, message, shape)."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.families.webui.webkit import KB_OWNER_ONLY, NO_AUTHORIZATION, TEXT, create_kb, parsed_document, upload

SUCCESS = {"code": 0, "data": True, "message": "success"}


def test_upload_checks_the_form_then_stores_rows(web: TestClient, ui: dict[str, str]) -> None:
    """uploadWebDocuments: MISSING(kb_id), `Lack of "KB ID"`, no file part, unknown KB; rows with internal names."""
    kb_id = create_kb(web, ui)
    file = {"file": ("a.txt", b"hello", "text/plain")}
    assert web.post("/v1/document/upload", headers=ui, files=file).json() == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: kb_id; ",
    }
    lack = web.post("/v1/document/upload", headers=ui, data={"kb_id": ""}, files=file).json()
    assert lack == {"code": 101, "data": False, "message": 'Lack of "KB ID"'}
    no_part = web.post("/v1/document/upload", headers=ui, data={"kb_id": kb_id, "x": "1"}).json()
    assert no_part == {"code": 101, "data": False, "message": "No file part!"}
    unknown = web.post("/v1/document/upload", headers=ui, data={"kb_id": "nope"}, files=file).json()
    assert unknown == {"code": 100, "data": None, "message": 'LookupError("Can\'t find this knowledgebase!")'}
    row = upload(web, ui, kb_id, "a.txt", "hello")
    assert (row["kb_id"], row["name"], row["run"], row["progress"], row["chunk_num"], row["suffix"]) == (
        kb_id,
        "a.txt",
        "0",
        0.0,
        0,
        "txt",
    )
    assert row["parser_id"] == "naive" and row["type"] == "doc" and row["size"] == 5
    bad = web.post(
        "/v1/document/upload", headers=ui, data={"kb_id": kb_id}, files={"file": ("x.exe", b"MZ", "text/plain")}
    ).json()
    assert (bad["code"], bad["data"]) == (500, [])
    assert bad["message"].startswith("x.exe: ")


def test_list_polls_parsing_to_done_and_filters(web: TestClient, ui: dict[str, str]) -> None:
    """listWebDocuments + runWebDocuments: the UI's poll sees RUNNING then DONE with chunks; filters and checks."""
    kb_id = create_kb(web, ui)
    row = parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    assert (row["progress"], row["chunk_num"] > 0, row["status"]) == (1.0, True, "1")
    assert web.post("/v1/document/list", headers=ui, json={}).json() == {
        "code": 101,
        "data": False,
        "message": 'Lack of "KB ID"',
    }
    assert web.post("/v1/document/list?kb_id=nope", headers=ui, json={}).json() == KB_OWNER_ONLY
    listed = web.post(f"/v1/document/list?kb_id={kb_id}&keywords=RIV", headers=ui, json={"run_status": ["3"]})
    assert listed.json()["data"]["total"] == 1
    none = web.post(f"/v1/document/list?kb_id={kb_id}", headers=ui, json={"run_status": ["1"]}).json()["data"]
    assert none == {"docs": [], "total": 0}
    bad = web.post(f"/v1/document/list?kb_id={kb_id}", headers=ui, json={"run_status": ["9"]}).json()
    assert bad == {"code": 102, "data": False, "message": "Invalid filter run status conditions: 9"}
    types = web.post(f"/v1/document/list?kb_id={kb_id}", headers=ui, json={"types": ["x", "y"]}).json()
    assert types["message"] in ("Invalid filter conditions: x, y types", "Invalid filter conditions: y, x types")
    kb = web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=ui).json()["data"]
    assert (kb["doc_num"], kb["chunk_num"]) == (1, row["chunk_num"])


def test_run_cancel_and_refusals(web: TestClient, ui: dict[str, str]) -> None:
    """runWebDocuments: MISSING, No authorization., cancel sets run "2"; a rerun replaces the chunks."""
    kb_id = create_kb(web, ui)
    row = parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    assert web.post("/v1/document/run", headers=ui, json={"doc_ids": []}).json()["message"] == (
        "required argument are missing: run; "
    )
    assert web.post("/v1/document/run", headers=ui, json={"doc_ids": ["nope"], "run": "1"}).json() == NO_AUTHORIZATION
    assert web.post("/v1/document/run", headers=ui, json={"doc_ids": [row["id"]], "run": "2"}).json() == SUCCESS
    docs = web.post(f"/v1/document/list?kb_id={kb_id}", headers=ui, json={}).json()["data"]["docs"]
    assert (docs[0]["run"], docs[0]["progress"]) == ("2", 0.0)
    again = parsed_document(web, ui, kb_id, "second.txt", TEXT)
    kb = web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=ui).json()["data"]
    assert kb["chunk_num"] == row["chunk_num"] + again["chunk_num"]


def test_rename_status_parser_infos_thumbnails_rm(web: TestClient, ui: dict[str, str]) -> None:
    """renameWebDocument, changeWebDocumentStatus, changeWebDocumentParser, getWebDocumentInfos,
    getDocumentThumbnails, removeWebDocuments: each rule and its reply."""
    kb_id = create_kb(web, ui)
    row = parsed_document(web, ui, kb_id, "rivers.txt", TEXT)
    upload(web, ui, kb_id, "b.txt", "other")
    doc_id = row["id"]
    post = lambda path, body: web.post(path, headers=ui, json=body).json()  # noqa: E731
    assert post("/v1/document/rename", {"doc_id": doc_id, "name": "r.md"}) == {
        "code": 101,
        "data": False,
        "message": "The extension of file can't be changed",
    }
    assert post("/v1/document/rename", {"doc_id": doc_id, "name": "b.txt"}) == {
        "code": 102,
        "data": False,
        "message": "Duplicated document name in the same knowledgebase.",
    }
    assert post("/v1/document/rename", {"doc_id": doc_id, "name": "thames.txt"}) == SUCCESS
    chunks = post("/v1/chunk/list", {"doc_id": doc_id})["data"]["chunks"]
    assert {c["docnm_kwd"] for c in chunks} == {"thames.txt"}
    assert post("/v1/document/change_status", {"doc_id": doc_id, "status": "2"}) == {
        "code": 101,
        "data": False,
        "message": '"Status" must be either 0 or 1!',
    }
    assert post("/v1/document/change_status", {"doc_id": doc_id, "status": "0"}) == SUCCESS
    assert {c["available_int"] for c in post("/v1/chunk/list", {"doc_id": doc_id})["data"]["chunks"]} == {0}
    (info,) = post("/v1/document/infos", {"doc_ids": [doc_id]})["data"]
    assert (info["name"], info["status"]) == ("thames.txt", "0")
    assert post("/v1/document/infos", {"doc_ids": ["nope"]}) == NO_AUTHORIZATION
    assert post("/v1/document/change_parser", {"doc_id": doc_id, "parser_id": "naive"}) == SUCCESS
    assert post("/v1/document/change_parser", {"doc_id": doc_id, "parser_id": "qa"}) == SUCCESS
    (reset,) = post("/v1/document/infos", {"doc_ids": [doc_id]})["data"]
    assert (reset["parser_id"], reset["run"], reset["chunk_num"], reset["progress"]) == ("qa", "0", 0, 0.0)
    thumbs = web.get(f"/v1/document/thumbnails?doc_ids={doc_id}").json()
    assert thumbs == {"code": 0, "data": {doc_id: ""}, "message": "success"}
    assert web.get("/v1/document/thumbnails").json() == {
        "code": 101,
        "data": False,
        "message": 'Lack of "Document ID"',
    }
    assert post("/v1/document/rm", {"doc_id": "nope"}) == NO_AUTHORIZATION
    assert post("/v1/document/rm", {"doc_id": doc_id}) == SUCCESS
    kb = web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=ui).json()["data"]
    assert (kb["doc_num"], kb["chunk_num"]) == (1, 0)
