"""http/bodies: multipart parsed by Werkzeug's parser, checked against Werkzeug 3.0.6's own `parse_form_data`
(the real server's stack) over a list of `Content-Disposition` forms; urlencoded forms; the part limit."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from starlette.datastructures import UploadFile
from starlette.testclient import TestClient
from werkzeug.formparser import parse_form_data

from mockserver.core.errors import WerkzeugError
from mockserver.http.bodies import MAX_FORM_PARTS, RequestBody, parse_form, read_body

BOUNDARY = "XbOuNdArY"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"

DISPOSITIONS: list[bytes] = [
    b'form-data; name="file"; filename="a.txt"',
    b"form-data; name=file; filename=a.txt",
    b"form-data; name=file; filename=a b.txt",
    b'form-data; name="file"; filename="a b.txt"',
    b"form-data; name=\"file\"; filename*=UTF-8''%E4%B8%AD%E6%96%87.txt",
    b'form-data; name="file"; filename*=utf-8\'\'a%20b.txt; filename="fallback.txt"',
    b'form-data; name="file"; filename="fallback.txt"; filename*=UTF-8\'\'real.txt',
    b'form-data; name="file"; filename="C:\\a\\b.txt"',
    b'form-data; name="file"; filename="C:\\\\a\\\\b.txt"',
    b'form-data; name="file"; filename="../../etc/passwd"',
    b'form-data; name="file"; filename="a\\"b.txt"',
    b'form-data; name="file"; filename=""',
    b'form-data; name="file"',
    b'form-data; name="file"; FILENAME="upper.txt"',
    'form-data; name="file"; filename="中文.txt"'.encode(),
    b'form-data; name="file"; filename="a.txt"; filename="b.txt"',
    b'form-data; name="file"; filename="semi;colon.txt"',
    b"form-data; name=\"file\"; filename='single.txt'",
    b'form-data;name="file";filename="tight.txt"',
    b'attachment; name="file"; filename="attach.txt"',
]


def multipart(disposition: bytes, data: bytes = b"hello") -> bytes:
    """One part with this Content-Disposition, plus a text field."""
    return (
        f"--{BOUNDARY}\r\n".encode()
        + b"Content-Disposition: "
        + disposition
        + b"\r\nContent-Type: text/plain\r\n\r\n"
        + data
        + f"\r\n--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="kb_name"\r\n\r\nkb'
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def werkzeug_view(body: bytes, content_type: str) -> dict[str, Any]:
    """What Flask's `request.files` / `request.form` hold for this body (Werkzeug's parser, its Request limits)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    _, form, files = parse_form_data(environ, max_form_parts=MAX_FORM_PARTS)
    return {
        "fields": sorted(form.items(multi=True)),
        "files": sorted((name, f.filename, f.read()) for name, f in files.items(multi=True)),
    }


def emulator_view(body: bytes, content_type: str) -> dict[str, Any]:
    form = parse_form(RequestBody(len(body), _data=body), content_type)
    fields, files = [], []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            files.append((name, value.filename, value.file.read()))
        else:
            fields.append((name, value))
    return {"fields": sorted(fields), "files": sorted(files)}


@pytest.mark.parametrize("disposition", DISPOSITIONS, ids=lambda d: d.decode("utf-8", "replace"))
def test_file_parts_agree_with_werkzeug(disposition: bytes) -> None:
    body = multipart(disposition)
    assert emulator_view(body, CONTENT_TYPE) == werkzeug_view(body, CONTENT_TYPE)


def test_the_forms_python_multipart_read_differently() -> None:
    """The issue-14 forms, spelled out (python-multipart read each differently): an RFC 5987 name is a file, a
    Windows path keeps its full name, an unquoted name with a space stops at the space."""
    names = {d: emulator_view(multipart(d), CONTENT_TYPE)["files"] for d in DISPOSITIONS[2:8]}
    assert names[DISPOSITIONS[4]] == [("file", "中文.txt", b"hello")]
    assert names[DISPOSITIONS[7]] == [("file", "C:\\a\\b.txt", b"hello")]
    assert names[DISPOSITIONS[2]] == [("file", "a", b"hello")]  # python-multipart: "a b.txt"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"a=1&b=&c=%E4%B8%AD&a=2", "application/x-www-form-urlencoded"),
        (b"a=%ff", "application/x-www-form-urlencoded"),
        (b"\xff\xfe=1", "application/x-www-form-urlencoded"),
        (b"--nope\r\n", CONTENT_TYPE),
        (b"garbage", "multipart/form-data"),
        (multipart(b'form-data; name="file"; filename="a.txt"'), "Multipart/Form-Data; boundary=" + BOUNDARY),
    ],
)
def test_other_bodies_agree_with_werkzeug(body: bytes, content_type: str) -> None:
    assert emulator_view(body, content_type) == werkzeug_view(body, content_type)


def test_more_parts_than_werkzeug_allows_is_the_413_repr() -> None:
    parts = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\nv\r\n'.encode()
        for n in range(MAX_FORM_PARTS + 1)
    )
    body = parts + f"--{BOUNDARY}--\r\n".encode()
    with pytest.raises(WerkzeugError, match="RequestEntityTooLarge"):
        parse_form(RequestBody(len(body), _data=body), CONTENT_TYPE)


def test_a_spooled_body_parses_the_same() -> None:
    data = b"x" * (3 * 1024 * 1024)
    body = multipart(b'form-data; name="file"; filename="big.bin"', data)

    async def chunks() -> Any:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    read = asyncio.run(read_body(chunks(), None, 10 * len(body)))
    assert read._spool is not None
    form = parse_form(read, CONTENT_TYPE)
    upload = form["file"]
    assert isinstance(upload, UploadFile) and upload.filename == "big.bin"
    assert upload.file.read() == data


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        (b"form-data; name=\"file\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt", "résumé.txt"),
        (b'form-data; name="file"; filename="C:\\docs\\report.txt"', "C:\\docs\\report.txt"),
    ],
)
def test_upload_route_stores_werkzeugs_file_name(client: TestClient, disposition: bytes, expected: str) -> None:
    """uploadDocuments: the document is named as the server's `file.filename`."""
    dataset = client.post("/api/v1/datasets", json={"name": "kb"}).json()["data"]["id"]
    response = client.post(
        f"/api/v1/datasets/{dataset}/documents", content=multipart(disposition), headers={"Content-Type": CONTENT_TYPE}
    )
    payload = response.json()
    assert payload["code"] == 0, payload
    assert [d["name"] for d in payload["data"]] == [expected]
