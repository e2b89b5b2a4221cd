"""Loading scripted answers from YAML: the shipped `fixtures/answers/`, a directory or one file."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from mockserver.paths import fixtures_dir
from mockserver.state.scripted_answers import AnswerRule


@functools.lru_cache(maxsize=64)
def _parsed_yaml(path: Path, mtime_ns: int) -> Any:
    """A YAML file's data, parsed once per version of the file (apps in one process share it; read-only)."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_bytes(), Loader=loader)


def load_rules(path: Path) -> list[AnswerRule]:
    """Rules of one answers YAML file (`answers:` list); errors name the file and the rule."""
    data = _parsed_yaml(path, path.stat().st_mtime_ns) or {}
    items = data.get("answers", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected `answers:` to be a list")
    rules = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ValueError(f"{path}: answers[{index}] must be a mapping")
        try:
            rules.append(AnswerRule.from_mapping(item, source=path.name))
        except ValueError as exc:
            raise ValueError(f"{path}: answers[{index}]: {exc}") from None
    return rules


def load_directory(directory: Path | None = None) -> list[AnswerRule]:
    """Every `*.yaml` of a directory (default `fixtures/answers/`), or one YAML file."""
    base = directory or fixtures_dir() / "answers"
    paths = sorted(base.glob("*.yaml")) if base.is_dir() else [base] if base.is_file() else []
    return [rule for path in paths for rule in load_rules(path)]


def rules_for_setting(source: str | None) -> list[AnswerRule]:
    """The rules `Settings.answers` asks for: none, the shipped fixtures, or a directory/file."""
    if not source:
        return []
    return load_directory(None if source == "fixtures" else Path(source))
