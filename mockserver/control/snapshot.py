"""Snapshot and restore of all emulator state as JSON, and atomic state files for `serve --state-file`."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import importlib
import itertools
import json
import os
import re
import tempfile
from array import array
from collections import Counter, OrderedDict, defaultdict, deque
from pathlib import Path
from typing import Any

from mockserver.core.clock import Clock, VirtualClock
from mockserver.core.ids import IdFactory
from mockserver.core.indexes import Derived, DueQueue, Table
from mockserver.core.jsonbytes import json_utf8
from mockserver.settings import Settings
from mockserver.state.backend import ApiToken, Backends, TenantBackend
from mockserver.state.emulator import EmulatorState

FORMAT = "ragflow-mockserver-snapshot"
VERSION = 1
_TENANT_SCALARS = ("name", "embd_id", "llm_id", "rerank_id", "asr_id", "img2txt_id")
_LINKS = (TenantBackend, Backends, Clock, IdFactory, Settings, Table, DueQueue, Derived)
"""Objects a store points at rather than owns: re-linked on restore, never serialised (tables and due queues
are derived from the store's state and rebuild themselves from it)."""
_FACTORIES: dict[str, Any] = {"list": list, "dict": dict, "set": set, "int": int, "float": float, "str": str}


class SnapshotError(ValueError):
    """A snapshot cannot be taken (unserialisable state) or restored (malformed document)."""


def _qualname(obj: Any) -> str:
    cls = type(obj) if not isinstance(obj, type) else obj
    return f"{cls.__module__}:{cls.__qualname__}"


def _resolve(name: Any) -> Any:
    if not isinstance(name, str) or ":" not in name or not name.startswith("mockserver."):
        raise SnapshotError(f"unknown record type {name!r}")
    module, _, qual = name.partition(":")
    try:
        target: Any = importlib.import_module(module)
        for part in qual.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError):
        raise SnapshotError(f"unknown record type {name!r}") from None
    return target


class Encoder:
    """Encodes state values; a record reached twice is written once and then referenced (`__ref__`)."""

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._keep: list[Any] = []

    def encode(self, value: Any, where: str = "$") -> Any:
        """JSON-ready form of a state value; dataclasses and non-JSON containers carry a type tag."""
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._record(value, where)
        if isinstance(value, dict):
            return self._mapping(value, where)
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, set | frozenset):
            tag = "__frozenset__" if isinstance(value, frozenset) else "__set__"
            return {tag: [self.encode(v, f"{where}{{}}") for v in sorted(value, key=repr)]}
        if isinstance(value, deque):
            return {"__deque__": [self.encode(v, where) for v in value], "maxlen": value.maxlen}
        if isinstance(value, bytes | bytearray):
            tag = "__bytearray__" if isinstance(value, bytearray) else "__bytes__"
            return {tag: base64.b64encode(value).decode("ascii")}
        if isinstance(value, array):
            return {"__array__": value.typecode, "items": value.tolist()}
        if isinstance(value, itertools.count):
            match = re.fullmatch(r"count\((-?\d+)\)", repr(value))
            if match is None:
                raise SnapshotError(f"{where}: cannot snapshot {value!r}")
            return {"__count__": int(match.group(1))}
        raise SnapshotError(f"{where}: cannot snapshot a {type(value).__name__}")

    def _record(self, value: Any, where: str) -> dict[str, Any]:
        ref = self._seen.get(id(value))
        if ref is not None:
            return {"__ref__": ref}
        self._seen[id(value)] = len(self._seen)
        self._keep.append(value)
        fields = {f.name: self.encode(getattr(value, f.name), f"{where}.{f.name}") for f in dataclasses.fields(value)}
        return {"__dataclass__": _qualname(value), "fields": fields}

    def _mapping(self, value: dict[Any, Any], where: str) -> Any:
        items = [[self.encode(k, f"{where}<key>"), self.encode(v, f"{where}[{k!r}]")] for k, v in value.items()]
        if isinstance(value, defaultdict):
            factory = getattr(value.default_factory, "__name__", "")
            if factory not in _FACTORIES:
                raise SnapshotError(f"{where}: defaultdict with factory {factory!r} cannot be snapshot")
            return {"__defaultdict__": factory, "items": items}
        if isinstance(value, Counter):
            return {"__counter__": items}
        if type(value) not in (dict, OrderedDict):
            raise SnapshotError(f"{where}: cannot snapshot a {type(value).__name__}")
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: v for (k, _), (_, v) in zip(value.items(), items, strict=True)}
        return {"__dict__": items}


