"""listDatasets' body (joined cached rows) is byte-identical to the plain encoding of the current rows."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.support.golden import FLOATS, NAMES, plain_body
from tests.support.knowledge import tenant_of

CHANGES = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.fixed_dictionaries(
            {},
            optional={
                "name": st.sampled_from(NAMES).map(lambda n: n + "!"),
                "description": st.sampled_from(NAMES),
                "pagerank": st.integers(0, 100),
                "parser_config": st.fixed_dictionaries({"chunk_token_num": st.integers(1, 2048)}),
            },
        ),
    ),
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CHANGES)
def test_list_body_equals_the_plain_encoding(client: TestClient, changes: list[tuple[int, dict[str, object]]]) -> None:
    client.request("DELETE", "/api/v1/datasets", json={"ids": None})
    ids = [
        client.post("/api/v1/datasets", json={"name": f"{n} {i}"}).json()["data"]["id"] for i, n in enumerate(NAMES[:4])
    ]
    tenant = tenant_of(client)
    for index, (target, body) in enumerate(changes):
        tenant.datasets.items[ids[target]].similarity_threshold = FLOATS[index % len(FLOATS)]
        client.put(
            f"/api/v1/datasets/{ids[target]}", json={k: (f"{v} {index}" if k == "name" else v) for k, v in body.items()}
        )
        listed = client.get("/api/v1/datasets", params={"orderby": "update_time"})
        shown = [row["id"] for row in json.loads(listed.content)["data"]]
        rows = [tenant.datasets.items[i].to_api() for i in shown]
        assert listed.content == plain_body({"code": 0, "data": rows})
