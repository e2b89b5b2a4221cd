"""Helpers shared by the document, chunk and counter tests: create datasets, upload, parse."""

from __future__ import annotations

import io
from typing import Any

from starlette.testclient import TestClient

from mockserver.state.backend import TenantBackend

API = "/api/v1"


def create_dataset(client: TestClient, name: str = "kb", **extra: Any) -> dict[str, Any]:
    """Create a dataset and return its object."""
    body = client.post(f"{API}/datasets", json={"name": name, **extra}).json()
    assert body["code"] == 0, body
    data: dict[str, Any] = body["data"]
    return data


def upload(client: TestClient, dataset_id: str, *files: tuple[str, bytes]) -> Any:
    """POST the files as `file` parts; returns the JSON body."""
    parts = [("file", (name, data)) for name, data in files]
    return client.post(f"{API}/datasets/{dataset_id}/documents", files=parts).json()


def upload_ok(client: TestClient, dataset_id: str, *files: tuple[str, bytes]) -> list[dict[str, Any]]:
    """Upload and assert success; returns the document objects."""
    body = upload(client, dataset_id, *files)
    assert body["code"] == 0, body
    docs: list[dict[str, Any]] = body["data"]
    return docs


def list_docs(client: TestClient, dataset_id: str, **params: Any) -> Any:
    """GET the document list (JSON body)."""
    return client.get(f"{API}/datasets/{dataset_id}/documents", params=params).json()


def doc_view(client: TestClient, dataset_id: str, doc_id: str) -> dict[str, Any]:
    """One document's list object."""
    docs: list[dict[str, Any]] = list_docs(client, dataset_id, id=doc_id)["data"]["docs"]
    return docs[0]


def dataset_view(client: TestClient, dataset_id: str) -> dict[str, Any]:
    """One dataset's list object."""
    found: list[dict[str, Any]] = client.get(f"{API}/datasets", params={"id": dataset_id}).json()["data"]
    return found[0]


def parse(client: TestClient, dataset_id: str, *doc_ids: str) -> Any:
    """Start parsing (JSON body)."""
    return client.post(f"{API}/datasets/{dataset_id}/chunks", json={"document_ids": list(doc_ids)}).json()


def chunks_url(dataset_id: str, doc_id: str) -> str:
    """The chunk collection of a document."""
    return f"{API}/datasets/{dataset_id}/documents/{doc_id}/chunks"


def tenant_of(client: TestClient) -> TenantBackend:
    """The tenant behind the client's API key."""
    key = client.headers["Authorization"].split()[1]
    app: Any = client.app
    tenant = app.state.emulator.backends.tenant_for_key(key)
    assert tenant is not None
    return tenant


TEXT = "\n".join(f"Paragraph {i}: the quick brown fox jumps over the lazy dog, entry {i}." for i in range(30))


def make_pdf(text: str = "Hello PDF") -> bytes:
    """A one-page PDF with one line of real text."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=300)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 250 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
