"""Loads the OpenAPI documents and extracts the operations the emulator must serve."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from mockserver.paths import openapi_dir

SPEC_FILES = ("ragflow.yaml", "legacy.yaml", "accounts.yaml", "webui.yaml", "admin.yaml")
"""Documents that make up the routing table, in order; missing ones are skipped."""
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

CACHE_VERSION = 1


@dataclass(frozen=True)
class Operation:
    """One operation of the contract: method + path, bound to a handler by `operation_id`."""

    operation_id: str
    method: str
    path: str
    security: str | None
    deferred_auth: bool
    tags: tuple[str, ...]
    document: str


@functools.cache
def load_document(path: Path) -> dict[str, Any]:
    """Parse one YAML document (cached per path)."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    with path.open("rb") as fh:
        data = yaml.load(fh, Loader=loader)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not an OpenAPI document")
    return data


def _security_of(op: dict[str, Any], doc: dict[str, Any]) -> str | None:
    security = op.get("security", doc.get("security", []))
    for requirement in security or []:
        for name in requirement:
            return str(name)
    return None


ROUTING_TABLE = Path(__file__).resolve().parent.parent / "_data" / "routing.json"
"""Operations of every shipped document, precomputed when the wheel is built (`hatch_build.py`); absent in a
checkout. Each document's entry carries the SHA-256 of the bytes it was made from and is used only for those."""


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw + str(CACHE_VERSION).encode()).hexdigest()


@functools.cache
def _packaged_table(path: Path) -> dict[str, Any]:
    try:
        table = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) else {}


def operations_of(path: Path, table: Path = ROUTING_TABLE) -> list[Operation]:
    """All operations declared in one document: from the wheel's precomputed table when it was made from these
    very bytes, else by parsing the YAML (a stale or missing table only costs the parse). Nothing is written."""
    entry = _packaged_table(table).get(path.name)
    if isinstance(entry, dict) and entry.get("sha256") == _digest(path.read_bytes()):
        try:
            return [Operation(**{**row, "tags": tuple(row["tags"])}) for row in entry["operations"]]
        except (TypeError, KeyError):
            pass
    return _parse_operations(path)


def routing_table(directory: Path) -> dict[str, Any]:
    """What `hatch_build.py` ships as `ROUTING_TABLE`: every document's operations with its digest."""
    return {
        path.name: {"sha256": _digest(path.read_bytes()), "operations": [asdict(op) for op in _parse_operations(path)]}
        for path in sorted(directory.glob("*.yaml"))
    }


def _parse_operations(path: Path) -> list[Operation]:
    doc = load_document(path)
    found: list[Operation] = []
    for url, item in (doc.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            found.append(
                Operation(
                    operation_id=str(op["operationId"]),
                    method=method.upper(),
                    path=str(url),
                    security=_security_of(op, doc),
                    deferred_auth=bool(op.get("x-ragflow-deferred-auth", False)),
                    tags=tuple(op.get("tags", ())),
                    document=path.name,
                )
            )
    return found


def load_operations(directory: Path | None = None, files: tuple[str, ...] = SPEC_FILES) -> list[Operation]:
    """Every operation of every routing document present in `directory`."""
    base = directory or openapi_dir()
    ops: list[Operation] = []
    for name in files:
        candidate = base / name
        if candidate.is_file():
            ops.extend(operations_of(candidate))
    return ops
