"""Documents: upload, update, download, list, delete, start/stop parsing (reference §2)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.families.documents.files import deduplicate
from tests.conftest import API_KEY, OTHER_KEY
from tests.support.knowledge import (
    API,
    TEXT,
    create_dataset,
    dataset_view,
    doc_view,
    list_docs,
    make_pdf,
    parse,
    tenant_of,
    upload,
    upload_ok,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def dataset(client: TestClient) -> dict[str, Any]:
    return create_dataset(client)


def _raw_multipart(client: TestClient, dataset_id: str, disposition: str, content: bytes = b"x") -> Any:
    boundary = "XyZbOuNdArY"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return client.post(f"{API}/datasets/{dataset_id}/documents", content=body, headers=headers).json()


# -- upload -----------------------------------------------------------------------------------------
def test_upload_documents_returns_eleven_keys(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: returns eleven keys."""
    docs = upload_ok(client, dataset["id"], ("a.txt", b"hello"), ("b.md", b"# title"))
    assert [d["name"] for d in docs] == ["a.txt", "b.md"]
    assert sorted(docs[0]) == sorted(
        [
            "chunk_method",
            "created_by",
            "dataset_id",
            "id",
            "location",
            "name",
            "parser_config",
            "run",
            "size",
            "thumbnail",
            "type",
        ]
    )
    assert docs[0]["run"] == "UNSTART"
    assert docs[0]["size"] == 5
    assert docs[0]["type"] == "doc"
    assert docs[0]["thumbnail"] == ""
    assert docs[0]["parser_config"] == dataset["parser_config"]
    assert len(docs[0]["id"]) == 32
    assert dataset_view(client, dataset["id"])["document_count"] == 2