class Decoder:
    """Inverse of `Encoder` (rebuilds shared records as shared objects)."""

    def __init__(self) -> None:
        self._records: list[Any] = []

    def decode(self, value: Any) -> Any:
        """Rebuild a value written by `Encoder.encode`."""
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__ref__" in value:
            ref = value["__ref__"]
            if not isinstance(ref, int) or not 0 <= ref < len(self._records):
                raise SnapshotError(f"dangling record reference {ref!r}")
            return self._records[ref]
        if "__dataclass__" in value:
            return self._record(value)
        if "__defaultdict__" in value:
            factory = _FACTORIES.get(value["__defaultdict__"])
            if factory is None:
                raise SnapshotError(f"unknown defaultdict factory {value['__defaultdict__']!r}")
            return defaultdict(factory, self._pairs(value["items"]))
        if "__counter__" in value:
            return Counter(dict(self._pairs(value["__counter__"])))
        if "__dict__" in value:
            return dict(self._pairs(value["__dict__"]))
        for tag, make in (("__tuple__", tuple), ("__set__", set), ("__frozenset__", frozenset)):
            if tag in value:
                return make(self.decode(v) for v in value[tag])
        if "__deque__" in value:
            return deque((self.decode(v) for v in value["__deque__"]), value.get("maxlen"))
        return self._scalar_or_mapping(value)

    def _scalar_or_mapping(self, value: dict[str, Any]) -> Any:
        try:
            if "__bytes__" in value:
                return base64.b64decode(value["__bytes__"], validate=True)
            if "__bytearray__" in value:
                return bytearray(base64.b64decode(value["__bytearray__"], validate=True))
            if "__array__" in value:
                return array(value["__array__"], value["items"])
            if "__count__" in value:
                return itertools.count(int(value["__count__"]))
        except (ValueError, TypeError, binascii.Error) as exc:
            raise SnapshotError(f"malformed value: {exc}") from None
        return {k: self.decode(v) for k, v in value.items()}

    def _record(self, value: dict[str, Any]) -> Any:
        name = value["__dataclass__"]
        cls: Any = _resolve(name)
        if not isinstance(cls, type) or not dataclasses.is_dataclass(cls):
            raise SnapshotError(f"{name} is not a record type")
        raw = value.get("fields")
        if not isinstance(raw, dict):
            raise SnapshotError(f"{name}: fields must be an object")
        slot = len(self._records)
        self._records.append(None)
        decoded = {k: self.decode(v) for k, v in raw.items()}
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        try:
            record = cls(**{k: v for k, v in decoded.items() if k in init})
        except TypeError as exc:
            raise SnapshotError(f"{name}: {exc}") from None
        for key in decoded.keys() - init:
            object.__setattr__(record, key, decoded[key])
        self._records[slot] = record
        return record

    def _pairs(self, items: Any) -> list[tuple[Any, Any]]:
        if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2 for p in items):
            raise SnapshotError("malformed mapping items")
        return [(_hashable(self.decode(k)), self.decode(v)) for k, v in items]


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _store_state(store: Any, where: str, encoder: Encoder) -> dict[str, Any]:
    if hasattr(store, "snapshot_state"):
        return {"__custom__": store.snapshot_state()}
    return {k: encoder.encode(v, f"{where}.{k}") for k, v in vars(store).items() if not isinstance(v, _LINKS)}


def _is_store(value: Any) -> bool:
    """A package object with state of its own: not a link, not a record (e.g. `Backends.default_progression`)."""
    return (
        type(value).__module__.startswith("mockserver.")
        and hasattr(value, "__dict__")
        and not isinstance(value, _LINKS)
        and not dataclasses.is_dataclass(value)
    )


def _stores(owner: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(owner).items() if _is_store(v)}


def tenant_snapshot(tenant: TenantBackend, encoder: Encoder) -> dict[str, Any]:
    """One tenant: its settings, model ids and every store's state."""
    return {
        "tenant_id": tenant.tenant_id,
        **{k: getattr(tenant, k) for k in _TENANT_SCALARS},
        "configured_models": sorted(tenant.configured_models),
        "stores": {
            name: _store_state(store, f"{tenant.tenant_id}.{name}", encoder) for name, store in _stores(tenant).items()
        },
    }


def snapshot_of(backends: Backends) -> dict[str, Any]:
    """All state of a state root: tenants with their stores, API tokens, the clock and the id counter."""
    encoder = Encoder()
    with backends.lock:
        clock = backends.clock
        return {
            "format": FORMAT,
            "version": VERSION,
            "clock": clock.now() if isinstance(clock, VirtualClock) else None,
            "id_counter": backends.ids.counter,
            "tokens": [encoder.encode(t) for t in backends.all_tokens()],
            "tenants": [tenant_snapshot(t, encoder) for t in backends.tenants.values()],
            "app_stores": {name: _store_state(s, f"app.{name}", encoder) for name, s in _stores(backends).items()},
        }


def take_snapshot(state: EmulatorState) -> dict[str, Any]:
    """takeSnapshot: all state of an app (the format `restore_snapshot` and `--state-file` read)."""
    return snapshot_of(state.backends)


def _restore_store(store: Any, state: Any, where: str, decoder: Decoder) -> None:
    if not isinstance(state, dict):
        raise SnapshotError(f"{where}: store state must be an object")
    if "__custom__" in state:
        if not hasattr(store, "restore_state"):
            raise SnapshotError(f"{where}: store has no restore_state")
        store.restore_state(state["__custom__"])
        return
    for key, value in state.items():
        if not hasattr(store, key):
            raise SnapshotError(f"{where}.{key}: unknown store attribute")
        setattr(store, key, decoder.decode(value))


