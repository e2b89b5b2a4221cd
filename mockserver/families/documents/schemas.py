"""Request values of the document routes, read from the JSON body in the server's order (its checks and crashes)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from mockserver.core.errors import DataError
from mockserver.core.python_failures import gettable, keyed


class Unset(enum.Enum):
    """A field the client did not send."""

    UNSET = "unset"


UNSET = Unset.UNSET

UPDATE_KEYS = (
    "chunk_count",
    "token_count",
    "progress",
    "meta_fields",
    "name",
    "parser_config",
    "chunk_method",
    "enabled",
)


@dataclass(frozen=True)
class DocumentUpdate:
    """updateDocument's body: each value as sent (any JSON) or UNSET. The server checks each one in turn while
    applying the earlier ones, so the store checks them (`DocumentStore.update`), not this parser."""

    chunk_count: Any = UNSET
    token_count: Any = UNSET
    progress: Any = UNSET
    meta_fields: Any = UNSET
    name: Any = UNSET
    parser_config: Any = UNSET
    chunk_method: Any = UNSET
    enabled: Any = UNSET

    @classmethod
    def from_body(cls, raw: Any) -> DocumentUpdate:
        """updateDocument: the body is tested with `key in body`, so a list or string body crashes as in Python."""
        body = keyed(raw, UPDATE_KEYS)
        return cls(**{key: body[key] for key in UPDATE_KEYS if key in body})


def ids_to_delete(raw: Any) -> Any:
    """deleteDocuments: `ids` as sent (None for an empty or missing body: every document of the dataset)."""
    return gettable(raw).get("ids") if raw else None


def document_ids(raw: Any) -> Any:
    """parseDocuments, stopParsingDocuments: `document_ids` as sent; required."""
    ids = gettable(raw).get("document_ids")
    if not ids:
        raise DataError("`document_ids` is required")
    return ids
