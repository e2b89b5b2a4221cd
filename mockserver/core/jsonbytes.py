"""The response JSON byte format in one place (Flask's provider: sorted keys, compact, ASCII) and row splicing."""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring_ascii
from typing import Any

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)
"""What `json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=True)` builds on every call, built once."""


def encode(value: Any) -> bytes:
    """`value` as the server's JSON provider writes it: sorted keys, `,`/`:` separators, ASCII escapes."""
    return _ENCODER.encode(value).encode()


def _key(key: Any) -> bytes:
    """An object key as the encoder writes it (text keys through the encoder's own C escaper)."""
    return encode_basestring_ascii(key).encode() if isinstance(key, str) else encode(key)


class JSONRows:
    """A JSON array whose items are already encoded (cached row bytes); `encode_payload` splices them in."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[bytes]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def decoded(self) -> list[Any]:
        """The rows as JSON values (for readers of a payload; the bytes are what gets sent)."""
        return [json.loads(row) for row in self.rows]


def _spliced(value: Any, depth: int) -> bool:
    """Whether a payload holds `JSONRows` within `depth` levels of objects (envelope → data → field)."""
    if isinstance(value, JSONRows):
        return True
    if depth and isinstance(value, dict):
        return any(_spliced(v, depth - 1) for v in value.values())
    return False


def _splice(value: Any, out: list[bytes]) -> None:
    """Append the value's bytes to `out` (joined once at the end: big row lists are copied once, not per level)."""
    if isinstance(value, JSONRows):
        out.append(b"[")
        out.append(b",".join(value.rows))
        out.append(b"]")
    elif isinstance(value, dict) and _spliced(value, 2):
        out.append(b"{")
        for index, (key, item) in enumerate(sorted(value.items())):
            out.append(b"," + _key(key) + b":" if index else _key(key) + b":")
            _splice(item, out)
        out.append(b"}")
    else:
        out.append(encode(value))


def encode_payload(payload: Any, suffix: bytes = b"") -> bytes:
    """`encode(payload) + suffix`, with any `JSONRows` near the top (e.g. `data`, `data.docs`) spliced in as
    they are."""
    if isinstance(payload, dict) and _spliced(payload, 2):
        out: list[bytes] = []
        _splice(payload, out)
        out.append(suffix)
        return b"".join(out)
    return encode(payload) + suffix


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_utf8(text: str) -> bytes:
    """UTF-8 bytes of JSON text written with `ensure_ascii=False`; a lone surrogate (client text such as
    `"\\ud800"` decodes to one, and it can only sit inside a string literal) is written as its `\\uXXXX` escape,
    so the bytes stay valid UTF-8 and decode to the same value."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(_escape_surrogate, text).encode("utf-8")
