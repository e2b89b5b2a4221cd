"""Profile `2024-06-dataset`: v0.10.0's row shapes, parser ids and the Python helpers its routes share.

The state is the current profile's; these views show it with v0.10.0's internal column names (no `pagerank`,
no `meta_fields`, thumbnails null when absent). Errors the handlers caught are code-100 `{"code","message"}`
bodies (`caught`); what escaped them is the old builder's (see `mockserver.http.historical`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mockserver.core.errors import MySQLError, PythonError, RagflowError, RetCode
from mockserver.core.python_failures import no_attribute, py_float, py_int
from mockserver.families.chats.config import varchar
from mockserver.families.datasets.models import Dataset
from mockserver.families.documents.models import DOCUMENT_COLUMNS, Document

PARSER_IDS = (
    "presentation",
    "laws",
    "manual",
    "paper",
    "resume",
    "book",
    "qa",
    "table",
    "naive",
    "picture",
    "one",
    "audio",
    "email",
    "knowledge_graph",
)
"""v0.10.0's `ParserType` values (`chunk_method` / `template_type` must be one of them)."""
DATASET_KEYS = (
    "avatar",
    "chunk_num",
    "create_date",
    "create_time",
    "created_by",
    "description",
    "doc_num",
    "embd_id",
    "id",
    "language",
    "name",
    "parser_config",
    "parser_id",
    "permission",
    "similarity_threshold",
    "status",
    "tenant_id",
    "token_num",
    "update_date",
    "update_time",
    "vector_similarity_weight",
)
"""The 21 columns of a v0.10.0 Knowledgebase row (no `pagerank` yet)."""
DETAIL_KEYS = (
    "avatar",
    "chunk_num",
    "description",
    "doc_num",
    "embd_id",
    "id",
    "language",
    "name",
    "parser_config",
    "parser_id",
    "permission",
    "token_num",
)
"""The 12 keys of the details route."""
DOCUMENT_KEYS = tuple(c for c in DOCUMENT_COLUMNS if c != "meta_fields")
"""The 23 columns of a v0.10.0 Document row (no `meta_fields` yet)."""
UPLOAD_KEYS = (
    "created_by",
    "id",
    "kb_id",
    "location",
    "name",
    "parser_config",
    "parser_id",
    "size",
    "thumbnail",
    "type",
)
"""The request-side document dict the upload route answers with."""
TASK_STATUS = {"0": "UNSTART", "1": "RUNNING", "2": "CANCEL", "3": "DONE", "4": "FAIL"}
"""`TaskStatus(doc.status).name`: the parsing-status route reads the enable flag."""
KB_COLUMNS = frozenset(DATASET_KEYS)
DOC_COLUMNS = frozenset(DOCUMENT_KEYS)
NO_PARAMETER = "Please input at least one parameter that you want to update!"
MAX_UPLOAD_FILES = 256


@contextmanager
def caught() -> Iterator[None]:
    """A handler's own `except Exception as e: return construct_error_response(e)`: code 100, the repr, no data."""
    try:
        yield
    except PythonError as err:
        raise RagflowError(err.message, code=RetCode.EXCEPTION_ERROR.value) from None


def py_str(value: Any) -> str:
    """Python's `f"{value}"` of a decoded JSON value (`True`, `None`, `['a']`)."""
    return value if isinstance(value, str) else str(value)


def dataset_row(dataset: Dataset) -> dict[str, Any]:
    """A D2/D5 item: the 21 internal columns."""
    return {key: copy.deepcopy(getattr(dataset, key)) for key in DATASET_KEYS}


def document_row(doc: Document) -> dict[str, Any]:
    """A D8/D9 item: the 23 internal columns (`thumbnail` null when there is none)."""
    row = {key: copy.deepcopy(getattr(doc, key)) for key in DOCUMENT_KEYS}
    row["thumbnail"] = doc.thumbnail or None
    return row


def sliced(rows: list[Any], offset: int, count: int) -> list[Any]:
    """`rows[offset:]` (count −1) or `rows[offset:offset+count]`, after the server's range check."""
    if offset < 0 or offset > len(rows):
        raise PythonError("IndexError", "Offset is out of the valid range.")
    return rows[offset:] if count == -1 else rows[offset : offset + count]


def member(value: Any, allowed: tuple[str, ...]) -> bool:
    """`value in [list of str]` (any JSON value, unhashable ones included)."""
    return isinstance(value, str) and value in allowed


_INT_COLUMNS = frozenset({"token_num", "chunk_num", "doc_num"})
_FLOAT_COLUMNS = frozenset({"similarity_threshold", "vector_similarity_weight"})
_TEXT_COLUMNS = frozenset({"avatar", "description", "language", "permission", "status", "parser_id", "embd_id", "name"})


def column_value(column: str, value: Any) -> Any:
    """What writing `value` into a Knowledgebase column gives: peewee's int/float coercion, MySQL's NOT NULL, text
    for text columns; a `parser_config` that is no object is refused with the crash its later use would raise."""
    if value is None and column in _INT_COLUMNS | _FLOAT_COLUMNS:
        raise MySQLError(1048, f"Column '{column}' cannot be null")
    if column in _INT_COLUMNS:
        return py_int(value)
    if column in _FLOAT_COLUMNS:
        return py_float(value)
    if column in _TEXT_COLUMNS:
        return varchar(value)
    if column == "parser_config" and not isinstance(value, dict):
        raise no_attribute(value, "get")
    return copy.deepcopy(value)
