"""MySQL column widths of the server's tables: a string longer than its VARCHAR is the server's 1406 error."""

from __future__ import annotations

from typing import Any

from mockserver.core.errors import MySQLError

NAME_WIDTH = 255
"""`CharField(max_length=255)`: the chat (`dialog.name`), session (`conversation.name`, `.user_id`) and agent
(`user_canvas.title`) columns."""


def data_too_long(column: str) -> MySQLError:
    """MySQL strict mode's reply for an over-long value: code 100, message `1406`, the text as data."""
    return MySQLError(1406, f"Data too long for column '{column}' at row 1")


def fit_varchar(column: str, value: Any, width: int = NAME_WIDTH) -> Any:
    """`value` when it fits a VARCHAR(`width`) column (characters, as utf8mb4 counts), else the 1406 error."""
    if isinstance(value, str) and len(value) > width:
        raise data_too_long(column)
    return value
