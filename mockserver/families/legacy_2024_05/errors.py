"""Errors of the 2024-05 (v0.7.0) legacy profile that no other family has."""

from __future__ import annotations

from mockserver.core.errors import RagflowError, RetCode

NO_CHUNK_FOUND = "No chunk found, please upload file and parse it."


class NoChunkFound(RagflowError):
    """`list_chunks` of an unknown document: the search hits no index, `{"data":null,"retcode":100,…}`."""

    code = RetCode.EXCEPTION_ERROR.value
    three_keys = True

    def __init__(self) -> None:
        super().__init__(NO_CHUNK_FOUND)
