"""Reading an uploaded file's bytes into text sections, per format (pure-Python libraries loaded lazily)."""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import io
import json
import logging
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Any

from mockserver.core.chunking.docx_text import docx_text

TEXT_EXTENSIONS = frozenset(
    [
        "txt",
        "md",
        "markdown",
        "py",
        "js",
        "java",
        "c",
        "cpp",
        "h",
        "php",
        "go",
        "ts",
        "sh",
        "cs",
        "kt",
        "sql",
        "ini",
        "yml",
        "yaml",
        "xml",
        "rtf",
        "log",
    ]
)
"""Read as plain text (source code included)."""
LEGACY_BINARY = frozenset(["doc", "ppt", "xls", "wps", "pages", "numbers", "key", "hlp"])
"""Binary office formats no light pure-Python library reads: placeholder chunks."""
LOG = logging.getLogger("mockserver.parsing")
NOT_PAGED = 100_000_000
"""The page count the server's tasks use for formats without pages."""
MAX_TEXT_CHARS = 1_000_000
"""Characters of extracted text the emulator chunks per document (about 500 pages); the rest of a larger file
is not read, so a pathological upload parses in bounded time and memory (docs/quirks.md)."""


@dataclass(frozen=True)
class Section:
    """A run of text from the file; PDF sections know their page and vertical box."""

    text: str
    page: int | None = None
    top: int = 0
    bottom: int = 0
    width: int = 0


@dataclass(frozen=True)
class Extracted:
    """What a reader found: sections in reading order, page count, and whether content is tabular."""

    sections: list[Section]
    pages: int = NOT_PAGED
    rows: list[list[str]] | None = None
    placeholder: bool = False


def extension(name: str) -> str:
    """The lower-cased last extension of a file name (`""` when there is none)."""
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def decode_text(data: bytes) -> str:
    """Decode bytes as the server's text readers do: UTF-8 first, then common fallbacks."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def placeholder(name: str, data: bytes, reason: str) -> Extracted:
    """A clearly labelled, deterministic stand-in when the content cannot be read."""
    digest = hashlib.sha1(data).hexdigest()[:12]
    LOG.warning("%s parses to one placeholder chunk: %s", name, reason)
    text = (
        f"[ragflow-mockserver placeholder] {name} ({len(data)} bytes, sha1 {digest}): {reason}. "
        "The emulator does not extract text from this file."
    )
    return Extracted([Section(text)], placeholder=True)


def bounded(extracted: Extracted, max_chars: int = MAX_TEXT_CHARS) -> Extracted:
    """The first `max_chars` characters of what a reader found (rows cut with the sections they became)."""
    size = 0
    for index, section in enumerate(extracted.sections):
        if size + len(section.text) > max_chars:
            cut = replace(section, text=section.text[: max_chars - size])
            sections = [*extracted.sections[:index], cut] if cut.text else extracted.sections[:index]
            rows = None if extracted.rows is None else extracted.rows[: len(sections)]
            return replace(extracted, sections=sections, rows=rows)
        size += len(section.text)
    return extracted


def read(name: str, data: bytes) -> Extracted:
    """Dispatch on the extension (at most `MAX_TEXT_CHARS` of text); unreadable content becomes a placeholder."""
    return bounded(_read(name, data))


def _read(name: str, data: bytes) -> Extracted:
    ext = extension(name)
    reader = _READERS.get(ext)
    if reader is None:
        if ext in TEXT_EXTENSIONS:
            return Extracted([Section(decode_text(data))])
        if ext in LEGACY_BINARY:
            return placeholder(name, data, f"legacy binary .{ext} format")
        return placeholder(name, data, f"no text in .{ext or 'unknown'} media")
    try:
        return reader(data)
    except ImportError as exc:
        return placeholder(name, data, f"library {exc.name or 'missing'} is not installed")
    except Exception as exc:  # the library could not read it: deterministic placeholder, never a crash
        return placeholder(name, data, f"unreadable .{ext} content ({type(exc).__name__})")


# -- per-format readers ------------------------------------------------------------------------------
class _TextOfHtml(HTMLParser):
    _BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "table",
            "section",
            "article",
            "pre",
            "blockquote",
            "title",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _html(data: bytes) -> Extracted:
    parser = _TextOfHtml()
    parser.feed(decode_text(data))
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return Extracted([Section("\n".join(line for line in lines if line))])


def _json(data: bytes) -> Extracted:
    text = decode_text(data)
    try:
        value: Any = json.loads(text)
    except ValueError:
        return Extracted([Section(text)])
    if isinstance(value, dict):
        items = [{key: item} for key, item in value.items()]
    elif isinstance(value, list):
        items = list(value)
    else:
        items = [value]
    return Extracted([Section(json.dumps(item, ensure_ascii=False) + "\n") for item in items])


def _csv(data: bytes) -> Extracted:
    rows: list[list[str]] = []
    size = 0
    for row in csv.reader(io.StringIO(decode_text(data))):
        if any(cell.strip() for cell in row):
            rows.append(row)
            size += sum(len(cell) + 1 for cell in row)
            if size > MAX_TEXT_CHARS:
                break
    return Extracted([Section(",".join(row) + "\n") for row in rows], rows=rows)


def _eml(data: bytes) -> Extracted:
    message = email.message_from_bytes(data, policy=email.policy.default)
    head = [f"{key}: {message[key]}" for key in ("From", "To", "Cc", "Subject", "Date") if message[key]]
    bodies: list[str] = []
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html") and not part.is_attachment():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                decoded = decode_text(payload)
                bodies.append(_html(payload).sections[0].text if part.get_content_type() == "text/html" else decoded)
                if part.get_content_type() == "text/plain":
                    break
    return Extracted([Section("\n".join(head) + "\n"), *(Section(b) for b in bodies)])


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    sections: list[Section] = []
    for number, page in enumerate(reader.pages, start=1):
        width, height = int(float(page.mediabox.width)), int(float(page.mediabox.height))
        lines = [line for line in (page.extract_text() or "").splitlines() if line.strip()]
        step = height // (len(lines) + 1) if lines else 0
        for index, line in enumerate(lines):
            top = step * (index + 1) - step // 2
            sections.append(Section(line + "\n", page=number, top=top, bottom=top + max(1, step - 2), width=width))
    return Extracted(sections, pages=len(reader.pages))


def _docx(data: bytes) -> Extracted:
    paragraphs, rows, _ = docx_text(data, MAX_TEXT_CHARS)
    sections = [Section(text + "\n") for text in paragraphs]
    sections += [Section("; ".join(cell.strip() for cell in cells) + "\n") for cells in rows]
    return Extracted(sections)


def _xlsx(data: bytes) -> Extracted:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows: list[list[str]] = []
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            row = ["" if v is None else str(v) for v in values]
            if any(cell.strip() for cell in row):
                rows.append(row)
    workbook.close()
    return Extracted([Section(",".join(row) + "\n") for row in rows], rows=rows)


def _pptx(data: bytes) -> Extracted:
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    sections = []
    for number, slide in enumerate(deck.slides, start=1):
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text]
        sections.append(Section("\n".join(texts) + "\n", page=number))
    return Extracted(sections, pages=len(sections))


_READERS = {
    "html": _html,
    "htm": _html,
    "json": _json,
    "csv": _csv,
    "eml": _eml,
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": _pptx,
}
