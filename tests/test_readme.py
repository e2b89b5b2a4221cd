"""The README's examples run: its Python snippet against a live emulator, its two quick-start commands as written."""

from __future__ import annotations

import re
from pathlib import Path

from mockserver import Settings, create_app
from mockserver.server import ThreadedServer

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("```bash\ncurl", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", section, re.S)
    assert commands == [
        "python -m pip install . && python -m mockserver serve",
        "python -m pip install -e '.[dev]' && python -m pytest -n auto",
    ]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_python_example_runs_against_the_emulator() -> None:
    snippet = re.search(r"```python\n(from ragflow_sdk.+?)\n```", README, re.S)
    assert snippet is not None
    with ThreadedServer(create_app(Settings.for_tests(api_keys=("ragflow-mock-key",)))) as server:
        code = snippet.group(1).replace("http://127.0.0.1:9380", server.base_url)
        namespace: dict[str, object] = {}
        exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["dataset"] is not None
