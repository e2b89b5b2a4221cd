"""Loads the OpenAPI documents and extracts the operations the emulator must serve."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
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


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ragflow-mockserver"


def operations_of(path: Path) -> list[Operation]:
    """All operations declared in one document, via a cache keyed by the document's content hash.

    Parsing the full YAML costs ~100 ms; the routing table needs only a few fields per operation, so
    they are cached as JSON (by SHA-256 of the file) and the YAML is parsed only when the spec changes.
    """
    raw = path.read_bytes()
    digest = hashlib.sha256(raw + str(CACHE_VERSION).encode()).hexdigest()[:32]
    cache = _cache_dir() / f"ops-{path.stem}-{digest}.json"
    try:
        rows = json.loads(cache.read_text())
        return [Operation(**{**row, "tags": tuple(row["tags"])}) for row in rows]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    found = _parse_operations(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump([asdict(op) for op in found], fh)
        os.replace(tmp, cache)
    except OSError:  # read-only home: just parse every time
        pass
    return found


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
