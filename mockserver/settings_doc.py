"""The `Settings` reference table (docs/settings.md), generated from the dataclass: `python -m mockserver.settings_doc`.

Each row is one field: its type, the defaults of `Settings()`, `Settings.for_tests()` and `Settings.for_serve()`,
the `serve` flag and environment variable that set it, and the field's docstring. tests/test_settings_doc.py
fails when docs/settings.md is not what this module writes, so a new field shows up in the docs.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import sys
from pathlib import Path

from mockserver import settings as settings_module
from mockserver.cli import build_parser
from mockserver.cli_support import EnvironmentParser, environment_name
from mockserver.settings import Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"

FLAG_FOR_FIELD = {
    "stream_tokens_per_second": "tokens_per_second",
    "stream_first_token_delay": "first_token_delay",
    "admin_enabled": "no_admin",
    "request_log": "no_request_log",
    "bind_host": "host",
}
"""Fields whose `serve` flag has another dest (every other field's flag has the field's name as dest)."""

HEADER = """\
# Settings

Every knob of an emulator instance is a field of `mockserver.Settings` (a frozen dataclass): pass one to
`create_app(settings)`, override the plugin's `ragflow_settings` fixture, or set it from `ragflow-mock serve`
with the flag or the environment variable shown (the command line wins over the environment). Three starting
points: `Settings()` (the plain defaults), `Settings.for_tests()` (instant and deterministic: what the pytest
plugin and the in-process conformance target use) and `Settings.for_serve()` (human pace: what `serve` starts
from). Change one field with `dataclasses.replace(settings, field=value)` or `Settings.for_tests(field=value)`.

This file is generated from the dataclass: `python -m mockserver.settings_doc` rewrites it, and
`tests/test_settings_doc.py` fails when it is out of date.

| field | type | `Settings()` | `for_tests()` | `for_serve()` | `serve` flag | environment | what it does |
|---|---|---|---|---|---|---|---|
"""


def field_docs() -> dict[str, str]:
    """Field name → its attribute docstring (the string literal after the field in settings.py)."""
    tree = ast.parse(inspect.getsource(settings_module))
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Settings":
            body = node.body
            for field, after in zip(body, [*body[1:], None], strict=True):
                if (
                    isinstance(field, ast.AnnAssign)
                    and isinstance(field.target, ast.Name)
                    and isinstance(after, ast.Expr)
                    and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)
                ):
                    found[field.target.id] = " ".join(after.value.value.split())
    return found


def serve_parser() -> EnvironmentParser:
    """The `serve` sub-parser of the command line."""
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            serve = action.choices["serve"]
            assert isinstance(serve, EnvironmentParser)
            return serve
    raise LookupError("no serve sub-command")


def _cell(value: object) -> str:
    text = repr(value) if not isinstance(value, dict) else repr(dict(value))
    return "`" + text.replace("|", "\\|") + "`"


def table() -> str:
    """docs/settings.md as this module writes it."""
    docs = field_docs()
    parser = serve_parser()
    flags = {a.dest: a for a in parser._actions}
    plain, tests, serve = Settings(), Settings.for_tests(), Settings.for_serve()
    rows = []
    for field in dataclasses.fields(Settings):
        action = flags.get(FLAG_FOR_FIELD.get(field.name, field.name))
        flag = " / ".join(f"`{o}`" for o in action.option_strings) if action is not None else "—"
        env = f"`{environment_name(action)}`" if action is not None else "—"
        values = [_cell(getattr(s, field.name)) for s in (plain, tests, serve)]
        description = docs.get(field.name, "").replace("|", "\\|")
        kind = f"`{field.type}`".replace("|", "\\|")
        rows.append(f"| `{field.name}` | {kind} | {' | '.join(values)} | {flag} | {env} | {description} |")
    return HEADER + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/settings.md (or print it with `--print`)."""
    args = sys.argv[1:] if argv is None else argv
    text = table()
    if "--print" in args:
        print(text, end="")
    else:
        DOC.write_text(text)
        print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
