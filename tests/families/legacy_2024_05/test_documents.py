"""The v0.7.0 document rules, driven without HTTP (`families/legacy_2024_05/documents.py`)."""

from __future__ import annotations

import pytest

from mockserver.core.errors import DataError
from mockserver.core.validation import validate_model
from mockserver.families.datasets.schemas import CreateDatasetBody
from mockserver.families.legacy.service import LegacyScope
from mockserver.families.legacy_2024_05.documents import (
    THUMBNAIL_DATA_URL,
    KbDocsForm,
    V07Upload,
    delete,
    kb_documents,
    list_chunks,
    upload,
)
from mockserver.families.legacy_2024_05.errors import NoChunkFound
from mockserver.state.backend import TenantBackend

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def kb(tenant: TenantBackend) -> TenantBackend:
    tenant.datasets.create(validate_model(CreateDatasetBody, {"name": "kb"}))
    return tenant


def test_upload_parser_ids_follow_the_enum_slice_and_the_file_kind(kb: TenantBackend) -> None:
    """v07UploadDocument: picture/one ignored, images `picture`, slides `presentation`, unknown types `other`."""
    assert upload(kb, "kb", V07Upload("a.txt", b"a"), "one", None)["parser_id"] == "naive"
    assert upload(kb, "kb", V07Upload("b.txt", b"b"), "qa", None)["parser_id"] == "qa"
    image = upload(kb, "KB ", V07Upload("c.png", PNG), "qa", None)
    assert image["parser_id"] == "picture" and image["type"] == "visual" and image["thumbnail"] == THUMBNAIL_DATA_URL
    assert upload(kb, "kb", V07Upload("d.pptx", b"x"), None, None)["parser_id"] == "presentation"
    assert upload(kb, "kb", V07Upload("e.unknown", b"x"), None, None)["type"] == "other"
    assert "meta_fields" not in upload(kb, "kb", V07Upload("f.txt", b"x"), None, None)


def test_upload_limit_defaults_to_8192(kb: TenantBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """v07UploadDocument: `MAX_FILE_NUM_PER_USER` unset is 8192 on this route."""
    monkeypatch.setattr("mockserver.families.legacy.documents.LEGACY_MAX_FILES", 1)  # the shared upload checks
    upload(kb, "kb", V07Upload("a.txt", b"a"), None, None)
    with pytest.raises(DataError, match="Exceed the maximum file number of a free user!"):
        upload(kb, "kb", V07Upload("b.txt", b"b"), None, None)


def test_kb_documents_any_non_empty_desc_descends(kb: TenantBackend) -> None:
    """v07ListKbDocs: `desc` is the raw value's truthiness."""
    for name in ("a.txt", "b.txt"):
        upload(kb, "kb", V07Upload(name, b"x"), None, None)

    def names(desc: object) -> list[str]:
        return [d["doc_name"] for d in kb_documents(kb, KbDocsForm(kb_name="kb", desc=desc))["docs"]]

    assert names("False") == names(True) == ["b.txt", "a.txt"]
    assert names("") == names(False) == ["a.txt", "b.txt"]


def test_list_chunks_and_delete_resolve_names_first(kb: TenantBackend) -> None:
    """v07ListChunks, v07DeleteDocuments: neither field is None; unknown names are null entries that fail."""
    scope = LegacyScope(kb.backends, kb)
    assert list_chunks(scope, None, None) is None
    with pytest.raises(NoChunkFound):
        list_chunks(scope, "nope.txt", None)
    doc = upload(kb, "kb", V07Upload("a.txt", b"x"), None, None)
    assert list_chunks(scope, "a.txt", "ignored") == []
    assert delete(scope, [], []) is False
    with pytest.raises(DataError, match="Document not found!"):
        delete(scope, ["a.txt", "missing.txt"], [doc["id"]])
    assert kb.documents.find(doc["id"]) is None
