"""2024-06-dataset routes: each seed row with the seed's request, the exact bytes v0.10.0 sent, and the negatives."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import Settings
from tests.conftest import API_KEY
from tests.families.dataset_2024_06.conftest import DATASET_API, STAMP, UPDATED
from tests.support.profiles import profile_app, wire

UNAUTHORIZED = b'{"data":null,"retcode":401,"retmsg":"<Unauthorized \'401: Unauthorized\'>"}\n'


def create(client: TestClient, name: str = "kb1") -> str:
    body = client.post(DATASET_API, json={"name": name}).json()
    assert body["code"] == 0, body
    dataset_id: str = body["data"]["dataset_id"]
    return dataset_id


def upload(client: TestClient, dataset_id: str, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    body = client.post(f"{DATASET_API}/{dataset_id}/documents", files=[("file", f) for f in files]).json()
    assert body["code"] == 0, body
    docs: list[dict[str, Any]] = body["data"]
    return docs


def dataset_row(client: TestClient, dataset_id: str, name: str, **changes: Any) -> dict[str, Any]:
    tenant = client.app.state.emulator.backends.token(client.headers["authorization"].split()[-1]).tenant_id  # type: ignore[attr-defined]
    row = {
        "avatar": None,
        "chunk_num": 0,
        **STAMP,
        "created_by": tenant,
        "description": None,
        "doc_num": 0,
        "embd_id": "BAAI/bge-large-zh-v1.5@BAAI",
        "id": dataset_id,
        "language": "English",
        "name": name,
        "parser_config": {"pages": [[1, 1000000]]},
        "parser_id": "naive",
        "permission": "me",
        "similarity_threshold": 0.2,
        "status": "1",
        "tenant_id": tenant,
        "token_num": 0,
        **UPDATED,
        "vector_similarity_weight": 0.3,
    }
    row.update(changes)
    return row


def document_row(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    row = {
        "chunk_num": 0,
        **STAMP,
        "created_by": doc["created_by"],
        "id": doc["id"],
        "kb_id": doc["kb_id"],
        "location": doc["location"],
        "name": doc["name"],
        "parser_config": {"pages": [[1, 1000000]]},
        "parser_id": "naive",
        "process_begin_at": None,
        "process_duation": 0.0,
        "progress": 0.0,
        "progress_msg": "",
        "run": "0",
        "size": doc["size"],
        "source_type": "local",
        "status": "1",
        "thumbnail": None,
        "token_num": 0,
        "type": "doc",
        **UPDATED,
    }
    row.update(changes)
    return row


# -- auth ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("header", [None, "", "nope", "Bearer nope", "a b c"])
def test_every_key_failure_is_the_login_401_body(client: TestClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    client.headers.pop("authorization")
    assert client.get(DATASET_API, headers=headers).content == UNAUTHORIZED


def test_the_key_works_alone_and_after_a_scheme_word(client: TestClient, bearer: TestClient) -> None:
    create(client, "one")
    assert [d["name"] for d in bearer.get(DATASET_API).json()["data"]] == ["one"]


# -- D1 create --------------------------------------------------------------------------------------------
def test_create_with_the_seeds_dataset_name_fails_the_argument_guard(client: TestClient) -> None:
    """DOC≠CODE: the seed documents `dataset_name`; v0.10.0 requires `name`."""
    got = client.post(DATASET_API, json={"dataset_name": "kb1"}).content
    assert got == b'{"data":null,"retcode":101,"retmsg":"required argument are missing: name; "}\n'


def test_create_answers_id_and_name_and_renames_duplicates(client: TestClient) -> None:
    first = client.post(DATASET_API, json={"name": "kb1"})
    dataset_id = first.json()["data"]["dataset_id"]
    assert first.content == wire(
        {"code": 0, "data": {"dataset_id": dataset_id, "dataset_name": "kb1"}, "message": "success"}
    )
    assert client.post(DATASET_API, json={"name": "KB1"}).json()["data"]["dataset_name"] == "KB1(1)"
    assert client.post(DATASET_API, json={"name": "kb1"}).json()["data"]["dataset_name"] == "kb1(2)"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": ""}, b'{"code":102,"message":"Empty dataset name"}\n'),
        (
            {"name": "a" * 1025},
            wire({"code": 102, "message": f"Dataset name: {'a' * 1025} with length 1025 exceeds 1024!"}),
        ),
        (
            {"name": "kb", "x": 1, "y": 2},
            b'{"code":102,"message":"fields: [\'x\', \'y\'], are not allowed in request body."}\n',
        ),
        (
            {"name": 5},
            b'{"data":null,"retcode":100,"retmsg":"AttributeError(\\"\'int\' object has no attribute \'strip\'\\")"}\n',
        ),
    ],
)
def test_create_rejections(client: TestClient, body: dict[str, Any], expected: bytes) -> None:
    assert client.post(DATASET_API, json=body).content == expected


def test_create_with_a_form_body_crashes_after_the_guard(client: TestClient) -> None:
    got = client.post(DATASET_API, data={"name": "kb"}).content
    assert (
        got
        == b'{"data":null,"retcode":100,"retmsg":"TypeError(\\"argument of type \'NoneType\' is not iterable\\")"}\n'
    )


# -- D2 list ----------------------------------------------------------------------------------------------
def test_list_answers_internal_rows_newest_first(client: TestClient) -> None:
    first, second = create(client, "a"), create(client, "b")
    got = client.get(DATASET_API)
    rows = [dataset_row(client, second, "b"), dataset_row(client, first, "a")]
    assert got.content == wire({"code": 0, "data": rows, "message": "List datasets successfully!"})


def test_list_slices_by_offset_and_count(client: TestClient) -> None:
    for name in "abcd":
        create(client, name)

    def names(**q: Any) -> list[str]:
        return [d["name"] for d in client.get(DATASET_API, params=q).json()["data"]]

    assert names(orderby="name", desc="") == ["a", "b", "c", "d"]
    assert names(orderby="name", desc="False") == ["d", "c", "b", "a"]  # any non-empty value is descending
    assert names(orderby="name", desc="", offset=1, count=2) == ["b", "c"]
    assert names(orderby="name", desc="", offset=4) == []
    assert names(orderby="name", desc="", count=-2) == ["a", "b"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"offset": "x"}, "ValueError(\"invalid literal for int() with base 10: 'x'\")"),
        ({"offset": "5"}, "IndexError('Offset is out of the valid range.')"),
        ({"offset": "-1"}, "IndexError('Offset is out of the valid range.')"),
        ({"orderby": "nope"}, "AttributeError(\"type object 'Knowledgebase' has no attribute 'nope'\")"),
    ],
)
def test_list_errors_are_handler_caught_code_100(client: TestClient, query: dict[str, str], message: str) -> None:
    create(client)
    assert client.get(DATASET_API, params=query).content == wire({"code": 100, "message": message})


# -- D3 delete, D4 details, D5 update ------------------------------------------------------------------------
def test_delete_one_dataset(client: TestClient) -> None:
    dataset_id = create(client)
    assert client.delete(f"{DATASET_API}/{dataset_id}").content == wire(
        {"code": 0, "message": f"Remove dataset: {dataset_id} successfully"}
    )
    assert client.delete(f"{DATASET_API}/{dataset_id}").content == (
        b'{"code":103,"message":"The dataset cannot be found for your current account."}\n'
    )


def test_details_have_twelve_keys_and_no_ownership_check(client: TestClient) -> None:
    dataset_id = create(client, "test")
    full = dataset_row(client, dataset_id, "test")
    keys = ("avatar", "chunk_num", "description", "doc_num", "embd_id", "id", "language", "name", "parser_config",
            "parser_id", "permission", "token_num")  # fmt: skip
    expected = wire({"code": 0, "data": {k: full[k] for k in keys}, "message": "success"})
    assert client.get(f"{DATASET_API}/{dataset_id}").content == expected
    assert client.get(f"{DATASET_API}/nope").content == b'{"code":102,"message":"Can\'t find this dataset!"}\n'


def test_update_answers_the_full_row(client: TestClient) -> None:
    dataset_id = create(client, "old")
    got = client.put(f"{DATASET_API}/{dataset_id}", json={"name": "new_name", "description": "new_description1"})
    row = dataset_row(client, dataset_id, "new_name", description="new_description1")
    assert got.content == wire({"code": 0, "data": row, "message": "success"})


def test_update_couplings_of_v010(client: TestClient) -> None:
    dataset_id = create(client)
    url = f"{DATASET_API}/{dataset_id}"
    assert client.put(url, json={"chunk_method": "manual"}).content == (
        b'{"code":100,"message":"KeyError(\'template_type\')"}\n'
    )
    assert client.put(url, json={"chunk_method": "nope"}).content == (
        b'{"code":102,"message":"Illegal value nope for \'chunk_method\' field."}\n'
    )
    assert (
        client.put(url, json={"chunk_method": "manual", "template_type": "book"}).json()["data"]["parser_id"] == "book"
    )
    refused = client.put(url, json={"embedding_model_id": "m"}).json()
    assert refused == {
        "code": 102,
        "message": "You have already parsed the document in this dataset, so you cannot change the embedding model.",
    }
    assert client.put(url, json={"embedding_model_id": "m", "chunk_num": 0}).json()["data"]["embd_id"] == "m"
    data = client.put(url, json={"layout_recognize": False, "photo": "img"}).json()["data"]
    assert (data["parser_config"], data["avatar"]) == ({"layout_recognize": False}, "img")


def test_update_rejections(client: TestClient, other: TestClient) -> None:
    dataset_id = create(client)
    url = f"{DATASET_API}/{dataset_id}"
    no_parameter = b'{"code":102,"message":"Please input at least one parameter that you want to update!"}\n'
    assert client.put(url, json={}).content == no_parameter
    assert client.put(url).content == no_parameter
    assert other.put(url, json={"name": "x"}).content == (
        b'{"code":103,"message":"Only the owner of knowledgebase is authorized for this operation!"}\n'
    )


def test_update_name_check_fires_only_with_two_clashes(client: TestClient) -> None:
    first, _ = create(client, "a"), create(client, "b")
    assert client.put(f"{DATASET_API}/{first}", json={"name": "B"}).json()["code"] == 0  # a duplicate is made
    third = create(client, "c")
    assert client.put(f"{DATASET_API}/{third}", json={"name": "b"}).content == wire(
        {"code": 102, "message": "The name: b is already used by other datasets. Please choose a different name."}
    )


# -- D6 upload, D7 delete, D8 list ----------------------------------------------------------------------------
def test_upload_answers_the_request_side_dicts(client: TestClient) -> None:
    dataset_id = create(client)
    got = client.post(
        f"{DATASET_API}/{dataset_id}/documents", files=[("file", ("test.txt", b"")), ("file", ("test1.txt", b""))]
    )
    docs = got.json()["data"]
    tenant = docs[0]["created_by"]
    expected = [
        {"created_by": tenant, "id": d["id"], "kb_id": dataset_id, "location": n, "name": n,
         "parser_config": {"pages": [[1, 1000000]]}, "parser_id": "naive", "size": 0, "thumbnail": None, "type": "doc"}
        for d, n in zip(docs, ("test.txt", "test1.txt"), strict=True)
    ]  # fmt: skip
    assert got.content == wire({"code": 0, "data": expected, "message": "success"})


def test_upload_rejections(client: TestClient) -> None:
    dataset_id = create(client)
    url = f"{DATASET_API}/{dataset_id}/documents"
    assert client.post(url).content == b'{"code":101,"message":"There is no file!"}\n'
    assert client.post(url, files=[("other", ("a.txt", b"x"))]).content == b'{"code":0,"data":[],"message":"success"}\n'
    assert client.post(f"{DATASET_API}/nope/documents", files=[("file", ("a.txt", b"x"))]).content == (
        b'{"code":102,"message":"Can\'t find this dataset"}\n'
    )
    too_many = [("file", (f"{i}.txt", b"x")) for i in range(257)]
    assert client.post(url, files=too_many).json()["message"] == (
        "You try to upload 257 files, which exceeds the maximum number of uploading files: 256"
    )
    assert client.post(url, files=[("file", ("a.exe", b"x"))]).content == (
        b'{"code":102,"message":"This type of file has not been supported yet!"}\n'
    )


def test_delete_document(client: TestClient) -> None:
    dataset_id, other_dataset = create(client, "a"), create(client, "b")
    doc = upload(client, dataset_id, ("a.txt", b"x"))[0]
    assert client.delete(f"{DATASET_API}/{other_dataset}/documents/{doc['id']}").content == wire(
        {
            "code": 101,
            "message": f"The document {doc['id']} is not in the dataset: {other_dataset}, but in the dataset: {dataset_id}.",
        }
    )
    assert client.delete(f"{DATASET_API}/{dataset_id}/documents/{doc['id']}").content == (
        b'{"code":0,"data":true,"message":"success"}\n'
    )
    assert client.delete(f"{DATASET_API}/{dataset_id}/documents/111").content == (
        b'{"code":102,"message":"Document 111 not found!"}\n'
    )


def test_list_documents_says_message_0(client: TestClient) -> None:
    dataset_id = create(client)
    docs = upload(client, dataset_id, ("empty.txt", b""), ("test.txt", b""))
    got = client.get(f"{DATASET_API}/{dataset_id}/documents", params={"descend": "True"})
    rows = [document_row(docs[1]), document_row(docs[0])]
    assert got.content == wire({"code": 0, "data": {"docs": rows, "total": 2}, "message": 0})
    assert b'"message":0}' in got.content


def test_list_documents_filters_orders_and_slices(client: TestClient) -> None:
    dataset_id = create(client)
    upload(client, dataset_id, ("b.txt", b""), ("a.txt", b""), ("c.md", b""))

    def names(**q: Any) -> list[str]:
        listed = client.get(f"{DATASET_API}/{dataset_id}/documents", params=q).json()
        return [d["name"] for d in listed["data"]["docs"]]

    assert names() == ["b.txt", "a.txt", "c.md"]  # no ORDER BY unless descend is True/False
    assert names(descend="False", order_by="name") == ["a.txt", "b.txt", "c.md"]
    assert names(descend="true", order_by="name") == ["b.txt", "a.txt", "c.md"]
    assert names(keywords="TXT", offset=1) == ["a.txt"]
    assert client.get(f"{DATASET_API}/nope/documents").json()["data"] == {"docs": [], "total": 0}
    assert client.get(f"{DATASET_API}/{dataset_id}/documents", params={"offset": 9}).content == (
        b'{"code":100,"message":"IndexError(\'Offset is out of the valid range.\')"}\n'
    )


# -- D9 update document, D10 download --------------------------------------------------------------------------
def test_update_document_renames(client: TestClient) -> None:
    dataset_id = create(client)
    doc = upload(client, dataset_id, ("test.txt", b"test\ntest\ntest"))[0]
    got = client.put(f"{DATASET_API}/{dataset_id}/documents/{doc['id']}", json={"name": "new_name.txt"})
    expected = document_row(doc, name="new_name.txt")
    assert got.content == wire({"code": 0, "data": expected, "message": "Success"})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"illegal_parameter": 1}, b'{"code":101,"message":"illegal_parameter is an illegal parameter."}\n'),
        ({}, b'{"code":102,"message":"Please input at least one parameter that you want to update!"}\n'),
        ({"name": ""}, b'{"code":102,"message":"There is no new name."}\n'),
        ({"name": "a.pdf"}, b'{"code":101,"data":false,"message":"The extension of file cannot be changed"}\n'),
        ({"name": "b.txt"}, b'{"code":101,"message":"Duplicated document name in the same dataset."}\n'),
        ({"name": "a.txt"}, b'{"code":101,"message":"Duplicated document name in the same dataset."}\n'),
        ({"enable": "1"}, b'{"code":102,"message":"Illegal value 1 for \'enable\' field."}\n'),
        ({"enable": "?"}, b'{"code":102,"message":"Illegal value ? for \'enable\' field."}\n'),
        ({"template_type": "x"}, b'{"code":102,"message":"Illegal value x for \'template_type\' field."}\n'),
    ],
)
def test_update_document_rejections(client: TestClient, body: dict[str, Any], expected: bytes) -> None:
    dataset_id = create(client)
    doc = upload(client, dataset_id, ("a.txt", b"x"), ("b.txt", b"y"))[0]
    assert client.put(f"{DATASET_API}/{dataset_id}/documents/{doc['id']}", json=body).content == expected


def test_update_document_unknown_ids(client: TestClient) -> None:
    dataset_id = create(client)
    assert client.put(f"{DATASET_API}/fake_dataset_id/documents/x", json={"name": "n"}).content == (
        b'{"code":102,"message":"This dataset fake_dataset_id cannot be found!"}\n'
    )
    assert client.put(f"{DATASET_API}/{dataset_id}/documents/weird_doc_id", json={"name": "n"}).content == (
        b'{"code":101,"message":"This document weird_doc_id cannot be found!"}\n'
    )


def test_download(client: TestClient) -> None:
    dataset_id = create(client)
    doc, empty = upload(client, dataset_id, ("test.txt", b"test\ntest\ntest"), ("empty.txt", b""))
    got = client.get(f"{DATASET_API}/{dataset_id}/documents/{doc['id']}")
    assert got.content == b"test\ntest\ntest"
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"] == "attachment; filename=test.txt"
    assert client.get(f"{DATASET_API}/{dataset_id}/documents/{empty['id']}").content == (
        b'{"code":102,"message":"This file is empty."}\n'
    )
    assert client.get(f"{DATASET_API}/imagination/documents/x").content == (
        b'{"code":102,"message":"This dataset \'imagination\' cannot be found!"}\n'
    )
    assert client.get(f"{DATASET_API}/{dataset_id}/documents/imagination.txt").content == (
        b'{"code":101,"message":"This document \'imagination.txt\' cannot be found!"}\n'
    )


# -- D11–D15 parsing --------------------------------------------------------------------------------------------
def test_start_parsing_resets_and_never_advances(client: TestClient) -> None:
    dataset_id = create(client)
    doc, empty = upload(client, dataset_id, ("test.txt", b"some text"), ("empty.txt", b""))
    base = f"{DATASET_API}/{dataset_id}/documents"
    assert client.post(f"{base}/{doc['id']}/status").content == b'{"code":0,"message":""}\n'
    assert client.post(f"{base}/{empty['id']}/status").content == (
        b'{"code":0,"message":"Empty data in the document: empty.txt; "}\n'
    )
    listed = client.get(base).json()["data"]["docs"]
    assert [(d["run"], d["progress"], d["chunk_num"]) for d in listed] == [("1", 0.0, 0), ("1", 0.0, 0)]
    assert client.post(f"{base}/imagination.txt/status").content == (
        b'{"code":101,"message":"This document \'imagination.txt\' cannot be found!"}\n'
    )
    assert client.post(f"{DATASET_API}/imagination/documents/x/status").content == (
        b'{"code":102,"message":"This dataset \'imagination\' cannot be found!"}\n'
    )


def test_start_parsing_many(client: TestClient) -> None:
    dataset_id = create(client)
    doc, _ = upload(client, dataset_id, ("test.txt", b"some text"), ("empty.txt", b""))
    url = f"{DATASET_API}/{dataset_id}/documents/status"
    assert client.post(url, json={"doc_ids": None}).content == (
        b'{"code":0,"data":true,"message":"Empty data in the document: empty.txt; "}\n'
    )
    assert client.post(url, json={"doc_ids": [doc["id"]]}).content == b'{"code":0,"data":true,"message":""}\n'
    assert client.post(url, json={"doc_ids": ["imagination.txt"]}).content == (
        b'{"code":101,"message":"This document \'imagination.txt\' cannot be found!"}\n'
    )
    assert client.post(url).content == (
        b'{"data":null,"retcode":100,"retmsg":"TypeError(\\"\'NoneType\' object is not subscriptable\\")"}\n'
    )
    assert client.post(url, json={"x": 1}).content == b'{"data":null,"retcode":100,"retmsg":"KeyError(\'doc_ids\')"}\n'


def test_status_reads_the_enable_flag(client: TestClient) -> None:
    dataset_id = create(client)
    doc = upload(client, dataset_id, ("test.txt", b"x"))[0]
    real = f"{DATASET_API}/{dataset_id}/documents/{doc['id']}/status"
    running = b'{"code":0,"data":{"progress":0.0,"status":"RUNNING"},"message":"success"}\n'
    assert client.get(real).content == running
    seed_path = f"{DATASET_API}/{dataset_id}/documents/status"
    assert client.get(seed_path, params={"document_id": doc["id"]}).content == running
    assert client.get(seed_path).content == b'{"code":101,"message":"This document \'status\' cannot be found!"}\n'
    assert client.get(f"{DATASET_API}/{dataset_id}/documents/imagination.txt/status").content == (
        b'{"code":102,"message":"This document: \'imagination.txt\' is not a valid document."}\n'
    )
    assert client.get(f"{DATASET_API}/imagination/documents/x/status").content == (
        b'{"code":102,"message":"This dataset: \'imagination\' cannot be found!"}\n'
    )


def test_stop_parsing_writes_2_into_the_enable_flag(client: TestClient) -> None:
    dataset_id = create(client)
    one, two = upload(client, dataset_id, ("a.txt", b"x"), ("b.txt", b"y"))
    base = f"{DATASET_API}/{dataset_id}/documents"
    assert client.delete(f"{base}/{one['id']}/status").content == b'{"code":0,"message":""}\n'
    assert client.request("DELETE", f"{base}/status", json={"doc_ids": None}).content == (
        b'{"code":0,"data":true,"message":""}\n'
    )
    for doc in (one, two):
        assert client.get(f"{base}/{doc['id']}/status").json()["data"]["status"] == "CANCEL"


def test_the_v010_parse_bug_switch(settings: Settings) -> None:
    app = profile_app(replace(settings, extra={"2024-06-dataset.parse_bug": "v0.10"}), "2024-06-dataset")
    with TestClient(app, headers={"Authorization": API_KEY}) as client:
        dataset_id = create(client)
        empty, doc = upload(client, dataset_id, ("empty.txt", b""), ("test.txt", b"some text"))
        url = f"{DATASET_API}/{dataset_id}/documents"
        assert client.post(f"{url}/{doc['id']}/status").content == (
            b'{"code":100,"message":"NameError(\\"name \'doc_parse\' is not defined\\")"}\n'
        )
        assert client.post(f"{url}/{empty['id']}/status").json()["code"] == 0
        listed = client.get(url).json()["data"]["docs"]
        assert [d["run"] for d in listed] == ["1", "1"]  # both reset before the crash


def test_upload_refuses_nameless_and_remote_files(client: TestClient) -> None:
    dataset_id = create(client)
    url = f"{DATASET_API}/{dataset_id}/documents"
    raw = b'--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\nx\r\n--b--\r\n'
    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    assert client.post(url, content=raw, headers=headers).content == (
        b'{"code":101,"message":"There is a file without name!"}\n'
    )
    assert client.post(url, files=[("file", ("http_file.txt", b"x"))]).content == (
        b'{"code":101,"message":"Remote files have not unsupported."}\n'
    )
