"""listDocuments' body (joined cached rows) is byte-identical to the plain encoding of the current rows."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.support.golden import NAMES, plain_body
from tests.support.knowledge import create_dataset, tenant_of, upload_ok

CHANGES = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.fixed_dictionaries(
            {},
            optional={
                "name": st.sampled_from(NAMES),
                "meta_fields": st.dictionaries(st.sampled_from(NAMES), st.sampled_from([0.1, 1e-7, 3, "é"])),
                "enabled": st.sampled_from([0, 1]),
            },
        ),
    ),
    max_size=5,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CHANGES)
def test_list_body_equals_the_plain_encoding(client: TestClient, changes: list[tuple[int, dict[str, object]]]) -> None:
    client.request("DELETE", "/api/v1/datasets", json={"ids": None})
    dataset_id = create_dataset(client, "kb")["id"]
    docs = upload_ok(client, dataset_id, *((f"{n}.txt", n.encode()) for n in NAMES[:3]))
    tenant = tenant_of(client)
    base = f"/api/v1/datasets/{dataset_id}/documents"
    for index, (target, body) in enumerate(changes):
        update = {k: (f"{v} {index}.txt" if k == "name" else v) for k, v in body.items()}
        client.put(f"{base}/{docs[target]['id']}", json=update)
        listed = client.get(base, params={"orderby": "update_time"})
        data = json.loads(listed.content)["data"]
        rows = [tenant.documents.items[row["id"]].to_api() for row in data["docs"]]
        assert listed.content == plain_body({"code": 0, "data": {"docs": rows, "total": data["total"]}})