def test_upload_documents_without_file_part(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: without file part."""
    url = f"{API}/datasets/{dataset['id']}/documents"
    assert client.post(url, json={"a": 1}).json() == {"code": 101, "message": "No file part!"}
    assert client.post(url, data={"file": "plain"}).json() == {"code": 101, "message": "No file part!"}
    assert _raw_multipart(client, dataset["id"], 'name="other"; filename="a.txt"') == {
        "code": 101,
        "message": "No file part!",
    }


def test_upload_documents_malformed_multipart_is_no_file_part(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: malformed multipart is no file part."""
    headers = {"Content-Type": "multipart/form-data; boundary=abc"}
    url = f"{API}/datasets/{dataset['id']}/documents"
    body = client.post(url, content=b"--abc\r\ngarbage without end", headers=headers).json()
    assert body == {"code": 101, "message": "No file part!"}


def test_upload_documents_empty_and_long_filenames(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: empty and long filenames."""
    assert _raw_multipart(client, dataset["id"], 'name="file"; filename=""') == {
        "code": 101,
        "message": "No file selected!",
    }
    body = upload(client, dataset["id"], ("ok.txt", b"x"), ("a" * 124 + ".txt", b"x"))
    assert body == {"code": 101, "message": "File name should be less than 128 bytes."}
    assert dataset_view(client, dataset["id"])["document_count"] == 0
    assert upload(client, dataset["id"], ("a" * 123 + ".txt", b"x"))["code"] == 0


def test_upload_documents_unknown_or_foreign_dataset(client: TestClient, other_client: TestClient) -> None:
    """uploadDocuments: unknown or foreign dataset."""
    body = upload(client, "nope", ("a.txt", b"x"))
    assert body == {"code": 100, "data": None, "message": 'LookupError("Can\'t find the dataset with ID nope!")'}
    foreign = create_dataset(other_client, "theirs")
    body = upload(client, foreign["id"], ("a.txt", b"x"))
    assert body["message"] == f'LookupError("Can\'t find the dataset with ID {foreign["id"]}!")'
    assert dataset_view(other_client, foreign["id"])["document_count"] == 0


def test_upload_documents_into_foreign_dataset_without_isolation() -> None:
    """uploadDocuments: into foreign dataset without isolation."""
    app = create_app(Settings.for_tests(api_keys=(API_KEY, OTHER_KEY), strict_tenant_isolation=False))
    with (
        TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as mine,
        TestClient(app, headers={"Authorization": f"Bearer {OTHER_KEY}"}) as theirs,
    ):
        foreign = create_dataset(theirs, "theirs")
        docs = upload_ok(mine, foreign["id"], ("a.txt", b"x"))
        assert docs[0]["created_by"] == tenant_of(mine).tenant_id
        assert dataset_view(theirs, foreign["id"])["document_count"] == 1


def test_upload_documents_partial_failure_keeps_successes(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: partial failure keeps successes."""
    body = upload(client, dataset["id"], ("good.txt", b"x"), ("a.exe", b"x"), ("noext", b"y"))
    assert body == {
        "code": 500,
        "message": "a.exe: This type of file has not been supported yet!\n"
        "noext: This type of file has not been supported yet!",
    }
    assert [d["name"] for d in list_docs(client, dataset["id"])["data"]["docs"]] == ["good.txt"]
    assert dataset_view(client, dataset["id"])["document_count"] == 1


def test_upload_documents_fake_pdf_and_image(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: fake pdf and image."""
    body = upload(client, dataset["id"], ("x.pdf", b"not a pdf"))
    assert body == {"code": 500, "message": "x.pdf: No /Root object! - Is this really a PDF?"}
    body = upload(client, dataset["id"], ("x.png", b"not an image"))
    assert body["code"] == 500
    assert body["message"].startswith("x.png: cannot identify image file <_io.BytesIO object at 0x")
    # the failed PDF's bytes stay in storage, so the next `x.pdf` is stored under `x.pdf_`
    doc = upload_ok(client, dataset["id"], ("x.pdf", make_pdf()))[0]
    assert (doc["name"], doc["location"], doc["type"]) == ("x.pdf", "x.pdf_", "pdf")
    assert doc["thumbnail"] == f"thumbnail_{doc['id']}.png"


def test_upload_documents_types_and_chunk_methods(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: types and chunk methods."""
    docs = upload_ok(
        client,
        dataset["id"],
        ("p.png", PNG),
        ("s.mp3", b"ID3"),
        ("deck.pptx", b"zip?"),
        ("SLIDES.PPTX", b"zip?"),
        ("mail.eml", b"Subject: hi\n\nbody"),
        ("code.py", b"print(1)"),
    )
    got = [(d["type"], d["chunk_method"], d["thumbnail"] != "") for d in docs]
    assert got == [
        ("visual", "picture", True),
        ("aural", "audio", False),
        ("doc", "presentation", False),
        ("doc", "naive", False),
        ("doc", "email", False),
        ("doc", "naive", False),
    ]
    body = upload(client, dataset["id"], ("notes.markdown", b"x"), ("a.yaml", b"x"))
    assert body["message"] == (
        "notes.markdown: This type of file has not been supported yet!\n"
        "a.yaml: This type of file has not been supported yet!"
    )


def test_upload_documents_renames_duplicates(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: renames duplicates."""
    names = [d["name"] for d in upload_ok(client, dataset["id"], ("a.txt", b"1"), ("A.TXT", b"2"), ("a.txt", b"3"))]
    assert names == ["a.txt", "A(1).TXT", "a(2).txt"]
    assert deduplicate("a(3).txt", {"a(3).txt"}.__contains__) == "a(4).txt"
    assert deduplicate("a (1).txt", {"a (1).txt"}.__contains__) == "a (2).txt"
    assert deduplicate("a.b.txt", {"a.b.txt"}.__contains__) == "a.b(1).txt"
    assert deduplicate("README", {"README"}.__contains__) == "README(1)"


def test_upload_documents_file_number_limit(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: file number limit (`Settings.max_file_num_per_user`, the server's MAX_FILE_NUM_PER_USER)."""
    tenant = tenant_of(client)
    tenant.settings = replace(tenant.settings, max_file_num_per_user=1)
    body = upload(client, dataset["id"], ("a.txt", b"1"), ("b.txt", b"2"))
    assert body == {"code": 500, "message": "b.txt: Exceed the maximum file number of a free user!"}
    assert dataset_view(client, dataset["id"])["document_count"] == 1


def test_upload_documents_empty_file_accepted(client: TestClient, dataset: dict[str, Any]) -> None:
    """uploadDocuments: empty file accepted."""
    doc = upload_ok(client, dataset["id"], ("empty.txt", b""))[0]
    assert doc["size"] == 0
    got = client.get(f"{API}/datasets/{dataset['id']}/documents/{doc['id']}").json()
    assert got == {"code": 102, "message": "This file is empty."}


def test_upload_documents_over_the_size_limit() -> None:
    """uploadDocuments: over the size limit."""
    app = create_app(Settings.for_tests(api_keys=(API_KEY,), max_content_length=1000))
    with TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"}) as client:
        dataset = create_dataset(client)
        body = upload(client, dataset["id"], ("big.txt", b"x" * 5000))
        assert body == {"code": 100, "data": None, "message": "<RequestEntityTooLarge '413: Request Entity Too Large'>"}
        assert dataset_view(client, dataset["id"])["document_count"] == 0


# -- update -----------------------------------------------------------------------------------------
def _put(client: TestClient, dataset_id: str, doc_id: str, body: Any) -> Any:
    return client.put(f"{API}/datasets/{dataset_id}/documents/{doc_id}", json=body).json()


@pytest.fixture
def doc(client: TestClient, dataset: dict[str, Any]) -> dict[str, Any]:
    return upload_ok(client, dataset["id"], ("doc.txt", TEXT.encode()))[0]


def test_update_document_ownership_and_body(
    client: TestClient, other_client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """updateDocument: ownership and body."""
    assert _put(other_client, dataset["id"], doc["id"], {"name": "x.txt"}) == {
        "code": 102,
        "message": "You don't own the dataset.",
    }
    assert _put(client, dataset["id"], "nope", {}) == {"code": 102, "message": "The dataset doesn't own the document."}
    url = f"{API}/datasets/{dataset['id']}/documents/{doc['id']}"
    assert client.put(url, content=b"").json() == {
        "code": 100,
        "data": None,
        "message": "TypeError(\"argument of type 'NoneType' is not iterable\")",
    }
    assert _put(client, dataset["id"], doc["id"], {}) == {"code": 0}


def test_update_document_read_only_counters(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """updateDocument: read only counters."""
    assert _put(client, dataset["id"], doc["id"], {"chunk_count": 1}) == {
        "code": 102,
        "message": "Can't change `chunk_count`.",
    }
    assert _put(client, dataset["id"], doc["id"], {"token_count": 5})["message"] == "Can't change `token_count`."
    assert _put(client, dataset["id"], doc["id"], {"progress": 0.5})["message"] == "Can't change `progress`."
    assert _put(client, dataset["id"], doc["id"], {"chunk_count": 0, "token_count": 0, "progress": 0}) == {"code": 0}


def test_update_document_meta_fields_and_name(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """updateDocument: meta fields and name."""
    did, xid = dataset["id"], doc["id"]
    assert _put(client, did, xid, {"meta_fields": [1]}) == {"code": 102, "message": "meta_fields must be a dictionary"}
    assert _put(client, did, xid, {"meta_fields": {"author": "ann"}}) == {"code": 0}
    assert doc_view(client, did, xid)["meta_fields"] == {"author": "ann"}
    assert _put(client, did, xid, {"name": "x" * 124 + ".txt"}) == {
        "code": 101,
        "message": "The name should be less than 128 bytes.",
    }
    assert _put(client, did, xid, {"name": "doc.md"}) == {
        "code": 101,
        "message": "The extension of file can't be changed",
    }
    assert _put(client, did, xid, {"name": ""})["message"] == "The extension of file can't be changed"
    assert _put(client, did, xid, {"name": 5}) == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'int' object has no attribute 'encode'\")",
    }
    upload_ok(client, did, ("other.txt", b"x"))
    assert _put(client, did, xid, {"name": "other.txt"}) == {
        "code": 102,
        "message": "Duplicated document name in the same dataset.",
    }
    assert _put(client, did, xid, {"name": "Renamed.TXT"}) == {"code": 0}
    view = doc_view(client, did, xid)
    assert (view["name"], view["location"]) == ("Renamed.TXT", "doc.txt")


def test_update_document_parser_config_merge(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """updateDocument: parser config merge."""
    did, xid = dataset["id"], doc["id"]
    assert _put(client, did, xid, {"parser_config": {"chunk_token_num": 64, "extra": [1]}}) == {"code": 0}
    config = doc_view(client, did, xid)["parser_config"]
    assert config == {
        "chunk_token_num": 64,
        "delimiter": "\\n",
        "extra": [1],
        "html4excel": False,
        "layout_recognize": "DeepDOC",
    }
    assert _put(client, did, xid, {"parser_config": "x"}) == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'str' object has no attribute 'items'\")",
    }
    assert _put(client, did, xid, {"parser_config": {"delimiter": {"a": 1}}}) == {
        "code": 100,
        "data": None,
        "message": "AssertionError()",
    }


def test_update_document_chunk_method(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """updateDocument: chunk method."""
    did, xid = dataset["id"], doc["id"]
    assert _put(client, did, xid, {"chunk_method": "foo"}) == {
        "code": 102,
        "message": "`chunk_method` foo doesn't exist",
    }
    assert _put(client, did, xid, {"chunk_method": "NAIVE"})["message"] == "`chunk_method` NAIVE doesn't exist"
    # same method: OK at once, `enabled` ignored
    assert _put(client, did, xid, {"chunk_method": "naive", "enabled": 0}) == {"code": 0}
    assert doc_view(client, did, xid)["status"] == "1"
    assert parse(client, did, xid) == {"code": 0}
    before = dataset_view(client, did)
    parsed = doc_view(client, did, xid)
    assert parsed["chunk_count"] > 0
    assert _put(client, did, xid, {"chunk_method": "one"}) == {"code": 0}
    view = doc_view(client, did, xid)
    assert (view["chunk_method"], view["run"], view["progress"], view["chunk_count"], view["token_count"]) == (
        "one",
        "UNSTART",
        0.0,
        0,
        0,
    )
    assert "raptor" in view["parser_config"]  # `one` has no default config to merge: nothing removed
    after = dataset_view(client, did)
    assert after["chunk_count"] == before["chunk_count"] - parsed["chunk_count"]
    assert after["token_num"] == before["token_num"] - parsed["token_count"]
    assert tenant_of(client).chunks.count_of(xid) == 0
    picture = upload_ok(client, did, ("p.png", PNG))[0]
    assert _put(client, did, picture["id"], {"chunk_method": "naive"}) == {"code": 102, "message": "Not supported yet!"}


def test_update_document_enabled(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """updateDocument: enabled."""
    did, xid = dataset["id"], doc["id"]
    parse(client, did, xid)
    assert _put(client, did, xid, {"enabled": False}) == {"code": 0, "data": True}
    assert doc_view(client, did, xid)["status"] == "0"
    chunks = client.get(f"{API}/datasets/{did}/documents/{xid}/chunks").json()["data"]["chunks"]
    assert chunks
    assert not any(c["available"] for c in chunks)
    assert _put(client, did, xid, {"enabled": "0"}) == {"code": 0}
    assert _put(client, did, xid, {"enabled": "abc"}) == {
        "code": 100,
        "data": None,
        "message": "ValueError(\"invalid literal for int() with base 10: 'abc'\")",
    }
    assert _put(client, did, xid, {"enabled": 1}) == {"code": 0, "data": True}
    assert doc_view(client, did, xid)["status"] == "1"


# -- download ---------------------------------------------------------------------------------------
def test_download_document(client: TestClient, other_client: TestClient, dataset: dict[str, Any]) -> None:
    """downloadDocument: bytes, headers, ranges and the route's ownership wording."""
    did = dataset["id"]
    doc = upload_ok(client, did, ("my file.txt", b"0123456789"))[0]
    url = f"{API}/datasets/{did}/documents/{doc['id']}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"0123456789"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="my file.txt"'
    assert response.headers["cache-control"] == "no-cache"
    partial = client.get(url, headers={"Range": "bytes=2-4"})
    assert (partial.status_code, partial.content, partial.headers["content-range"]) == (206, b"234", "bytes 2-4/10")
    assert other_client.get(url).json() == {"code": 102, "message": f"You do not own the dataset {did}."}
    assert client.get(f"{API}/datasets/{did}/documents/zzz").json() == {
        "code": 102,
        "message": "The dataset not own the document zzz.",
    }


# -- list -------------------------------------------------------------------------------------------
def test_list_documents(client: TestClient, other_client: TestClient, dataset: dict[str, Any]) -> None:
    """listDocuments: order, paging, filters, keywords and the ownership checks."""
    did = dataset["id"]
    clock: Any = tenant_of(client).clock
    for name in ("b.txt", "a.txt", "c_1.txt", "D%2.txt"):
        upload_ok(client, did, (name, b"x"))
        clock.advance(1)
    body = list_docs(client, did)
    assert body["data"]["total"] == 4
    assert [d["name"] for d in body["data"]["docs"]] == ["D%2.txt", "c_1.txt", "a.txt", "b.txt"]
    first = body["data"]["docs"][0]
    assert len(first) == 24
    assert (first["run"], first["status"], first["progress"], first["process_duation"]) == ("UNSTART", "1", 0.0, 0.0)
    asc = list_docs(client, did, orderby="name", desc="False")["data"]["docs"]
    assert [d["name"] for d in asc] == ["a.txt", "b.txt", "c_1.txt", "D%2.txt"]
    lower = list_docs(client, did, orderby="name", desc="false")["data"]["docs"]
    assert [d["name"] for d in lower] == ["D%2.txt", "c_1.txt", "b.txt", "a.txt"]
    assert list_docs(client, did, keywords="C_")["data"]["total"] == 1
    assert list_docs(client, did, keywords="%")["data"]["total"] == 1
    page = list_docs(client, did, page=2, page_size=3)["data"]
    assert (page["total"], len(page["docs"])) == (4, 1)
    assert list_docs(client, did, name="A.TXT")["data"]["total"] == 1
    assert list_docs(client, did, id="nope") == {"code": 102, "message": "You don't own the document nope."}
    assert list_docs(client, did, name="zz.txt") == {"code": 102, "message": "You don't own the document zz.txt."}
    assert list_docs(client, did, orderby="foo") == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"type object 'Document' has no attribute 'foo'\")",
    }
    assert list_docs(client, did, page="x")["message"] == "ValueError(\"invalid literal for int() with base 10: 'x'\")"
    assert list_docs(client, did, page=-1)["message"] == "1064"
    assert list_docs(other_client, did) == {"code": 102, "message": f"You don't own the dataset {did}. "}


# -- delete -----------------------------------------------------------------------------------------
def _delete(client: TestClient, dataset_id: str, body: Any) -> Any:
    return client.request("DELETE", f"{API}/datasets/{dataset_id}/documents", json=body).json()


def test_delete_documents(client: TestClient, other_client: TestClient, dataset: dict[str, Any]) -> None:
    """deleteDocuments: ownership, misses raised together, duplicates, everything when no ids."""
    did = dataset["id"]
    a, b, c = upload_ok(client, did, ("a.txt", b"1"), ("b.txt", b"2"), ("c.txt", b"3"))
    assert _delete(other_client, did, {"ids": [a["id"]]}) == {
        "code": 102,
        "message": f"You don't own the dataset {did}. ",
    }
    assert _delete(client, did, {"ids": [a["id"], "x1"]}) == {"code": 102, "message": "Documents not found: ['x1']"}
    assert list_docs(client, did)["data"]["total"] == 2
    assert _delete(client, did, {"ids": [b["id"], b["id"]]}) == {
        "code": 0,
        "data": {"errors": [f"Duplicate document ids: {b['id']}"], "success_count": 1},
    }
    assert dataset_view(client, did)["document_count"] == 1
    assert _delete(client, did, None) == {"code": 0}
    assert list_docs(client, did)["data"]["total"] == 0
    assert dataset_view(client, did)["document_count"] == 0
    assert c["id"] not in tenant_of(client).documents.items


def test_delete_documents_outside_the_dataset(client: TestClient, other_client: TestClient) -> None:
    """deleteDocuments: outside the dataset."""
    first, second = create_dataset(client, "one"), create_dataset(client, "two")
    doc = upload_ok(client, second["id"], ("a.txt", b"1"))[0]
    assert _delete(client, first["id"], {"ids": [doc["id"]]}) == {"code": 0}
    assert dataset_view(client, second["id"])["document_count"] == 0
    foreign_ds = create_dataset(other_client, "theirs")
    foreign = upload_ok(other_client, foreign_ds["id"], ("a.txt", b"1"))[0]
    assert _delete(client, first["id"], {"ids": [foreign["id"]]}) == {
        "code": 102,
        "message": f"Documents not found: ['{foreign['id']}']",
    }


def test_delete_documents_reduces_counters(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """deleteDocuments: reduces counters."""
    did = dataset["id"]
    parse(client, did, doc["id"])
    assert dataset_view(client, did)["chunk_count"] > 0
    assert _delete(client, did, {"ids": [doc["id"]]}) == {"code": 0}
    view = dataset_view(client, did)
    assert (view["document_count"], view["chunk_count"], view["token_num"]) == (0, 0, 0)
    assert len(tenant_of(client).index) == 0


# -- parse / stop -----------------------------------------------------------------------------------
def _stop(client: TestClient, dataset_id: str, body: Any) -> Any:
    return client.request("DELETE", f"{API}/datasets/{dataset_id}/chunks", json=body).json()


def test_parse_documents_errors(client: TestClient, other_client: TestClient, dataset: dict[str, Any]) -> None:
    """parseDocuments: errors."""
    did = dataset["id"]
    url = f"{API}/datasets/{did}/chunks"
    assert other_client.post(url, json={"document_ids": ["x"]}).json() == {
        "code": 102,
        "message": f"You don't own the dataset {did}.",
    }
    assert client.post(url, content=b"").json() == {
        "code": 100,
        "data": None,
        "message": "AttributeError(\"'NoneType' object has no attribute 'get'\")",
    }
    assert client.post(url, json={}).json() == {"code": 102, "message": "`document_ids` is required"}
    assert client.post(url, json={"document_ids": 5}).json()["message"] == "TypeError(\"'int' object is not iterable\")"
    assert parse(client, did, "x1", "x2") == {"code": 102, "message": "Documents not found: ['x1', 'x2']"}


def test_parse_documents_lifecycle_by_polls(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """parseDocuments, listDocuments: lifecycle by polls."""
    did, xid = dataset["id"], doc["id"]
    tenant_of(client).documents.set_progression(xid, "polls:2")
    assert parse(client, did, xid, xid) == {
        "code": 0,
        "data": {"errors": [f"Duplicate document ids: {xid}"], "success_count": 1},
    }
    first = doc_view(client, did, xid)
    assert first["run"] == "RUNNING"
    assert 0 < first["progress"] < 1
    assert first["process_begin_at"] == dataset["create_date"]
    assert parse(client, did, xid) == {"code": 102, "message": "Can't parse document that is currently being processed"}
    second = doc_view(client, did, xid)
    assert second["progress"] > first["progress"]
    done = doc_view(client, did, xid)
    assert (done["run"], done["progress"]) == ("DONE", 1.0)
    assert done["chunk_count"] > 0
    assert "Task done" in done["progress_msg"]
    assert dataset_view(client, did)["chunk_count"] == done["chunk_count"]


def test_parse_documents_by_seconds_and_reparse(
    client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """parseDocuments: by seconds and reparse."""
    did, xid = dataset["id"], doc["id"]
    tenant = tenant_of(client)
    tenant.documents.set_progression(xid, "seconds:10")
    parse(client, did, xid)
    queued = doc_view(client, did, xid)
    assert (queued["run"], queued["progress_msg"]) == ("RUNNING", "Task is queued...")
    clock: Any = tenant.clock
    clock.advance(5)
    assert doc_view(client, did, xid)["progress"] == 0.5
    clock.advance(5)
    done = doc_view(client, did, xid)
    assert (done["run"], done["process_duation"]) == ("DONE", 10.0)
    chunks = done["chunk_count"]
    tenant.documents.set_progression(xid, "immediate")
    assert parse(client, did, xid) == {"code": 0}
    # the dataset counters are not reduced by a re-parse: they double-count (server behaviour)
    assert doc_view(client, did, xid)["chunk_count"] == chunks
    assert dataset_view(client, did)["chunk_count"] == 2 * chunks
    assert tenant.chunks.count_of(xid) == chunks


def test_parse_documents_failure(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """parseDocuments: failure."""
    did, xid = dataset["id"], doc["id"]
    tenant_of(client).documents.set_progression(xid, "fail:40:boom")
    parse(client, did, xid)
    failed = doc_view(client, did, xid)
    assert (failed["run"], failed["progress"], failed["chunk_count"]) == ("FAIL", -1.0, 0)
    assert failed["progress_msg"].endswith("[ERROR]boom")
    assert _stop(client, did, {"document_ids": [xid]}) == {"code": 0}
    assert doc_view(client, did, xid)["run"] == "CANCEL"


def test_stop_parsing_documents(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """stopParsingDocuments: refused at progress 0 or 1, unknown ids, cancelling a running parse."""
    did, xid = dataset["id"], doc["id"]
    assert _stop(client, did, {"document_ids": [xid]}) == {
        "code": 102,
        "message": "Can't stop parsing document with progress at 0 or 1",
    }
    assert _stop(client, did, {"document_ids": ["nope"]}) == {
        "code": 102,
        "message": "You don't own the document nope.",
    }
    assert _stop(client, did, {}) == {"code": 102, "message": "`document_ids` is required"}
    tenant_of(client).documents.set_progression(xid, "polls:5")
    parse(client, did, xid)
    doc_view(client, did, xid)
    assert _stop(client, did, {"document_ids": [xid, xid]}) == {
        "code": 0,
        "data": {"errors": [f"Duplicate document ids: {xid}"], "success_count": 1},
    }
    view = doc_view(client, did, xid)
    assert (view["run"], view["progress"], view["chunk_count"]) == ("CANCEL", 0.0, 0)
    assert doc_view(client, did, xid)["run"] == "CANCEL"
    parse(client, did, xid)
    assert _stop(client, did, {"document_ids": [xid]}) == {"code": 0}


def test_parse_documents_stopped_after_completion_is_refused(
    client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """parseDocuments, stopParsingDocuments: stopped after completion is refused."""
    parse(client, dataset["id"], doc["id"])
    assert _stop(client, dataset["id"], {"document_ids": [doc["id"]]})["message"] == (
        "Can't stop parsing document with progress at 0 or 1"
    )


def test_dataset_delete_cascades(client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]) -> None:
    """deleteDatasets: a dataset's documents, chunks, index entries and bytes go with it."""
    parse(client, dataset["id"], doc["id"])
    tenant = tenant_of(client)
    assert tenant.chunks.count_of(doc["id"]) > 0
    assert client.request("DELETE", f"{API}/datasets", json={"ids": [dataset["id"]]}).json() == {"code": 0}
    assert not tenant.documents.items
    assert not tenant.chunks.items
    assert len(tenant.index) == 0
    assert not tenant.documents.blobs


def test_finished_timed_parse_is_visible_to_retrieval_without_polling(
    client: TestClient, dataset: dict[str, Any], doc: dict[str, Any]
) -> None:
    """parseDocuments, retrieveChunks: finished timed parse is visible to retrieval without polling."""
    did, xid = dataset["id"], doc["id"]
    tenant = tenant_of(client)
    tenant.documents.set_progression(xid, "seconds:4")
    parse(client, did, xid)
    clock: Any = tenant.clock
    clock.advance(5)
    # No document list in between: the next authenticated call settles time-driven state first.
    found = client.post("/api/v1/retrieval", json={"question": "anything", "dataset_ids": [did]}).json()
    assert found["code"] == 0
    assert tenant.documents.items[xid].run == "3"
