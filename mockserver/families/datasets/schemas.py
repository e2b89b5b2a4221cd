"""Request schemas of dataset create/update, with the server's field order, limits and validator texts."""

from __future__ import annotations

import copy
import json
import string
import typing
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

ChunkMethod = Literal[
    "naive",
    "book",
    "email",
    "laws",
    "manual",
    "one",
    "paper",
    "picture",
    "presentation",
    "qa",
    "table",
    "tag",
]
CHUNK_METHODS: tuple[str, ...] = typing.get_args(ChunkMethod)

RAPTOR_PROMPT = (
    "Please summarize the following paragraphs. Be careful with the numbers, do not make things up. "
    "Paragraphs as following:\n      {cluster_content}\nThe above is the content you need to summarize."
)
DEFAULT_ENTITY_TYPES = ["organization", "person", "geo", "event", "category"]
PARSER_CONFIG_LIMIT = 65535

_NAIVE_DEFAULT: dict[str, Any] = {
    "chunk_token_num": 128,
    "delimiter": "\\n",
    "html4excel": False,
    "layout_recognize": "DeepDOC",
    "raptor": {"use_raptor": False},
}
_RAPTOR_ONLY: dict[str, Any] = {"raptor": {"use_raptor": False}}


def default_parser_config(chunk_method: str) -> dict[str, Any]:
    """The parser_config stored when none is given, per chunk method."""
    if chunk_method == "naive":
        return copy.deepcopy(_NAIVE_DEFAULT)
    if chunk_method in ("qa", "manual", "paper", "book", "laws", "presentation"):
        return copy.deepcopy(_RAPTOR_ONLY)
    if chunk_method == "knowledge_graph":
        return {
            "chunk_token_num": 8192,
            "delimiter": "\\n",
            "entity_types": ["organization", "person", "location", "event", "time"],
        }
    return {}