def _resumed_clock(snapshot: dict[str, Any], live: Backends) -> Clock | None:
    """A virtual clock at the snapshot's instant (the live one's if it has none); None keeps a real clock."""
    current = live.clock
    if not isinstance(current, VirtualClock):
        return None
    at = snapshot.get("clock")
    start = float(at) if isinstance(at, int | float) else current.now()
    return VirtualClock(start, live.settings.timezone, auto_advance=current.auto_advance)


def _resumed_ids(snapshot: dict[str, Any], live: Backends) -> IdFactory:
    """An id factory continuing at the snapshot's counter (the live one's if it has none)."""
    counter = snapshot.get("id_counter")
    start = counter if isinstance(counter, int) and counter > 0 else live.ids.counter
    return IdFactory(live.ids.seed, start=start)


def _restore_tenant(fresh: Backends, raw: Any, i: int, decoder: Decoder) -> TenantBackend:
    if not isinstance(raw, dict) or not isinstance(raw.get("tenant_id"), str):
        raise SnapshotError(f"tenants[{i}]: needs a tenant_id")
    tenant = TenantBackend(fresh, raw["tenant_id"])
    for key in _TENANT_SCALARS:
        if key in raw:
            setattr(tenant, key, raw[key])
    tenant.configured_models = set(raw.get("configured_models") or [])
    stores = raw.get("stores") or {}
    if not isinstance(stores, dict):
        raise SnapshotError(f"tenants[{i}].stores must be an object")
    live = _stores(tenant)
    for name, state in stores.items():
        if name not in live:
            raise SnapshotError(f"tenants[{i}].stores.{name}: unknown store")
        _restore_store(live[name], state, f"tenants[{i}].stores.{name}", decoder)
    return tenant


def backends_from(snapshot: Any, live: Backends) -> Backends:
    """A new state root holding a snapshot; `live` (left untouched) gives settings, seed and clock kind."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
        raise SnapshotError(f"not a snapshot: expected an object with format {FORMAT!r}")
    if snapshot.get("version") != VERSION:
        raise SnapshotError(f"unsupported snapshot version {snapshot.get('version')!r} (expected {VERSION})")
    tenants_raw, tokens_raw = snapshot.get("tenants"), snapshot.get("tokens")
    if not isinstance(tenants_raw, list) or not isinstance(tokens_raw, list):
        raise SnapshotError("snapshot needs 'tenants' and 'tokens' lists")
    decoder = Decoder()
    tokens = [decoder.decode(t) for t in tokens_raw]
    if not all(isinstance(t, ApiToken) for t in tokens):
        raise SnapshotError("tokens: every entry must be an ApiToken record")
    fresh = Backends(
        live.settings, clock=_resumed_clock(snapshot, live), ids=_resumed_ids(snapshot, live), provision=False
    )
    fresh.default_progression = live.default_progression
    for i, raw in enumerate(tenants_raw):
        tenant = _restore_tenant(fresh, raw, i, decoder)
        fresh.tenants[tenant.tenant_id] = tenant
    app_stores = snapshot.get("app_stores") or {}
    if not isinstance(app_stores, dict):
        raise SnapshotError("app_stores must be an object")
    own = _stores(fresh)
    for name, state in app_stores.items():
        if name not in own:
            raise SnapshotError(f"app_stores.{name}: unknown store")
        _restore_store(own[name], state, f"app_stores.{name}", decoder)
    fresh.restore_tokens(tokens)
    return fresh


def restore_snapshot(state: EmulatorState, snapshot: Any) -> None:
    """restoreSnapshot: replace all state of an app by a fresh state root built from a snapshot.

    The snapshot is validated while the new root is built, so a malformed one changes nothing. Journal, fault
    rules and scripted answers are not part of a snapshot and stay as they are.
    """
    state.replace_backends(backends_from(snapshot, state.backends))


def write_state_file(path: str | Path, snapshot: dict[str, Any]) -> None:
    """Write a snapshot as JSON atomically (see `write_state_bytes`)."""
    write_state_bytes(path, json_utf8(json.dumps(snapshot, ensure_ascii=False)))


def write_state_bytes(path: str | Path, data: bytes) -> None:
    """Replace a file atomically: temp file in the same directory, fsync, rename, fsync the directory. A crash at
    any instant leaves the old file or the new one (and at worst a `.<name>.*.tmp` file, removed at next start)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_state_file(path: str | Path) -> dict[str, Any]:
    """Read a state file written by `write_state_file`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{path}: cannot read state file: {exc}") from None
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: not a snapshot")
    return data


def save(state: EmulatorState, path: str | Path) -> None:
    """Snapshot an app's state to a file atomically."""
    write_state_file(path, take_snapshot(state))


def load(state: EmulatorState, path: str | Path) -> None:
    """Restore an app's state from a file."""
    restore_snapshot(state, read_state_file(path))
