"""Suite hooks: how the contract suites pick their target, credentials and budget (one place, no test logic)."""

from __future__ import annotations

import os
from pathlib import Path

from mockserver.conformance.generation import read_budget

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
DEVIATIONS = HERE / "known_deviations.yaml"


def example_budget(override: int | None) -> int:
    """Generated cases per operation and mode: the command line, else schemathesis.toml, else 25."""
    if override is not None:
        return override
    return int(read_budget(CONFIG).get("max-examples", 25))


def live_settings(base_url: str | None, api_key: str | None) -> tuple[str | None, str | None]:
    """`--base-url`/`--api-key`, falling back to RAGFLOW_BASE_URL / RAGFLOW_API_KEY."""
    return base_url or os.environ.get("RAGFLOW_BASE_URL") or None, api_key or os.environ.get("RAGFLOW_API_KEY")
