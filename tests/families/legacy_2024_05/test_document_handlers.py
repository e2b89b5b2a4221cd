"""Profile 2024-05-legacy documents: v07UploadDocument, v07ListChunks(ByQuery), v07ListKbDocs, v07DeleteDocuments,
v07GetDocument."""

from __future__ import annotations

import json

from tests.families.legacy_2024_05.worldkit import INVALID_KEY, TEXT, World, tenant_of

UPLOAD = "/v1/api/document/upload"
V07_DOCUMENT_KEYS = [
    "chunk_num",
    "create_date",
    "create_time",
    "created_by",
    "id",
    "kb_id",
    "location",
    "name",
    "parser_config",
    "parser_id",
    "process_begin_at",
    "process_duation",
    "progress",
    "progress_msg",
    "run",
    "size",
    "source_type",
    "status",
    "thumbnail",
    "token_num",
    "type",
    "update_date",
    "update_time",
]


def test_upload_answers_the_row_read_right_after_the_insert(world: World) -> None:
    """v07UploadDocument: the seed's request (file, kb_name, run=1); 23 columns, `run` still "0", then parsed."""
    reply = world.web.post(
        UPLOAD, headers=world.key, data={"kb_name": " kb ", "run": "1"}, files={"file": ("readme.txt", b"x" * 929)}
    )
    data = reply.json()["data"]
    doc = tenant_of(world).documents.items[data["id"]]
    row = {key: getattr(doc, key) for key in V07_DOCUMENT_KEYS}
    row.update(run="0", progress=0.0, progress_msg="", process_begin_at=None, thumbnail=None, token_num=0, chunk_num=0)
    row.update(update_time=data["update_time"], update_date=data["update_date"])
    body = {"data": row, "retcode": 0, "retmsg": "success"}
    assert reply.content == json.dumps(body, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    assert list(data) == V07_DOCUMENT_KEYS and data["size"] == 929 and data["type"] == "doc"
    assert doc.run != "0", "run=1 started parsing"


def test_upload_guard_order_and_refusals(world: World) -> None:
    """v07UploadDocument: guard (101) → key (109) → dataset (102) → file part (101, data false)."""
    guard = world.web.post(UPLOAD, headers=world.key, data={"x": "1"}, files={"file": ("a.txt", b"a")})
    assert guard.json() == {"data": None, "retcode": 101, "retmsg": "required argument are missing: kb_name; "}
    assert world.web.post(UPLOAD, headers={"Authorization": "Bearer no"}, data={"kb_name": "kb"}).json() == INVALID_KEY
    unknown = world.web.post(UPLOAD, headers=world.key, data={"kb_name": "nope"}, files={"file": ("a.txt", b"a")})
    assert unknown.content == b'{"retcode":102,"retmsg":"Can\'t find this knowledgebase!"}\n'
    no_part = world.web.post(UPLOAD, headers=world.key, data={"kb_name": "kb"}, files={"other": ("a.txt", b"a")})
    assert no_part.json() == {"data": False, "retcode": 101, "retmsg": "No file part!"}
    boundary = "XyZ"
    raw = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kb_name"\r\n\r\nkb\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\nx\r\n--{boundary}--\r\n'
    ).encode()
    headers = {**world.key, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    no_name = world.web.post(UPLOAD, headers=headers, content=raw)
    assert no_name.json() == {"data": False, "retcode": 101, "retmsg": "No file selected!"}


def test_upload_accepts_unsupported_types_and_ignores_picture_and_one(world: World) -> None:
    """v07UploadDocument: type `other`; `picture`/`one` fall off the enum slice; images are `picture`."""
    other = world.web.post(UPLOAD, headers=world.key, data={"kb_name": "kb"}, files={"file": ("x.xyz", b"abc")})
    assert other.json()["data"]["type"] == "other"
    picked = world.web.post(
        UPLOAD, headers=world.key, data={"kb_name": "kb", "parser_id": "picture"}, files={"file": ("a.txt", b"a")}
    )
    assert picked.json()["data"]["parser_id"] == "naive"
    laws = world.web.post(
        UPLOAD, headers=world.key, data={"kb_name": "kb", "parser_id": " laws "}, files={"file": ("b.txt", b"b")}
    )
    assert laws.json()["data"]["parser_id"] == "laws"
    again = world.web.post(UPLOAD, headers=world.key, data={"kb_name": "kb"}, files={"file": ("b.txt", b"b")})
    assert again.json()["data"]["name"] == "b(1).txt"


def test_list_chunks_post_form_and_get_query(world: World) -> None:
    """v07ListChunks (code) and v07ListChunksByQuery (seed): `{content, doc_name, img_id}`, `img_id` null."""
    chunk = next(iter(tenant_of(world).chunks.items.values()))
    expected = {
        "data": [{"content": chunk.content_with_weight, "doc_name": "notes.txt", "img_id": None}],
        "retcode": 0,
        "retmsg": "success",
    }
    posted = world.web.post("/v1/api/list_chunks", headers=world.key, data={"doc_name": "notes.txt"})
    assert posted.content == json.dumps(expected, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    by_id = world.web.get("/v1/api/list_chunks", headers=world.key, params={"doc_id": world.doc_id})
    assert by_id.json() == expected
    as_json = world.web.post("/v1/api/list_chunks", headers=world.key, json={"doc_id": world.doc_id})
    assert as_json.json() == expected


def test_list_chunks_refusals(world: World) -> None:
    """v07ListChunks: neither field is retcode 0 with data false; an unknown document is the no-index crash."""
    neither = world.web.post("/v1/api/list_chunks", headers=world.key, data={"x": "1"})
    assert neither.content == b'{"data":false,"retcode":0,"retmsg":"Can\'t find doc_name or doc_id"}\n'
    unknown = world.web.post("/v1/api/list_chunks", headers=world.key, data={"doc_id": "nope"})
    assert unknown.json() == {
        "data": None,
        "retcode": 100,
        "retmsg": "No chunk found, please upload file and parse it.",
    }
    assert world.web.post("/v1/api/list_chunks", data={"doc_id": "x"}).json()["retcode"] == 100


def test_list_kb_docs_pages_sorts_and_filters(world: World) -> None:
    """v07ListKbDocs: the seed's fields; `desc=False` still descends; only an empty `desc` ascends."""
    for name in ("b.txt", "c.txt"):
        world.web.post(UPLOAD, headers=world.key, data={"kb_name": "kb"}, files={"file": (name, TEXT)})
    url = "/v1/api/list_kb_docs"

    def names(**fields: str) -> list[str]:
        reply = world.web.post(url, headers=world.key, data={"kb_name": "kb", **fields}).json()
        assert reply["retcode"] == 0 and reply["data"]["total"] >= len(reply["data"]["docs"]), reply
        return [d["doc_name"] for d in reply["data"]["docs"]]

    assert names() == ["c.txt", "b.txt", "notes.txt"]
    assert names(desc="False") == ["c.txt", "b.txt", "notes.txt"]
    assert names(desc="") == ["notes.txt", "b.txt", "c.txt"]
    assert names(page="2", page_size="2") == ["notes.txt"]
    assert names(keywords="B.T") == ["b.txt"]
    first = world.web.post(url, headers=world.key, data={"kb_name": "kb", "page_size": "1"})
    doc = world.web.post(url, headers=world.key, json={"kb_name": "kb"}).json()["data"]["docs"][0]
    assert first.content == (
        b'{"data":{"docs":[{"doc_id":"' + doc["doc_id"].encode() + b'","doc_name":"c.txt"}],"total":3},'
        b'"retcode":0,"retmsg":"success"}\n'
    )


def test_list_kb_docs_refusals(world: World) -> None:
    """v07ListKbDocs: no `kb_name` crashes on `.strip()`; unknown dataset; bad int; unknown column."""
    url = "/v1/api/list_kb_docs"
    assert world.web.post(url, headers=world.key, data={"x": "1"}).json() == {
        "data": None,
        "retcode": 100,
        "retmsg": "AttributeError(\"'NoneType' object has no attribute 'strip'\")",
    }
    unknown = world.web.post(url, headers=world.key, data={"kb_name": "nope"})
    assert unknown.content == b'{"retcode":102,"retmsg":"Can\'t find this knowledgebase!"}\n'
    bad = world.web.post(url, headers=world.key, data={"kb_name": "kb", "page": "x"}).json()
    assert bad["retmsg"] == "ValueError(\"invalid literal for int() with base 10: 'x'\")"
    column = world.web.post(url, headers=world.key, data={"kb_name": "kb", "orderby": "x"}).json()
    assert column["retmsg"] == "AttributeError(\"type object 'Document' has no attribute 'x'\")"


def test_delete_by_names_and_ids_one_by_one(world: World) -> None:
    """v07DeleteDocuments: the seed's body; unknown names stay null and stop the loop after earlier deletions."""
    for name in ("a.txt", "b.txt"):
        world.web.post(UPLOAD, headers=world.key, data={"kb_name": "kb"}, files={"file": (name, TEXT)})
    tenant = tenant_of(world)
    dataset = tenant.datasets.get(world.dataset_id)
    url = "/v1/api/document"
    ok = world.web.request("DELETE", url, headers=world.key, json={"doc_names": ["a.txt"], "doc_ids": [world.doc_id]})
    assert ok.content == b'{"data":true,"retcode":0,"retmsg":"success"}\n'
    assert [d.name for d in tenant.documents.items.values()] == ["b.txt"] and dataset.doc_num == 1
    partial = world.web.request("DELETE", url, headers=world.key, json={"doc_names": ["b.txt", "nope"]})
    assert partial.content == b'{"retcode":102,"retmsg":"Document not found!"}\n'
    assert not tenant.documents.items, "b.txt went before the unknown name failed"
    empty = world.web.request("DELETE", url, headers=world.key, json={})
    assert empty.json() == {"data": False, "retcode": 0, "retmsg": "Can't find doc_names or doc_ids"}
    no_body = world.web.request("DELETE", url, headers=world.key).json()
    assert no_body["retmsg"] == "AttributeError(\"'NoneType' object has no attribute 'get'\")"


def test_get_document_serves_content_or_image_as_documented(world: World) -> None:
    """v07GetDocument (never routed by v0.7.0): the bytes without a key; unknown ids are R2."""
    got = world.web.get(f"/v1/api/document/get/{world.doc_id}")
    assert got.content == TEXT and got.headers["content-type"] == "application/txt"
    assert world.web.get("/v1/api/document/get/nope").content == b'{"retcode":102,"retmsg":"Document not found!"}\n'
    assert world.web.get("/v1/api/document/get/kb-nope").json() == {"retcode": 102, "retmsg": "Image not found."}
