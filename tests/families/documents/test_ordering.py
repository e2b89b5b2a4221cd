"""Document listings from the ordered index equal a naive full sort of the dataset's rows (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from mockserver.families.datasets.models import Dataset
from mockserver.families.documents.models import DOCUMENT_COLUMNS, Document
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend
from tests.support.ordering import Listing, check_listing, collated, lowered, scripts


def _kb(t: TenantBackend) -> Dataset:
    return t.datasets.by_name("docs") or t.datasets.insert(name="docs")


def _page(t: TenantBackend, orderby: str, desc: bool, page: int, size: int, **filters: Any) -> list[Document]:
    query = {"doc_id": None, "name": None, "keywords": "", **filters}
    found, _ = t.documents.listing(_kb(t).id, **query, page=page, page_size=size, orderby=orderby, desc=desc)
    return found


DOCUMENTS = Listing(
    model_name="Document",
    known=DOCUMENT_COLUMNS,
    columns=Document.columns,
    add=lambda t, i: t.documents.upload(_kb(t), f"d{i}.txt", b"text"),
    page=_page,
    rows=lambda t: [d for d in t.documents.items.values() if d.kb_id == _kb(t).id],
    delete=lambda t, ids: t.documents.delete_many(_kb(t).id, ids),
    free=("thumbnail", "type", "progress_msg", "create_time", "update_time", "meta_fields", "location"),
    texts=("name",),
    filters={
        "name": lambda t, value, orderby, desc: _page(t, orderby, desc, 1, 1000, name=value),
        "id": lambda t, value, orderby, desc: _page(t, orderby, desc, 1, 1000, doc_id=value),
    },
    matches={"name": collated("name"), "id": lowered("id")},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts(DOCUMENTS))
def test_document_pages_equal_a_full_sort(script: list[tuple[Any, ...]]) -> None:
    check_listing(DOCUMENTS, Backends(Settings.for_tests()).create_tenant(), script)
