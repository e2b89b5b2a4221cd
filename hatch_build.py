"""Wheel build hook: ship the routing table precomputed from the OpenAPI documents (`mockserver/_data/routing.json`).

At run time each document's entry is used only when its digest matches the document's bytes, so an edited spec
never meets stale data: it is parsed instead.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class RoutingTableHook(BuildHookInterface):  # type: ignore[type-arg]
    """Writes the table to a temporary file and force-includes it in the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        sys.path.insert(0, self.root)
        try:
            from mockserver.http.spec import routing_table
        finally:
            sys.path.pop(0)
        table = routing_table(Path(self.root) / "openapi")
        out = Path(tempfile.mkdtemp(prefix="ragflow-mock-build-")) / "routing.json"
        out.write_text(json.dumps(table, sort_keys=True))
        build_data["force_include"][str(out)] = "mockserver/_data/routing.json"