ABSENT: Any = None
"""Default of a field the server declares non-Optional with a None default: absent reads None (pydantic does
not validate defaults) while an explicit null fails the type (`name`, `parser_config`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RaptorConfig(_Strict):
    use_raptor: bool = False
    prompt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = RAPTOR_PROMPT
    max_token: int = Field(default=256, ge=1, le=2048)
    threshold: float = Field(default=0.1, ge=0, le=1)
    max_cluster: int = Field(default=64, ge=1, le=1024)
    random_seed: int = Field(default=0, ge=0)


class GraphragConfig(_Strict):
    use_graphrag: bool = False
    entity_types: list[str] = Field(default_factory=lambda: list(DEFAULT_ENTITY_TYPES))
    method: Literal["light", "general"] = "light"
    community: bool = False
    resolution: bool = False


class ParserConfig(_Strict):
    auto_keywords: int = Field(default=0, ge=0, le=32)
    auto_questions: int = Field(default=0, ge=0, le=10)
    chunk_token_num: int = Field(default=128, ge=1, le=2048)
    delimiter: str = Field(default="\\n", min_length=1)
    graphrag: GraphragConfig | None = None
    html4excel: bool = False
    layout_recognize: str = "DeepDOC"
    raptor: RaptorConfig | None = None
    tag_kb_ids: list[str] = Field(default_factory=list)
    topn_tags: int = Field(default=1, ge=1, le=10)
    filename_embd_weight: float | None = Field(default=None, ge=0, le=1)
    task_page_size: int | None = Field(default=None, ge=1)
    pages: list[list[int]] | None = None


def _check_avatar(value: str | None) -> str | None:
    if value is None:
        return value
    if "," not in value:
        raise ValueError("Missing MIME prefix. Expected format: data:<mime>;base64,<data>")
    prefix = value.split(",", 1)[0]
    if not prefix.startswith("data:"):
        raise ValueError("Invalid MIME prefix format. Must start with 'data:'")
    mime = prefix[len("data:") :].split(";", 1)[0]
    if mime not in ("image/jpeg", "image/png"):
        raise ValueError("Unsupported MIME type. Allowed: ['image/jpeg', 'image/png']")
    return value


def _check_embedding(value: str) -> str:
    if "@" not in value:
        raise ValueError("Embedding model identifier must follow <model_name>@<provider> format")
    model, provider = value.rsplit("@", 1)
    if not model.strip() or not provider.strip():
        raise ValueError("Both model_name and provider must be non-empty strings")
    return value


def _check_parser_config_size(value: ParserConfig | None) -> ParserConfig | None:
    if value is None:
        return value
    size = len(json.dumps(value.model_dump()))
    if size > PARSER_CONFIG_LIMIT:
        raise ValueError(
            f"Parser config exceeds size limit (max {PARSER_CONFIG_LIMIT:,} characters). Current size: {size:,}"
        )
    return value


def _lower_permission(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class _RequiredName(_Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class _OptionalName(_Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)] = ABSENT


class _DatasetFields(_Strict):
    avatar: str | None = Field(default=None, max_length=65535)
    description: str | None = Field(default=None, max_length=65535)
    embedding_model: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = ""
    permission: Literal["me", "team"] = "me"
    chunk_method: ChunkMethod = "naive"
    pagerank: int = Field(default=0, ge=0, le=100)
    parser_config: ParserConfig = ABSENT

    _avatar = field_validator("avatar")(_check_avatar)
    _embedding = field_validator("embedding_model")(_check_embedding)
    _permission = field_validator("permission", mode="before")(_lower_permission)
    _parser_size = field_validator("parser_config")(_check_parser_config_size)


# Base order is reversed MRO, so `name` (from the last base) is declared first, as on the server.
class CreateDatasetBody(_DatasetFields, _RequiredName):
    """`POST /api/v1/datasets` body."""


class UpdateDatasetBody(_DatasetFields, _OptionalName):
    """`PUT /api/v1/datasets/{dataset_id}` body plus the path id (validated as UUID1, checked last)."""

    dataset_id: str

    @field_validator("dataset_id", mode="before")
    @classmethod
    def _uuid1(cls, value: Any) -> Any:
        return check_uuid1(value)


_HEX = frozenset(string.hexdigits)
_GROUP_LENGTHS = (8, 4, 4, 4, 12)


def _uuid_problem(text: str) -> str | None:
    """The reason text the server's UUID parser gives for a malformed id, or None when it parses."""
    body, offset = text, 0
    if body.startswith("urn:uuid:"):
        body, offset = body[9:], 9
    elif body.startswith("{") and body.endswith("}"):
        body, offset = body[1:-1], 1
    for index, ch in enumerate(body):
        if ch not in _HEX and ch != "-":
            return (
                "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], "
                f"found `{ch}` at {index + 1 + offset}"
            )
    groups = body.split("-")
    if len(groups) == 1:
        if len(body) != 32:
            return f"invalid length: expected length 32 for simple format, found {len(body)}"
        return None
    if len(groups) != 5:
        return f"invalid group count: expected 5, found {len(groups)}"
    for position, (group, expected) in enumerate(zip(groups, _GROUP_LENGTHS, strict=True)):
        if len(group) != expected:
            return f"invalid group length in group {position}: expected {expected}, found {len(group)}"
    return None


def check_uuid1(value: Any) -> Any:
    """Validate a path id as a version-1 UUID with the server's (pydantic 2.9) messages; keep it raw."""
    if not isinstance(value, str):
        raise PydanticCustomError("uuid_type", "UUID input should be a string, bytes or UUID object")
    problem = _uuid_problem(value)
    if problem is not None:
        raise PydanticCustomError("uuid_parsing", "Input should be a valid UUID, {error}", {"error": problem})
    if uuid.UUID(value).version != 1:
        raise PydanticCustomError("uuid_version", "UUID version {expected_version} expected", {"expected_version": 1})
    return value
