"""2024-10-draft dataset and document routes (T1–T10, X1): the seed's requests, the exact bytes, the negatives."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.families.draft_2024_10.conftest import DATASET, STAMP, TEXT, UPDATED, create_dataset, tenant_of, upload
from tests.support.profiles import wire


def dataset_view(client: TestClient, dataset_id: str, name: str, **changes: Any) -> dict[str, Any]:
    tenant = tenant_of(client)
    view = {
        "avatar": None,
        "chunk_count": 0,
        **STAMP,
        "created_by": tenant,
        "description": None,
        "document_count": 0,
        "embedding_model": "BAAI/bge-large-zh-v1.5@BAAI",
        "id": dataset_id,
        "language": "English",
        "name": name,
        "parse_method": "naive",
        "parser_config": {"pages": [[1, 1000000]]},
        "permission": "me",
        "similarity_threshold": 0.2,
        "status": "1",
        "tenant_id": tenant,
        "token_num": 0,
        **UPDATED,
        "vector_similarity_weight": 0.3,
    }
    view.update(changes)
    return view


# -- auth (token_required) ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, b'{"data":null,"retcode":100,"retmsg":"AttributeError(\\"\'NoneType\' object has no attribute \'split\'\\")"}\n'),
        ("ragflow-test-key", b'{"data":null,"retcode":100,"retmsg":"IndexError(\'list index out of range\')"}\n'),
        ("Bearer nope", b'{"data":false,"retcode":109,"retmsg":"Token is not valid!"}\n'),
    ],
)  # fmt: skip
def test_key_failures_are_the_old_builders(client: TestClient, header: str | None, expected: bytes) -> None:
    client.headers.pop("authorization")
    assert client.get(DATASET, headers={} if header is None else {"Authorization": header}).content == expected


def test_the_scheme_word_is_not_checked(client: TestClient) -> None:
    create_dataset(client)
    assert client.get(DATASET, headers={"Authorization": "Bear ragflow-test-key"}).json()["code"] == 0


def test_unknown_paths_and_methods_answer_in_the_old_envelope(client: TestClient) -> None:
    assert client.put(DATASET).content == (
        b'{"data":null,"retcode":100,"retmsg":"<MethodNotAllowed \'405: Method Not Allowed\'>"}\n'
    )
    assert client.get(f"{DATASET}/x/nope").content == (
        b'{"data":null,"retcode":100,"retmsg":"<NotFound \'404: Not Found\'>"}\n'
    )


# -- T1 create ---------------------------------------------------------------------------------------------
def test_create_with_the_seeds_example(client: TestClient) -> None:
    got = client.post(DATASET, json={"name": "test", "chunk_count": 0, "document_count": 0, "parse_method": "naive"})
    dataset_id = got.json()["data"]["id"]
    assert got.content == wire({"code": 0, "data": dataset_view(client, dataset_id, "test")})


def test_create_stores_column_keys_verbatim_and_replaces_a_body_id(client: TestClient) -> None:
    got = client.post(DATASET, json={"name": " kb ", "id": "mine", "description": "d", "parse_method": "nope", "x": 1})
    data = got.json()["data"]
    assert (data["name"], data["description"], data["parse_method"]) == ("kb", "d", "nope")
    assert data["id"] != "mine" and "x" not in data


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "a", "embedding_model": "m"}, "Tenant_id or embedding_model must not be provided"),
        ({"name": "a", "tenant_id": ""}, "Tenant_id or embedding_model must not be provided"),
        ({"name": "a", "chunk_count": 1}, "chunk_count or document_count must be 0 or not be provided"),
        ({}, "Name is not empty!"),
        ({"name": "  "}, "Name is not empty string!"),
        ({"name": "TEST"}, "Duplicated knowledgebase name in creating dataset."),
    ],
)
def test_create_rejections(client: TestClient, body: dict[str, Any], message: str) -> None:
    create_dataset(client)
    assert client.post(DATASET, json=body).content == wire({"code": 102, "message": message})


def test_create_without_a_body_crashes(client: TestClient) -> None:
    assert client.post(DATASET).content == (
        b'{"data":null,"retcode":100,"retmsg":"TypeError(\\"argument of type \'NoneType\' is not iterable\\")"}\n'
    )


# -- T2 delete ---------------------------------------------------------------------------------------------
def test_delete_with_the_seeds_example_ids(client: TestClient) -> None:
    create_dataset(client)
    assert client.request("DELETE", DATASET, json={"ids": ["test_1", "test_2"]}).content == (
        b'{"code":102,"message":"You don\'t own the dataset test_1"}\n'
    )
    assert client.request("DELETE", DATASET, json={"ids": ["ragged"]}).json()["message"] == (
        "You don't own the dataset seceumged"  # the server's `rag` rewrite of echoed input
    )
    assert client.request("DELETE", DATASET, json={}).content == b'{"code":102,"message":"ids are required"}\n'


def test_delete_removes_every_listed_dataset(client: TestClient) -> None:
    """DOC≠CODE: 6329427ad5 deleted only the last id; the draft documents deleting all of them."""
    ids = [create_dataset(client, n) for n in ("a", "b", "c")]
    assert client.request("DELETE", DATASET, json={"ids": ids[:2]}).content == b'{"code":0}\n'
    assert [d["name"] for d in client.get(DATASET).json()["data"]] == ["c"]


# -- T3 update ---------------------------------------------------------------------------------------------
def test_update_with_the_seeds_example_body(client: TestClient) -> None:
    dataset_id = create_dataset(client, "old")
    body = {"name": "test", "tenant_id": tenant_of(client), "embedding_model": "BAAI/bge-zh-v1.5",
            "chunk_count": 0, "document_count": 0, "parse_method": "naive"}  # fmt: skip
    assert client.put(f"{DATASET}/{dataset_id}", json=body).content == b'{"code":0}\n'
    listed = client.get(DATASET).json()["data"][0]
    assert (listed["name"], listed["embedding_model"]) == ("test", "BAAI/bge-zh-v1.5")
    body["tenant_id"] = "4fb0cd625f9311efba4a0242ac120006"  # the seed's own value: another tenant
    assert (
        client.put(f"{DATASET}/{dataset_id}", json=body).content
        == b'{"code":102,"message":"Can\'t change tenant_id."}\n'
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"id": "x"}, b'{"code":102,"message":"The input parameters are invalid."}\n'),
        ({"chunk_count": 3}, b'{"code":102,"message":"Can\'t change chunk_count."}\n'),
        ({"document_count": 3}, b'{"code":102,"message":"Can\'t change document_count."}\n'),
        ({"name": "Other"}, b'{"code":102,"message":"Duplicated knowledgebase name in updating dataset."}\n'),
        ({"nope": 1}, None),
    ],
)
def test_update_rejections(client: TestClient, body: dict[str, Any], expected: bytes | None) -> None:
    dataset_id = create_dataset(client)
    create_dataset(client, "other")
    got = client.put(f"{DATASET}/{dataset_id}", json=body)
    if expected is None:
        assert got.json()["retcode"] == 100 and got.json()["retmsg"].startswith("ValueError('Unrecognized field name:")
    else:
        assert got.content == expected
    assert client.put(f"{DATASET}/nope", json={}).content == b'{"code":102,"message":"You don\'t own the dataset"}\n'


# -- T4 list -----------------------------------------------------------------------------------------------
def test_list_pre_check_and_filters(client: TestClient) -> None:
    assert client.get(DATASET).content == b'{"code":102,"message":"The dataset doesn\'t exist"}\n'
    first = create_dataset(client, "a")
    second = create_dataset(client, "b")
    got = client.get(DATASET, params={"page": 1, "page_size": 1024, "orderby": "create_time", "desc": "True"})
    assert got.content == wire(
        {"code": 0, "data": [dataset_view(client, second, "b"), dataset_view(client, first, "a")]}
    )
    assert [d["name"] for d in client.get(DATASET, params={"desc": "false"}).json()["data"]] == ["a", "b"]
    assert [d["id"] for d in client.get(DATASET, params={"name": "A"}).json()["data"]] == [first]
    assert (
        client.get(DATASET, params={"id": "nope"}).content == b'{"code":102,"message":"The dataset doesn\'t exist"}\n'
    )
    assert client.get(DATASET, params={"page": "x"}).json()["retcode"] == 100


# -- T5 upload, T6 download, T7 list, T8 update, X1 delete ---------------------------------------------------
def test_upload_answers_no_data(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    url = f"{DATASET}/{dataset_id}/document"
    assert client.post(url, files=[("file", ("test.txt", b"x"))]).content == b'{"code":0}\n'
    assert client.post(url).content == b'{"code":101,"message":"No file part!"}\n'
    raw = b'--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\nx\r\n--b--\r\n'
    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    assert client.post(url, content=raw, headers=headers).content == b'{"code":101,"message":"No file selected!"}\n'
    assert client.post(f"{DATASET}/nope/document", files=[("file", ("a.txt", b"x"))]).content == (
        b'{"data":null,"retcode":100,"retmsg":"LookupError(\\"Can\'t find the knowledgebase with ID nope!\\")"}\n'
    )
    assert client.post(url, files=[("file", ("a.exe", b"x"))]).content == (
        b'{"code":500,"message":"a.exe: This type of file has not been supported yet!"}\n'
    )


def test_download(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    doc, empty = upload(client, dataset_id, ("test.txt", b"abc"), ("empty.txt", b""))
    got = client.get(f"{DATASET}/{dataset_id}/document/{doc['id']}")
    assert (got.content, got.headers["content-disposition"]) == (b"abc", "attachment; filename=test.txt")
    assert client.get(f"{DATASET}/{dataset_id}/document/{empty['id']}").content == (
        b'{"code":102,"message":"This file is empty."}\n'
    )
    assert (
        client.get(f"{DATASET}/nope/document/x").content
        == b'{"code":102,"message":"You do not own the dataset nope."}\n'
    )
    assert client.get(f"{DATASET}/{dataset_id}/document/x").content == (
        b'{"code":102,"message":"The dataset not own the document x."}\n'
    )


def test_list_documents_with_the_seeds_example_query(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    url = f"{DATASET}/{dataset_id}/info"
    assert client.get(url).content == b'{"code":102,"message":"You don\'t own the document None."}\n'
    upload(client, dataset_id, ("Test Document111.txt", TEXT), ("ragflow.txt", TEXT))
    got = client.get(
        url, params={"keywords": "rag", "page": 0, "page_size": 10, "orderby": "create_time", "desc": "yes"}
    )
    doc = got.json()["data"]["docs"][0]
    expected = {
        "chunk_count": 0, **STAMP, "created_by": tenant_of(client), "id": doc["id"], "knowledgebase_id": dataset_id,
        "location": "ragflow.txt", "name": "ragflow.txt", "parser_config": {"pages": [[1, 1000000]]},
        "parser_method": "naive", "process_begin_at": None, "process_duation": 0.0, "progress": 0.0, "progress_msg": "",
        "run": "0", "size": len(TEXT), "source_type": "local", "status": "1", "thumbnail": "", "token_count": 0,
        "type": "doc", **UPDATED,
    }  # fmt: skip
    assert got.content == wire({"code": 0, "data": {"docs": [expected], "total": 1}})
    assert client.get(f"{DATASET}/nope/info").content == b'{"code":102,"message":"You don\'t own the dataset nope. "}\n'
    names = [
        d["name"] for d in client.get(url, params={"offset": 2, "limit": 1, "desc": "False"}).json()["data"]["docs"]
    ]
    assert names == ["ragflow.txt"]


def test_update_document_with_the_seeds_example(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    doc = upload(client, dataset_id, ("manual.txt", TEXT))[0]
    body = {"document_id": doc["id"], "document_name": "manual.txt", "thumbnail": None, "knowledgebase_id": dataset_id,
            "parser_method": "manual", "parser_config": {"chunk_token_count": 128, "delimiter": "\n!?。；！？",
            "layout_recognize": True, "task_page_size": 12}, "source_type": "local", "type": "doc",
            "created_by": "134408906b6811efbcd20242ac120005", "size": 0, "token_count": 0, "chunk_count": 0,
            "progress": 0.0, "progress_msg": "", "process_begin_at": None, "process_duration": 0.0}  # fmt: skip
    assert client.put(f"{DATASET}/{dataset_id}/info/{doc['id']}", json=body).content == b'{"code":0}\n'
    updated = client.get(f"{DATASET}/{dataset_id}/info").json()["data"]["docs"][0]
    assert updated["parser_method"] == "manual"
    assert updated["parser_config"] == {"pages": [[1, 1000000]], **body["parser_config"]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"chunk_count": 1}, b'{"code":102,"message":"Can\'t change chunk_count."}\n'),
        ({"token_count": 1}, b'{"code":102,"message":"Can\'t change token_count."}\n'),
        ({"progress": 1}, b'{"code":102,"message":"Can\'t change progress."}\n'),
        ({"name": "a.pdf"}, b'{"code":101,"message":"The extension of file can\'t be changed"}\n'),
        ({"name": "b.txt"}, b'{"code":102,"message":"Duplicated document name in the same knowledgebase."}\n'),
    ],
)
def test_update_document_rejections(client: TestClient, body: dict[str, Any], expected: bytes) -> None:
    dataset_id = create_dataset(client)
    doc = upload(client, dataset_id, ("a.txt", b"x"), ("b.txt", b"y"))[0]
    assert client.put(f"{DATASET}/{dataset_id}/info/{doc['id']}", json=body).content == expected
    assert client.put(f"{DATASET}/{dataset_id}/info/x", json=body).content == (
        b'{"code":102,"message":"The dataset not own the document."}\n'
    )


def test_delete_documents_undocumented(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    doc = upload(client, dataset_id, ("a.txt", b"x"))[0]
    url = f"{DATASET}/{dataset_id}/document"
    assert client.request("DELETE", url, json={}).content == b'{"code":102,"message":"ids is required"}\n'
    assert client.request("DELETE", url, json={"ids": [doc["id"]]}).content == b'{"code":0}\n'
    assert (
        client.request("DELETE", url, json={"ids": [doc["id"]]}).content
        == b'{"code":102,"message":"Document not found!"}\n'
    )


# -- T9 parse, T10 stop ------------------------------------------------------------------------------------------
def test_parse_and_stop_need_document_ids(client: TestClient) -> None:
    dataset_id = create_dataset(client)
    doc = upload(client, dataset_id, ("a.txt", TEXT))[0]
    url = f"{DATASET}/{dataset_id}/chunk"
    seed_body = {"documents": [doc["id"], "97ad64b6759811ef9fc30242ac120004"]}
    crash = b'{"data":null,"retcode":100,"retmsg":"KeyError(\'document_ids\')"}\n'
    assert client.post(url, json=seed_body).content == crash
    assert client.request("DELETE", url, json=seed_body).content == crash
    assert (
        client.post(url, json={"document_ids": ["x"]}).content
        == b'{"code":102,"message":"You don\'t own the document x."}\n'
    )
    assert client.post(url, json={"document_ids": [doc["id"]]}).content == b'{"code":0}\n'
    parsed = client.get(f"{DATASET}/{dataset_id}/info").json()["data"]["docs"][0]
    assert (parsed["run"], parsed["progress"], parsed["chunk_count"]) == ("3", 1.0, 1)
    assert client.request("DELETE", url, json={"document_ids": [doc["id"]]}).content == b'{"code":0}\n'
    stopped = client.get(f"{DATASET}/{dataset_id}/info").json()["data"]["docs"][0]
    assert (stopped["run"], stopped["progress"]) == ("2", 0.0)
