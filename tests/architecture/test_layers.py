"""The package's shape: no import cycle by any import, lazy imports only for optional libraries, stores free of HTTP."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

from tests.architecture.imports import graph, modules, strongly_connected

OPTIONAL_LAZY = {
    ("mockserver.cli", "mockserver.conformance.command"),
    ("mockserver", "mockserver.app"),
    ("mockserver.cli", "mockserver.serve_command"),
    ("mockserver.cli", "mockserver.profiles.registry"),
}
"""(importer, imported) pairs allowed to stay inside a function, each for a reason:
- `cli` → `conformance.command`: the engine needs the optional `contract` extra (schemathesis, hypothesis,
  jsonschema), which `ragflow-mock --help` and `serve` must not;
- `mockserver` → `mockserver.app`: the package face re-exports `create_app` (PEP 562 `__getattr__`), so that
  importing any store module does not load the HTTP stack (Starlette) with it;
- `cli` → `serve_command`: `serve` and `routes` load uvicorn, the app and the spec only when they run, so
  `ragflow-mock --help` and `--version` stay fast; `cli` → `profiles.registry`: the `--profile` choices, loaded
  (with the HTTP layer the profiles build on) only when a profile value is checked."""

HTTP_FREE_PREFIXES = ("mockserver.core", "mockserver.state", "mockserver.settings", "mockserver.paths")
"""Packages that never reach the HTTP layer; besides them, every family module whose name does not end in
`handlers` is a state module (records, stores, services)."""


def state_modules() -> list[str]:
    """The state layer: core, state and every family module that is not a handlers module."""
    found = []
    for name in modules():
        family_state = name.startswith("mockserver.families.") and not name.endswith("handlers")
        if name.startswith(HTTP_FREE_PREFIXES) or (family_state and name != "mockserver.families.registry"):
            found.append(name)
    return sorted(found)


def test_no_import_cycle_by_any_import() -> None:
    cycles = strongly_connected(graph())
    assert cycles == [], "import cycles (module level, in functions and under TYPE_CHECKING): " + "; ".join(
        " ↔ ".join(c) for c in cycles
    )


def test_nothing_hides_behind_type_checking() -> None:
    hidden = [f"{i.importer}:{i.line} → {i.imported}" for i in graph() if i.type_checking]
    assert hidden == []


def test_lazy_imports_only_guard_optional_extras() -> None:
    lazy = {(i.importer, i.imported) for i in graph() if i.lazy}
    assert lazy <= OPTIONAL_LAZY, sorted(lazy - OPTIONAL_LAZY)


def test_state_layer_imports_with_starlette_absent() -> None:
    """Every store module loads in an interpreter where `starlette` cannot be imported at all."""
    names = state_modules()
    script = textwrap.dedent(
        f"""
        import importlib, sys
        for blocked in ("starlette", "uvicorn", "httpx", "multipart"):
            sys.modules[blocked] = None
        for name in {names!r}:
            importlib.import_module(name)
        assert not any(m.startswith("mockserver.http") for m in sys.modules), "a store reached the HTTP layer"
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "mockserver.families.datasets.models" in names and "mockserver.state.backend" in names


def test_every_module_is_small_and_says_what_it_is() -> None:
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, f"{name} has {len(text.splitlines())} lines"
        module = importlib.util.spec_from_file_location(name, path)
        assert module is not None
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        assert first.startswith('"""') and len(first) > 6, f"{name} lacks a one-line docstring"
