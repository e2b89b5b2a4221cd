"""Live-target safety: prefixes, owned-ids-only bulk deletion, read-only mode, cleanup."""

from __future__ import annotations

from typing import Any

from mockserver.conformance.contract import load_contract
from mockserver.conformance.runner import default_spec
from mockserver.conformance.safety import RunGuard

OPS = load_contract(default_spec()).operations


class FakeCase:
    def __init__(self, body: Any) -> None:
        self.body = body
        self.media_type = "application/json"


def test_bulk_delete_only_names_owned_ids() -> None:
    guard = RunGuard(live=True)
    guard.owned.add("mine")
    for body in (None, {}, {"ids": None}, {"ids": []}, {"ids": ""}, "x", {"ids": ["mine", "theirs"]}):
        case = FakeCase(body)
        guard.sanitize(OPS["deleteDatasets"], case)
        assert isinstance(case.body, dict)
        assert case.body["ids"]
        assert all(i == "mine" or i.startswith(guard.prefix) for i in case.body["ids"])


def test_names_get_the_run_prefix() -> None:
    guard = RunGuard(live=True)
    case = FakeCase({"name": "kb"})
    guard.sanitize(OPS["createDataset"], case)
    assert case.body["name"] == guard.prefix + "kb"


def test_in_process_target_is_left_alone() -> None:
    guard = RunGuard(live=False)
    case = FakeCase({"ids": None})
    assert guard.sanitize(OPS["deleteDatasets"], case) == []
    assert case.body == {"ids": None}


def test_read_only_mode() -> None:
    guard = RunGuard(live=True, read_only=True)
    assert guard.skip_reason(OPS["listDatasets"]) is None
    assert guard.skip_reason(OPS["retrieveChunks"]) is None
    assert guard.skip_reason(OPS["deleteDatasets"]) == "read-only mode"


def test_cleanup_deletes_recorded_and_prefixed_resources() -> None:
    guard = RunGuard(live=True)
    guard.record(OPS["createDataset"], {"code": 0, "data": {"id": "d1", "name": "renamed"}}, {})
    calls: list[tuple[str, Any, Any]] = []

    def call(operation_id: str, path: dict[str, str], body: Any, query: dict[str, str]) -> Any:
        calls.append((operation_id, path, body))
        if operation_id == "listDatasets":
            return {"code": 0, "data": [{"id": "d2", "name": guard.prefix + "x"}, {"id": "u", "name": "users"}]}
        if operation_id == "listAgents":
            return {"code": 0, "data": [{"id": "a1", "title": guard.prefix + "agent"}]}
        return {"code": 0, "data": []}

    guard.cleanup(call)
    assert ("deleteDatasets", {}, {"ids": ["d1", "d2"]}) in calls
    assert ("deleteAgent", {"agent_id": "a1"}, None) in calls
    assert not [c for c in calls if c[0] == "deleteChats"]


def test_unhashable_generated_ids_are_dropped_not_a_crash() -> None:
    """issue 16 item 13: a generated `ids` list holding lists or objects (unhashable) is restricted like any other."""
    guard = RunGuard(live=True)
    guard.owned.add("mine")
    for key, op in (("ids", "deleteDatasets"), ("document_ids", "deleteDatasets")):
        case = FakeCase({key: [["nested"], {"a": 1}, "mine", 3]})
        guard.sanitize(OPS[op], case)
        assert case.body[key] in (["mine"], [guard.prefix + "missing"])
    assert guard.may_use(OPS["createDataset"], {"dataset_id": ["x"]}) is False  # type: ignore[dict-item]
    guard.record(OPS["createDataset"], {"code": 0, "data": {"id": "d"}}, {"dataset_id": ["x"]})  # type: ignore[dict-item]
    assert "d" not in guard.owned
