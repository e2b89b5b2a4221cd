"""Worlds: validation errors (file, path, problem), loading through the stores, serve's default, reloading."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.control.seed import WorldReloader, seed_tenant, set_parse_progression
from mockserver.control.worlds import WorldError, available_worlds, parse_world, read_world
from mockserver.core.lifecycle import AfterPolls, Immediate
from mockserver.state.backend import Backends
from mockserver.state.emulator import EmulatorState

KEY = "ragflow-mock-key"


def _tenant(backends: Backends):  # type: ignore[no-untyped-def]
    tenant = backends.tenant_for_key(KEY)
    assert tenant is not None
    return tenant


def test_shipped_worlds_are_valid() -> None:
    assert {"demo", "minimal"} <= set(available_worlds())
    for name in available_worlds():
        read_world(name)


def test_demo_world_through_the_api() -> None:
    client = TestClient(create_app(Settings.for_tests(world="demo")), headers={"Authorization": f"Bearer {KEY}"})
    datasets = client.get("/api/v1/datasets").json()["data"]
    assert sorted(d["name"] for d in datasets) == ["Classic Literature", "Science Primers", "Tea Company Handbook"]
    assert all(d["chunk_count"] > 0 and d["document_count"] > 0 for d in datasets)
    literature = next(d for d in datasets if d["name"] == "Classic Literature")
    docs = client.get(f"/api/v1/datasets/{literature['id']}/documents").json()["data"]["docs"]
    assert {d["run"] for d in docs} == {"DONE"}
    chats = client.get("/api/v1/chats").json()["data"]
    assert {c["name"] for c in chats} == {"Literature Guide", "Science Tutor", "Support Bot"}
    guide = next(c for c in chats if c["name"] == "Literature Guide")
    sessions = client.get(f"/api/v1/chats/{guide['id']}/sessions").json()["data"]
    answer = sessions[0]["messages"][-1]
    assert "##0$$" in answer["content"]
    assert answer["reference"][0]["document_name"] == "pride_and_prejudice.txt"


def test_minimal_world_loads_into_one_tenant_only() -> None:
    app = create_app(Settings.for_tests(world="minimal", api_keys=(KEY, "ragflow-b")))
    backends = emulator_state(app).backends
    assert [d.name for d in _tenant(backends).datasets.items.values()] == ["Notes"]
    other = backends.tenant_for_key("ragflow-b")
    assert other is not None and [d.name for d in other.datasets.items.values()] == ["Notes"]
    assert next(iter(other.datasets.items)) != next(iter(_tenant(backends).datasets.items))


def test_world_keys_reach_the_tenant() -> None:
    backends = Backends(Settings.for_tests())
    report = seed_tenant(backends, _tenant(backends), {"name": "w", "keys": ["ragflow-extra"]})
    assert report.keys == ["ragflow-extra"]
    assert backends.tenant_for_key("ragflow-extra") is _tenant(backends)


def test_a_key_of_another_tenant_is_refused() -> None:
    backends = Backends(Settings.for_tests(api_keys=(KEY, "ragflow-b")))
    with pytest.raises(WorldError, match="'ragflow-b' already belongs to another tenant"):
        seed_tenant(backends, _tenant(backends), {"name": "w", "keys": ["ragflow-b"]})


@pytest.mark.parametrize(
    ("world", "message"),
    [
        ([1], "<inline world>: (top level): expected a mapping, got list"),
        ({"datasets": [{"documents": []}]}, "<inline world>: datasets[0].name: Field required"),
        (
            {"datasets": [{"name": "a", "documents": [{"name": "x"}]}]},
            "datasets[0].documents[0]: Value error, give exactly one of 'text' or 'file'",
        ),
        ({"datasets": [{"name": "a"}, {"name": "A"}]}, "datasets[1].name: duplicate of datasets[0] ('A')"),
        ({"chats": [{"name": "c", "datasets": ["nope"]}]}, "chats[0].datasets[0]: unknown dataset 'nope'"),
        ({"colour": "blue"}, "<inline world>: colour: Extra inputs are not permitted"),
        (
            {"chats": [{"name": "c", "sessions": [{"messages": [{"role": "bot"}]}]}]},
            "chats[0].sessions[0].messages[0].role",
        ),
    ],
)
def test_invalid_worlds_name_the_path_and_problem(world: object, message: str) -> None:
    with pytest.raises(WorldError) as info:
        parse_world(world, "<inline world>")
    assert message in str(info.value)


def test_store_rules_apply_while_seeding() -> None:
    backends = Backends(Settings.for_tests())
    world = {"name": "w", "datasets": [{"name": "a", "chunk_method": "nonsense"}]}
    with pytest.raises(WorldError, match=r"w: datasets\[0\]: Field: <chunk_method> - Message: <Input should be"):
        seed_tenant(backends, _tenant(backends), world)


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ndatasets: [\n")
    with pytest.raises(WorldError, match=r"broken.yaml: line 3, column 1: invalid YAML"):
        read_world(path)


def test_unknown_world_lists_the_shipped_ones() -> None:
    with pytest.raises(WorldError, match="unknown world 'nope'; shipped worlds: demo, minimal"):
        read_world("nope")
    with pytest.raises(WorldError, match="world file not found"):
        read_world("/no/such/world.yaml")


def test_documents_from_files_next_to_the_world(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha beta gamma.")
    path = tmp_path / "w.yaml"
    path.write_text("name: w\ndatasets:\n  - name: d\n    documents:\n      - {name: a.txt, file: a.txt}\n")
    backends = Backends(Settings.for_tests())
    report = seed_tenant(backends, _tenant(backends), str(path))
    doc = _tenant(backends).documents.find(report.documents["d/a.txt"])
    assert doc is not None and doc.run == "3" and doc.chunk_num == 1


def test_explicit_chunks_and_unparsed_documents() -> None:
    backends = Backends(Settings.for_tests())
    world = {
        "datasets": [
            {
                "name": "d",
                "documents": [
                    {"name": "a.txt", "text": "x", "chunks": [{"content": "One.", "questions": ["q?"]}]},
                    {"name": "b.txt", "text": "y", "parse": False},
                ],
            }
        ]
    }
    report = seed_tenant(backends, _tenant(backends), world)
    tenant = _tenant(backends)
    a = tenant.documents.find(report.documents["d/a.txt"])
    b = tenant.documents.find(report.documents["d/b.txt"])
    assert a is not None and b is not None
    assert [c.content_with_weight for c in tenant.chunks.chunks_of(a.id)] == ["One."]
    assert (a.chunk_num, b.run, b.chunk_num) == (1, "0", 0)


def test_parse_progression_per_tenant() -> None:
    backends = Backends(Settings.for_tests(api_keys=(KEY, "ragflow-b")))
    set_parse_progression(backends, "polls:2", _tenant(backends))
    other = backends.tenant_for_key("ragflow-b")
    assert other is not None
    assert _tenant(backends).documents.default_progression != other.documents.default_progression
    with pytest.raises(ValueError, match="unknown parse progression 'sometimes'"):
        set_parse_progression(backends, "sometimes")


def test_parse_progression_for_every_tenant_and_new_ones() -> None:
    """setParseProgression without a tenant: the app-wide default (existing and later tenants); settings untouched."""
    settings = Settings.for_tests(api_keys=(KEY,))
    backends = Backends(settings)
    set_parse_progression(backends, "polls:3")
    assert backends.default_progression == AfterPolls(3) == _tenant(backends).documents.default_progression
    assert backends.create_tenant().documents.default_progression == AfterPolls(3)
    assert backends.settings is settings and settings.progression == "immediate"
    assert Backends(settings).default_progression == Immediate(), "a fresh state root starts from the settings"


def test_reloader_rebuilds_state_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("name: w\ndatasets: [{name: first}]\n")
    state = EmulatorState(Settings.for_tests())
    reloader = WorldReloader(str(path), check_every=0)
    reloader.reload(state)
    path.write_text("name: w\ndatasets: [{name: second}]\n")
    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    assert reloader.changed()
    reloader.reload(state)
    assert [d.name for d in _tenant(state.backends).datasets.items.values()] == ["second"]
    path.write_text("datasets: [{}]\n")
    os.utime(path, ns=(1, 3_000_000_000_000_000_000))
    reloader.reload(state)
    assert reloader.last_error is not None and "datasets[0].name: Field required" in reloader.last_error
    assert [d.name for d in _tenant(state.backends).datasets.items.values()] == ["second"]
