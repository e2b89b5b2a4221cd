"""The text of a .docx read as a stream (body paragraphs, then tables), stopping once enough text was read."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN_PART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_RUN_TEXT = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def _main_part(archive: zipfile.ZipFile) -> str:
    """The main document part the package relationships name (`word/document.xml` in every Word file)."""
    from lxml import etree

    try:
        rels = etree.fromstring(archive.read("_rels/.rels"), etree.XMLParser(resolve_entities=False))
    except (KeyError, etree.XMLSyntaxError):
        return "word/document.xml"
    for rel in rels.iter(_RELS):
        if rel.get("Type") == _MAIN_PART and rel.get("TargetMode") != "External":
            return posixpath.normpath(str(rel.get("Target", "")).lstrip("/"))
    return "word/document.xml"


def _run_text(run: Any) -> str:
    parts: list[str] = []
    for child in run:
        tag = child.tag
        if tag == f"{W}t":
            parts.append(child.text or "")
        elif tag == f"{W}br":
            parts.append("\n" if child.get(f"{W}type", "textWrapping") == "textWrapping" else "")
        else:
            parts.append(_RUN_TEXT.get(tag, ""))
    return "".join(parts)


def paragraph_text(paragraph: Any) -> str:
    """A `w:p`'s text as python-docx's `Paragraph.text` gives it: runs and hyperlinked runs, tabs and breaks."""
    parts: list[str] = []
    for child in paragraph:
        if child.tag == f"{W}r":
            parts.append(_run_text(child))
        elif child.tag == f"{W}hyperlink":
            parts.extend(_run_text(run) for run in child.iterchildren(f"{W}r"))
    return "".join(parts)


def _row_cells(row: Any) -> list[str]:
    return ["\n".join(paragraph_text(p) for p in cell.iterchildren(f"{W}p")) for cell in row.iterchildren(f"{W}tc")]


def docx_text(data: bytes, max_chars: int) -> tuple[list[str], list[list[str]], bool]:
    """Body paragraphs with text and table rows (cells) of a .docx, read incrementally with bounded memory;
    reading stops once `max_chars` characters were collected (the third value says it stopped early)."""
    from lxml import etree

    paragraphs: list[str] = []
    rows: list[list[str]] = []
    size = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(_main_part(archive)) as stream:
        events = etree.iterparse(stream, events=("end",), tag=(f"{W}p", f"{W}tbl"), resolve_entities=False)
        for _, element in events:
            parent = element.getparent()
            if parent is None or parent.tag != f"{W}body":
                continue  # a paragraph inside a table cell: read with its row
            if element.tag == f"{W}p":
                text = paragraph_text(element)
                if text.strip():
                    paragraphs.append(text)
                    size += len(text)
            else:
                for row in element.iterchildren(f"{W}tr"):
                    cells = _row_cells(row)
                    rows.append(cells)
                    size += sum(len(c) for c in cells)
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
            if size >= max_chars:
                return paragraphs, rows, True
    return paragraphs, rows, False
