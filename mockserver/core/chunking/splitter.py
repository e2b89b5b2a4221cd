"""Splitting extracted sections into chunks: naive token-bounded merge, Q&A, table rows, one, per page."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from mockserver.core.chunking.readers import Extracted, Section
from mockserver.core.search import count_tokens

DEFAULT_CHUNK_TOKENS = 128
DEFAULT_DELIMITER = "\\n"


@dataclass(frozen=True)
class Piece:
    """One chunk to be: its text and, for layout-aware formats, `[page, x0, x1, top, bottom]` boxes."""

    text: str
    positions: list[list[int]] = field(default_factory=list)
    tokens: int | None = None
    """`count_tokens(text)` when computed ahead (off the event loop), else None."""


def decode_delimiter(raw: Any) -> str:
    """The stored delimiter (`"\\\\n"`: backslash + n) as the server reads it: escapes decoded."""
    text = raw if isinstance(raw, str) and raw else DEFAULT_DELIMITER
    try:
        return codecs.decode(text.encode("utf-8"), "unicode_escape").encode("latin-1").decode("utf-8")
    except (UnicodeError, ValueError):
        return text


def _split_pattern(delimiter: str) -> re.Pattern[str]:
    """Each character is a delimiter; text in backticks is one multi-character delimiter."""
    multi = re.findall(r"`([^`]+)`", delimiter)
    singles = re.sub(r"`[^`]+`", "", delimiter)
    options = sorted({*multi, *singles}, key=len, reverse=True)
    return re.compile("(" + "|".join(re.escape(o) for o in options if o) + ")") if options else re.compile("(\n)")


def _chunk_tokens(config: dict[str, Any]) -> int:
    value = config.get("chunk_token_num", DEFAULT_CHUNK_TOKENS)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_CHUNK_TOKENS


def _box(section: Section) -> list[int] | None:
    if section.page is None or not section.width:
        return None
    return [section.page, 0, section.width, section.top, section.bottom]


def _add_box(boxes: list[list[int]], box: list[int] | None) -> None:
    """Merge consecutive boxes of the same page into one vertical span."""
    if box is None:
        return
    if boxes and boxes[-1][0] == box[0]:
        last = boxes[-1]
        last[3], last[4] = min(last[3], box[3]), max(last[4], box[4])
    else:
        boxes.append(list(box))


def naive_merge(sections: list[Section], chunk_token_num: int, delimiter: str) -> list[Piece]:
    """Split at delimiters (kept with the text) and merge pieces until a chunk passes `chunk_token_num`."""
    pattern = _split_pattern(delimiter)
    texts: list[str] = []
    tokens: list[int] = []
    boxes: list[list[list[int]]] = []
    for section in sections:
        parts = pattern.split(section.text)
        fragments = ["".join(parts[i : i + 2]) for i in range(0, len(parts), 2)]
        for fragment in fragments:
            if not fragment:
                continue
            size = count_tokens(fragment)
            if not texts or tokens[-1] > chunk_token_num:
                texts.append(fragment)
                tokens.append(size)
                boxes.append([])
            else:
                texts[-1] += fragment
                tokens[-1] += size
            if fragment.strip():
                _add_box(boxes[-1], _box(section))
    return [Piece(t.strip(), b) for t, b in zip(texts, boxes, strict=True) if t.strip()]


_QA_LABEL = re.compile(r"^(问题|答案|回答|user|assistant|Q|A|Question|Answer|问|答)[\t:： ]+", re.IGNORECASE)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def qa_content(question: str, answer: str) -> str:
    """A Q&A chunk's text as the server writes it (labels stripped, Chinese labels for Chinese text)."""
    q, a = _QA_LABEL.sub("", question.strip()), _QA_LABEL.sub("", answer.strip())
    if _CHINESE.search(q + a):
        return f"问题：{q}\t回答：{a}"
    return f"Question: {q}\tAnswer: {a}"


def _qa(extracted: Extracted) -> list[Piece]:
    if extracted.rows is not None:
        pairs = [(r[0], r[1]) for r in extracted.rows if len(r) >= 2 and r[0].strip()]
    else:
        pairs = []
        for line in "".join(s.text for s in extracted.sections).splitlines():
            question, tab, answer = line.partition("\t")
            if tab and question.strip():
                pairs.append((question, answer))
            elif pairs and line.strip():
                pairs[-1] = (pairs[-1][0], pairs[-1][1] + "\n" + line)
    return [Piece(qa_content(q, a)) for q, a in pairs]


def _table(extracted: Extracted) -> list[Piece]:
    rows = extracted.rows
    if rows is None:
        rows = [re.split(r"\t|,", line) for line in "".join(s.text for s in extracted.sections).splitlines()]
        rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 2:
        return [Piece(" ".join(",".join(r) for r in rows))] if rows else []
    header = rows[0]
    pieces = []
    for row in rows[1:]:
        fields = [f"{header[i] if i < len(header) else i}: {cell}" for i, cell in enumerate(row) if cell.strip()]
        pieces.append(Piece("; ".join(fields)))
    return pieces


def _rows_as_text(extracted: Extracted) -> list[Section]:
    """Spreadsheet rows as `header：value; …` lines, like the server's Excel reader for naive chunking."""
    assert extracted.rows is not None
    header, *body = extracted.rows
    if not body:
        return [Section(",".join(header) + "\n")]
    return [
        Section("; ".join(f"{header[i] if i < len(header) else ''}：{c}" for i, c in enumerate(r) if c) + "\n")
        for r in body
    ]


def _whole(sections: list[Section]) -> list[Piece]:
    """All sections as one chunk (boxes merged per page)."""
    text = "".join(s.text for s in sections).strip()
    boxes: list[list[int]] = []
    for section in sections:
        _add_box(boxes, _box(section))
    return [Piece(text, boxes)] if text else []


def by_method(extracted: Extracted, chunk_method: str, config: dict[str, Any]) -> list[Piece]:
    """Chunks of extracted content for one `chunk_method`."""
    sections = extracted.sections
    if extracted.placeholder or chunk_method in ("picture", "audio", "one"):
        return _whole(sections)
    if chunk_method == "qa":
        return _qa(extracted)
    if chunk_method == "table":
        return _table(extracted)
    if chunk_method == "presentation" and any(s.page for s in sections):
        pages: dict[int | None, list[Section]] = {}
        for section in sections:
            pages.setdefault(section.page, []).append(section)
        return [piece for group in pages.values() for piece in _whole(group)]
    if extracted.rows is not None:
        sections = _rows_as_text(extracted)
    return naive_merge(sections, _chunk_tokens(config), decode_delimiter(config.get("delimiter")))
