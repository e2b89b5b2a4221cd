"""listChats' body (chat rows spliced around cached dataset rows) is byte-identical to the plain encoding."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.support.chatkit import chat_ok, parsed_dataset
from tests.support.golden import FLOATS, NAMES, plain_body
from tests.support.knowledge import tenant_of

CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["chat", "dataset"]),
        st.integers(0, 1),
        st.sampled_from(NAMES),
        st.sampled_from(FLOATS),
    ),
    max_size=6,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CHANGES)
def test_list_body_equals_the_plain_encoding(client: TestClient, changes: list[tuple[str, int, str, float]]) -> None:
    client.request("DELETE", "/api/v1/chats", json={"ids": None})
    client.request("DELETE", "/api/v1/datasets", json={"ids": None})
    kbs = [parsed_dataset(client, f"kb {n}") for n in NAMES[:2]]
    chats = [chat_ok(client, f"chat {n}", kbs[: i + 1]) for i, n in enumerate(NAMES[2:4])]
    tenant = tenant_of(client)
    for index, (kind, target, name, number) in enumerate(changes):
        if kind == "chat":
            body = {"name": f"{name} {index}", "prompt": {"similarity_threshold": number}}
            client.put(f"/api/v1/chats/{chats[target]}", json=body)
        else:
            client.put(f"/api/v1/datasets/{kbs[target]}", json={"name": f"{name} {index}", "description": name})
        listed = client.get("/api/v1/chats")
        shown = [row["id"] for row in json.loads(listed.content)["data"]]
        rows = [tenant.chats.items[i].to_list_item(tenant.chats.datasets_of(tenant.chats.items[i])) for i in shown]
        assert listed.content == plain_body({"code": 0, "data": rows})
