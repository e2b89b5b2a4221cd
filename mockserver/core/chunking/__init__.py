"""Chunking: turn a document's real content into chunks by its `chunk_method` and `parser_config`."""

from __future__ import annotations

from typing import Any

from mockserver.core.chunking.readers import Extracted, Section, read
from mockserver.core.chunking.splitter import Piece, by_method

__all__ = ["Extracted", "Piece", "Section", "chunk_document"]


def chunk_document(name: str, data: bytes, chunk_method: str, parser_config: dict[str, Any]) -> tuple[list[Piece], int]:
    """Chunks of a file and the page count its parse log mentions."""
    extracted = read(name, data)
    return by_method(extracted, chunk_method, parser_config), extracted.pages
