"""`legacy.documents` called directly (no HTTP): the upload limit, listings, deletes and file lookups."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.errors import DataError, PythonError
from mockserver.families.legacy import documents
from mockserver.families.legacy.documents import KbDocsQuery, LegacyUpload
from mockserver.families.legacy.errors import LegacyFailure
from mockserver.families.legacy.service import LegacyScope
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend

FILE = LegacyUpload("a.txt", b"Some text.")


def tenant_with_kb(**settings: Any) -> TenantBackend:
    tenant = Backends(Settings.for_tests(api_keys=(), **settings)).create_tenant()
    tenant.datasets.insert(name="kb")
    return tenant


def test_upload_checks_in_the_servers_order() -> None:
    """uploadLegacyDocument: kb name shape, the dataset, the file part, its filename, then the row."""
    tenant = tenant_with_kb()
    with pytest.raises(PythonError, match="no attribute 'strip'"):
        documents.upload(tenant, None, FILE, None, None)
    with pytest.raises(DataError, match="Can't find this knowledgebase!"):
        documents.upload(tenant, "nope", FILE, None, None)
    with pytest.raises(LegacyFailure, match="No file part!"):
        documents.upload(tenant, " kb ", None, None, None)
    with pytest.raises(LegacyFailure, match="No file selected!"):
        documents.upload(tenant, "kb", LegacyUpload("", b""), None, None)
    row = documents.upload(tenant, "kb", FILE, " naive ", "1")
    assert (row["name"], row["parser_id"], row["run"]) == ("a.txt", "naive", "0")


@pytest.mark.parametrize(("limit", "allowed"), [(None, 2), (1, 1), (0, 0)])
def test_upload_limit_is_the_max_file_num_setting(limit: int | None, allowed: int) -> None:
    """uploadLegacyDocument: `Settings.max_file_num_per_user` documents at most (8192 when unset)."""
    tenant = tenant_with_kb(max_file_num_per_user=limit)
    for _ in range(allowed):
        documents.upload(tenant, "kb", FILE, None, None)
    if limit is not None:
        with pytest.raises(DataError, match="Exceed the maximum file number of a free user!"):
            documents.upload(tenant, "kb", FILE, None, None)
    assert documents.LEGACY_MAX_FILES == 8192


def test_kb_documents_validates_filters() -> None:
    """listLegacyKbDocuments: invalid status and type filters are 102s; keywords filter by name."""
    tenant = tenant_with_kb()
    documents.upload(tenant, "kb", FILE, None, None)
    with pytest.raises(DataError, match="Invalid filter status conditions: 9"):
        documents.kb_documents(tenant, KbDocsQuery(kb_name="kb", status=["9"]))
    with pytest.raises(DataError, match="Invalid filter conditions: x, y types"):
        documents.kb_documents(tenant, KbDocsQuery(kb_name="kb", types=["x", "y"]))
    with pytest.raises(PythonError, match="invalid literal"):
        documents.kb_documents(tenant, KbDocsQuery(kb_name="kb", page="p"))
    assert documents.kb_documents(tenant, KbDocsQuery(kb_name="kb", keywords="A."))["total"] == 1


def test_delete_one_by_one() -> None:
    """deleteLegacyDocuments: nothing named is False; an unknown id stops the loop after earlier deletes."""
    tenant = tenant_with_kb()
    reach = LegacyScope(tenant.backends, tenant)
    doc_id = documents.upload(tenant, "kb", FILE, None, None)["id"]
    assert documents.delete(reach, [], []) is False
    with pytest.raises(DataError, match="Document not found!"):
        documents.delete(reach, ["a.txt"], ["nope"])
    assert tenant.documents.find(doc_id) is None


def test_document_file_and_image_lookups() -> None:
    """getDocumentFile, getDocumentImage: any tenant's bytes; unknown ids are 102s."""
    tenant = tenant_with_kb()
    doc_id = documents.upload(tenant, "kb", FILE, None, None)["id"]
    backends = tenant.backends
    data, headers = documents.document_file(backends, doc_id)
    assert (data, headers) == (b"Some text.", {"Content-Type": "application/txt"})
    with pytest.raises(DataError, match="Document not found!"):
        documents.document_file(backends, "nope")
    with pytest.raises(DataError, match="Image not found"):
        documents.document_image(backends, "no-dash-here")
