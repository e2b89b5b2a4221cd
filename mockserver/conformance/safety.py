"""Live-target safety: a run prefix on everything created, owned-ids-only destruction, cleanup, read-only mode.

On a live server, several RAGFlow operations treat a missing/empty `ids` as "everything" (all datasets of the
tenant, all chats, …). The guard therefore rewrites bulk-delete bodies to name only ids the suite created (or a
prefixed id that cannot exist), prefixes `name`/`title` in every write, and deletes at the end every resource
whose id it recorded or whose name carries the run prefix. The in-process emulator is private to the run, so
there the guard changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.conformance.contract import OperationContract

NAME_KEYS = ("name", "title")
ID_LIST_KEYS = ("ids", "document_ids", "chunk_ids")
CLEANUP_FAMILIES: tuple[tuple[str, str, str], ...] = (
    # (list operation, delete operation, name key) — children go with their parents on deletion.
    ("listAgents", "deleteAgent", "title"),
    ("listChats", "deleteChats", "name"),
    ("listDatasets", "deleteDatasets", "name"),
)
CREATED_BY: dict[str, str] = {"createDataset": "listDatasets", "createChat": "listChats", "createAgent": "listAgents"}


@dataclass
class RunGuard:
    """What this run may touch and what it must delete afterwards."""

    live: bool
    read_only: bool = False
    prefix: str = field(default_factory=lambda: f"rmcf{secrets.token_hex(3)}_")
    owned: set[str] = field(default_factory=set)
    """Ids created (or reached only through resources created) by this run."""
    created: dict[str, list[str]] = field(default_factory=dict)
    """list operation → ids of top-level resources this run created."""

    @property
    def missing_id(self) -> str:
        """An id that cannot exist on the target (used when a destructive body must name something)."""
        return f"{self.prefix}missing"

    def skip_reason(self, op: OperationContract) -> str | None:
        """Why an operation must not run at all, if it must not."""
        if self.read_only and not op.read_only:
            return "read-only mode"
        return None

    def sanitize(self, op: OperationContract, case: Any) -> list[str]:
        """Make a generated case safe for a live target in place; returns notes on what was rewritten."""
        if not self.live or op.method == "GET":
            return []
        notes: list[str] = []
        body = case.body
        if isinstance(body, dict):
            for key in NAME_KEYS:
                value = body.get(key)
                if isinstance(value, str) and not value.startswith(self.prefix):
                    body[key] = self.prefix + value
                    notes.append(f"{key} prefixed")
        if op.destructive and not op.path_parameters:
            if not isinstance(body, dict):
                case.body = {"ids": [self.missing_id]}
                notes.append("body replaced: bulk delete must name owned ids")
            else:
                for key in ID_LIST_KEYS:
                    if key in body or key == "ids":
                        ids = body.get(key)
                        if not self._all_owned(ids):
                            body[key] = [i for i in ids if self._is_owned(i)] if isinstance(ids, list) else []
                            body[key] = body[key] or [self.missing_id]
                            notes.append(f"{key} restricted to owned ids")
        if notes:
            case.media_type = case.media_type or "application/json"
        return notes

    def _is_owned(self, value: Any) -> bool:
        """A generated id this run may name: a string it created (generated lists and objects never are)."""
        return isinstance(value, str) and value in self.owned

    def _all_owned(self, ids: Any) -> bool:
        return (
            isinstance(ids, list)
            and bool(ids)
            and all(self._is_owned(i) or (isinstance(i, str) and i.startswith(self.prefix)) for i in ids)
        )

    def may_use(self, source: OperationContract, source_path: dict[str, str]) -> bool:
        """May ids found in this response be used as targets? Always in-process; live: only ids we own."""
        if not self.live:
            return True
        if source.method == "POST" and not source.read_only:
            return all(self._is_owned(v) for v in source_path.values())
        return bool(source_path) and all(self._is_owned(v) for v in source_path.values())

    def record(self, op: OperationContract, envelope: Any, path: dict[str, str]) -> None:
        """Remember ids a successful write created."""
        if not isinstance(envelope, dict) or envelope.get("code") != 0 or op.method != "POST" or op.read_only:
            return
        if path and not all(self._is_owned(v) for v in path.values()):
            return
        data = envelope.get("data")
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self.owned.add(item["id"])
                if op.operation_id in CREATED_BY:
                    self.created.setdefault(CREATED_BY[op.operation_id], []).append(item["id"])

    def cleanup(self, call: Callable[[str, dict[str, str], Any, dict[str, str]], Any]) -> list[str]:
        """Delete everything this run created; `call(operation_id, path, body, query)` returns the envelope.

        Returns human-readable notes about what was deleted or could not be.
        """
        notes: list[str] = []
        if not self.live:
            return notes
        for list_op, delete_op, name_key in CLEANUP_FAMILIES:
            ids = set(self.created.get(list_op, []))
            try:
                listed = call(list_op, {}, None, {"page": "1", "page_size": "1000"})
            except Exception as exc:  # keep cleaning the other families
                notes.append(f"{list_op} failed during cleanup: {exc!r}")
                listed = None
            if isinstance(listed, dict) and isinstance(listed.get("data"), list):
                for item in listed["data"]:
                    name = item.get(name_key) if isinstance(item, dict) else None
                    if isinstance(name, str) and name.startswith(self.prefix):
                        ids.add(str(item["id"]))
            if not ids:
                continue
            try:
                if delete_op == "deleteAgent":
                    for agent_id in sorted(ids):
                        call(delete_op, {"agent_id": agent_id}, None, {})
                else:
                    call(delete_op, {}, {"ids": sorted(ids)}, {})
                notes.append(f"{delete_op}: deleted {len(ids)} resource(s) with prefix {self.prefix}")
            except Exception as exc:
                notes.append(f"{delete_op} failed during cleanup: {exc!r} (ids: {', '.join(sorted(ids))})")
        return notes
