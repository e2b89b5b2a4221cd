"""Golden check of list bodies: the bytes a list route sends equal the plain `json.dumps` of the rows' views now."""

from __future__ import annotations

import json
from typing import Any


def plain_body(payload: Any) -> bytes:
    """The envelope as the JSON provider writes it, encoded in one `json.dumps` call (no cached rows)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"


NAMES = ["plain", "Ünïcødé", "日本語の名前", "emoji 😀", 'quote " and \\', "tab\tand\u2028line"]
"""Names with escapes the ASCII encoder must write the same way in cached and plain bytes."""
FLOATS = [0.1, 0.30000000000000004, 1e-7, 0.5, 1 / 3, 0.0]
