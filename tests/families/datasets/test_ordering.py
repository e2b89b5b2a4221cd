"""Dataset listings from the ordered index equal a naive full sort of every row (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from mockserver.families.datasets.models import DATASET_COLUMNS, Dataset
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend
from tests.support.ordering import Listing, check_listing, collated, lowered, scripts


def _page(t: TenantBackend, orderby: str, desc: bool, page: int, size: int, **filters: Any) -> list[Dataset]:
    query = {"dataset_id": None, "name": None, **filters}
    return t.datasets.listing(**query, page=page, page_size=size, orderby=orderby, desc=desc)


DATASETS = Listing(
    model_name="Knowledgebase",
    known=DATASET_COLUMNS,
    columns=Dataset.columns,
    add=lambda t, i: t.datasets.insert(name=f"kb{i}"),
    page=_page,
    rows=lambda t: list(t.datasets.items.values()),
    delete=lambda t, ids: t.datasets.delete_many(ids),
    free=("description", "pagerank", "token_num", "parser_config", "avatar", "create_time", "update_time"),
    texts=("name",),
    filters={
        "name": lambda t, value, orderby, desc: _page(t, orderby, desc, 1, 1000, name=value),
        "id": lambda t, value, orderby, desc: _page(t, orderby, desc, 1, 1000, dataset_id=value),
    },
    matches={"name": collated("name"), "id": lowered("id")},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts(DATASETS))
def test_dataset_pages_equal_a_full_sort(script: list[tuple[Any, ...]]) -> None:
    check_listing(DATASETS, Backends(Settings.for_tests()).create_tenant(), script)
