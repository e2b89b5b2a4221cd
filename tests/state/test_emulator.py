"""`EmulatorState`: one object per app; a full reset rebuilds all of it, a tenant reset only that tenant's part."""

from __future__ import annotations

from mockserver.settings import Settings
from mockserver.state.emulator import EmulatorState
from mockserver.state.scripted_answers import AnswerRule


def busy_state() -> EmulatorState:
    """Two tenants, each with data, a fault rule, a scripted answer and a journal entry; one fixture answer."""
    state = EmulatorState(
        Settings.for_tests(api_keys=("key-a", "key-b")),
        operation_ids=["listDatasets"],
        fixture_answers=[AnswerRule(answer="fixture", times=1)],
    )
    for key in ("key-a", "key-b"):
        tenant = state.backends.tenant_for_key(key)
        assert tenant is not None
        tenant.datasets.insert(name=f"kb of {key}")
        state.faults.add({"operation_id": "listDatasets", "status": 503, "tenant_id": tenant.tenant_id})
        state.answers.add({"answer": "scripted"}, tenant_id=tenant.tenant_id)
        state.journal.record(
            operation_id="listDatasets", method="GET", path="/api/v1/datasets", query="",
            tenant_id=tenant.tenant_id, status=200, code=0, duration_ms=1.0, body=None, at=0.0,
        )  # fmt: skip
    state.answers.fixture_rules[0].times = 0  # the fixture answered once
    return state


def test_full_reset_leaves_nothing_but_the_settings() -> None:
    state = busy_state()
    old_backends, old_clock = state.backends, state.clock
    first_id = EmulatorState(state.settings).backends.ids.entity()
    state.clock.advance(60)  # type: ignore[attr-defined]
    state.reset()
    assert state.backends is not old_backends and state.clock is not old_clock
    assert state.backends.ids.entity() == first_id, "the id counter starts again"
    assert state.clock.now() < old_clock.now()
    assert (state.journal.entries(), state.faults.rules(), state.answers.rules) == ([], [], [])
    assert [r.times for r in state.answers.fixture_rules] == [1], "fixture answers come back as loaded"
    for key in ("key-a", "key-b"):
        tenant = state.backends.tenant_for_key(key)
        assert tenant is not None and tenant.datasets.items == {}


def test_tenant_reset_drops_only_that_tenant() -> None:
    state = busy_state()
    a, b = state.backends.tenant_for_key("key-a"), state.backends.tenant_for_key("key-b")
    assert a is not None and b is not None
    fresh = state.reset_tenant(a)
    assert fresh is not a and fresh.tenant_id == a.tenant_id and state.backends.tenant_for_key("key-a") is fresh
    assert fresh.datasets.items == {}
    assert state.journal.entries(tenant_id=a.tenant_id) == [] and len(state.journal.entries(tenant_id=b.tenant_id)) == 1
    assert state.faults.rules(a.tenant_id) == [] and len(state.faults.rules(b.tenant_id)) == 1
    assert [r.tenant_id for r in state.answers.rules] == [b.tenant_id]
    assert len(b.datasets.items) == 1


def test_unexpected_exceptions_are_bounded_and_counted() -> None:
    state = EmulatorState(Settings.for_tests())
    before = state.unexpected_count
    for n in range(150):
        state.record_unexpected(ValueError(n))
    assert len(state.unexpected) == 100 and state.unexpected_count == before + 150
    assert [e.args[0] for e in state.unexpected_since(before + 148)] == [148, 149]
    assert state.unexpected_since(state.unexpected_count) == []
