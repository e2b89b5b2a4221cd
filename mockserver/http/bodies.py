"""Request bodies, read once: streamed against the size limit, spooled to disk when large, decoded once.

The one body path of every route (authenticated or not): `read_body` enforces `max_content_length` as the bytes
arrive (a declared `Content-Length` over it is refused before reading); `decode_json` is Flask's `get_json`
(`force=True, silent=True`) including what it does not catch (a nesting too deep for the decoder is the global
handler's RecursionError reply); `parse_form` is Werkzeug's form parser itself (multipart and urlencoded, the
server's 1000-part limit), so file names come out exactly as the real server reads them. Large bodies are
decoded on a worker thread so other clients keep being served.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO, Any

import anyio.to_thread
from starlette.datastructures import FormData, Headers, UploadFile

from mockserver.core.errors import entity_too_large
from mockserver.core.nesting import loads_bounded

SPOOL_THRESHOLD = 1024 * 1024
"""Bodies above this many bytes are kept in a temporary file, not in memory."""
OFF_LOOP_THRESHOLD = 256 * 1024
"""Bodies above this many bytes are decoded (JSON, form) on a worker thread."""
MAX_FORM_PARTS = 1000
"""Werkzeug 3.0's `Request.max_form_parts`: more parts → RequestEntityTooLarge (the server's 413 repr)."""
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


@dataclass
class RequestBody:
    """A body as read: its size, and its bytes in memory or in a spooled temporary file."""

    size: int
    _data: bytes | None = None
    _spool: IO[bytes] | None = None

    def data(self) -> bytes:
        """The whole body (read from the spool when it was large)."""
        if self._data is None:
            assert self._spool is not None
            self._spool.seek(0)
            return self._spool.read()
        return self._data

    def head(self, limit: int) -> bytes:
        """The first `limit` bytes (journal summaries)."""
        if self._data is not None:
            return self._data[:limit]
        assert self._spool is not None
        self._spool.seek(0)
        return self._spool.read(limit)

    def stream(self) -> IO[bytes]:
        """A readable file of the body from its start."""
        if self._spool is None:
            return io.BytesIO(self._data or b"")
        self._spool.seek(0)
        return self._spool

    def close(self) -> None:
        """Drop the spooled file (if any)."""
        if self._spool is not None:
            self._spool.close()


async def read_body(chunks: AsyncIterator[bytes], declared: str | None, limit: int) -> RequestBody:
    """Read a request body against `limit` bytes: the server's 413 repr as soon as it is known to be over."""
    if declared and declared.isdigit() and int(declared) > limit:
        raise entity_too_large()
    parts: list[bytes] = []
    size = 0
    spool: IO[bytes] | None = None
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            if spool is not None:
                spool.close()
            raise entity_too_large()
        if spool is not None:
            spool.write(chunk)
        elif size > SPOOL_THRESHOLD:
            spool = tempfile.TemporaryFile()  # noqa: SIM115 (kept open with the body, closed by `close`)
            spool.writelines(parts)
            spool.write(chunk)
            parts = []
        else:
            parts.append(chunk)
    if spool is not None:
        return RequestBody(size, _spool=spool)
    return RequestBody(size, _data=parts[0] if len(parts) == 1 else b"".join(parts))


def loads(raw: bytes) -> Any:
    """`json.loads` as Flask runs it: a syntax or encoding error is ValueError (the caller decides); a nesting
    deeper than the decoder's recursion limit is the global handler's `RecursionError('maximum recursion depth
    exceeded while decoding a JSON array from a unicode string')` reply (code 100), never an unexpected error;
    a value nested deeper than `core.nesting.MAX_STORED_DEPTH` is refused the same way before anything keeps it."""
    return loads_bounded(raw)


def decode_json(raw: bytes) -> Any:
    """Flask's `get_json(force=True, silent=True)`: any content type; None when empty or not JSON."""
    if not raw.strip():
        return None
    try:
        return loads(raw)
    except ValueError:  # UnicodeDecodeError included
        return None


async def off_loop(body: RequestBody, work: Any, *args: Any) -> Any:
    """Run `work(*args)` on a worker thread when the body is large, inline otherwise."""
    if body.size > OFF_LOOP_THRESHOLD:
        return await anyio.to_thread.run_sync(work, *args)
    return work(*args)


def is_form(content_type: str | None) -> bool:
    """Whether Flask's `request.form` parses a body of this content type."""
    from werkzeug.http import parse_options_header

    mime, _ = parse_options_header(content_type or "")
    return mime in FORM_TYPES


def parse_form(body: RequestBody, content_type: str | None) -> FormData:
    """Werkzeug's own form parser (what `request.form`/`request.files` hold), as Starlette `FormData`.

    A malformed multipart body parses as no parts at all (Werkzeug's silent mode); more than
    `MAX_FORM_PARTS` parts is the server's `<RequestEntityTooLarge '413: Request Entity Too Large'>`.
    """
    from werkzeug.exceptions import RequestEntityTooLarge
    from werkzeug.formparser import FormDataParser
    from werkzeug.http import parse_options_header

    mime, options = parse_options_header(content_type or "")
    parser = FormDataParser(max_form_parts=MAX_FORM_PARTS, silent=True)
    try:
        _, fields, files = parser.parse(body.stream(), mime, body.size, options)
    except RequestEntityTooLarge:
        raise entity_too_large() from None
    items: list[tuple[str, str | UploadFile]] = list(fields.items(multi=True))
    items.extend((name, _upload(storage)) for name, storage in files.items(multi=True))
    return FormData(items)


def _upload(storage: Any) -> UploadFile:
    """A Werkzeug `FileStorage` as a Starlette `UploadFile`."""
    headers = Headers(raw=[(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in storage.headers])
    return UploadFile(storage.stream, filename=storage.filename, headers=headers)
