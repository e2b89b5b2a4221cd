"""The precomputed routing table (wheel builds) is used only for the exact bytes it was made from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.http import spec
from mockserver.paths import openapi_dir


def _copy(tmp_path: Path, name: str = "admin.yaml") -> Path:
    target = tmp_path / name
    target.write_bytes((openapi_dir() / name).read_bytes())
    return target


def test_the_table_equals_parsing_every_document() -> None:
    table = spec.routing_table(openapi_dir())
    assert set(table) == {p.name for p in openapi_dir().glob("*.yaml")}
    for name, entry in table.items():
        parsed = spec._parse_operations(openapi_dir() / name)
        assert [spec.Operation(**{**r, "tags": tuple(r["tags"])}) for r in entry["operations"]] == parsed


def test_a_matching_entry_is_used_without_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = _copy(tmp_path)
    table = tmp_path / "routing.json"
    table.write_text(json.dumps(spec.routing_table(tmp_path)))
    expected = spec._parse_operations(document)

    def no_parse(path: Path) -> list[spec.Operation]:
        raise AssertionError("parsed although the table matched")

    monkeypatch.setattr(spec, "_parse_operations", no_parse)
    assert spec.operations_of(document, table) == expected


def test_a_stale_entry_is_ignored(tmp_path: Path) -> None:
    document = _copy(tmp_path)
    table = tmp_path / "routing.json"
    table.write_text(json.dumps(spec.routing_table(tmp_path)))
    spec.load_document.cache_clear()  # parsed above: the per-process cache of the old text
    edited = document.read_text().replace("listJournal", "listJournalEdited")
    document.write_text(edited)
    ids = {op.operation_id for op in spec.operations_of(document, table)}
    assert "listJournalEdited" in ids and "listJournal" not in ids


def test_no_table_means_parsing_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    document = _copy(tmp_path)
    assert spec.operations_of(document, tmp_path / "missing.json") == spec._parse_operations(document)
    assert not (tmp_path / "home").exists() and not (tmp_path / "cache").exists()
