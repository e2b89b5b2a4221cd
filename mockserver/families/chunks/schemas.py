"""Request values of the chunk routes, read from the JSON body in the server's order (its checks and crashes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.core.errors import DataError
from mockserver.core.python_failures import gettable, joined, keyed, not_string_or_bytes, py_int, python_semantics

UPDATE_KEYS = ("content", "important_keywords", "questions", "available")


def clean_questions(questions: list[Any]) -> list[str]:
    """The server's question cleaning (`str(q).strip()`, blanks dropped), then its `"\n".join` of the list
    as sent for the question tokens: a non-string item fails there."""
    cleaned = [str(q).strip() for q in questions if str(q).strip()]
    joined(questions, "\n")
    return cleaned


def _keywords(value: list[Any]) -> list[str]:
    """Keywords the server joins with spaces for the keyword tokens: a non-string item fails there."""
    joined(value, " ")
    return list(value)


@dataclass(frozen=True)
class NewChunk:
    """addChunk's body: content, keywords and (cleaned) questions."""

    content: str
    important_keywords: list[str]
    questions: list[str]

    @classmethod
    def from_body(cls, raw: Any) -> NewChunk:
        """addChunk: `content` required; keyword and question lists; a non-string content or keyword crashes."""
        body = gettable(raw)
        if not str(body.get("content", "")).strip():
            raise DataError("`content` is required")
        if "important_keywords" in body and not isinstance(body["important_keywords"], list):
            raise DataError("`important_keywords` is required to be a list")
        if "questions" in body and not isinstance(body["questions"], list):
            raise DataError("`questions` is required to be a list")
        content = body["content"]
        with python_semantics():  # the server hashes content + document id: a non-string fails there
            _ = content + ""
        return cls(content, _keywords(body.get("important_keywords", [])), clean_questions(body.get("questions", [])))


@dataclass(frozen=True)
class ChunkUpdate:
    """updateChunk's body: each field None when not sent (the chunk keeps its value)."""

    content: str | None = None
    important_keywords: list[str] | None = None
    questions: list[str] | None = None
    available: int | None = None

    @classmethod
    def from_body(cls, raw: Any) -> ChunkUpdate:
        """updateChunk: content a string, keyword and question lists, `available` through `int()`."""
        body = keyed(raw, UPDATE_KEYS)
        content = body.get("content")
        if "content" in body and not isinstance(content, str):
            raise not_string_or_bytes()
        keywords = questions = None
        if "important_keywords" in body:
            if not isinstance(body["important_keywords"], list):
                raise DataError("`important_keywords` should be a list")
            keywords = _keywords(body["important_keywords"])
        if "questions" in body:
            if not isinstance(body["questions"], list):
                raise DataError("`questions` should be a list")
            questions = clean_questions(body["questions"])
        available = py_int(body["available"]) if "available" in body else None
        return cls(content, keywords, questions, available)


def chunk_ids_sent(raw: Any) -> tuple[bool, Any]:
    """deleteChunks: whether `chunk_ids` was sent, and its value as sent (any JSON; the store checks it)."""
    body = keyed(raw, ("chunk_ids",))
    return "chunk_ids" in body, body.get("chunk_ids")
