"""Sentences of a chunk as a reader sees them: hard wraps joined, markdown markup and headings dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_]\s*){3,}$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE_MARK = re.compile(r"^\s*(?:>\s?)+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|[。！？]+[”’」』）]*")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "mt",
        "messrs",
        "rev",
        "gen",
        "col",
        "capt",
        "lt",
        "sgt",
        "hon",
        "vs",
        "cf",
        "fig",
        "no",
        "vol",
        "pp",
        "ch",
        "approx",
    ]
)
"""Words whose period does not end a sentence (`Mr. Bennet`), as well as single-letter initials."""


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text, with the heading of the section it stands in ("" when none)."""

    text: str
    heading: str
    previous: str = ""
    """The sentence before it in the same paragraph ("" for a paragraph's first)."""

    @property
    def whole(self) -> bool:
        """Whether it reads as a complete sentence: it does not start in lower case (a chunk cut mid-sentence)
        and it ends with a sentence end."""
        opening = self.text.lstrip("\"'“‘([")
        closing = self.text.rstrip("\"'”’)]」』）")
        return bool(opening) and not opening[0].islower() and closing.endswith((".", "!", "?", "…", "。", "！", "？"))

    @property
    def is_question(self) -> bool:
        """Whether the sentence asks rather than states (it ends with a question mark)."""
        return self.text.rstrip("\"'”’)] ").endswith(("?", "？"))


def blocks_of(text: str) -> list[tuple[str, str]]:
    """(heading, paragraph) pairs: blank lines end a paragraph, a heading line starts a section and is no
    paragraph itself; wrapped lines are joined with single spaces and inline markup is dropped."""
    blocks: list[tuple[str, str]] = []
    heading = ""
    lines: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append((heading, " ".join(lines)))
            lines.clear()

    for raw in text.splitlines():
        found = _HEADING.match(raw)
        if found is not None or _RULE.match(raw) is not None or not raw.strip():
            flush()
            if found is not None:
                heading = _inline(found.group(1))
            continue
        if _LIST_MARK.match(raw) is not None:
            flush()  # each list item is its own paragraph
        line = _inline(_QUOTE_MARK.sub("", _LIST_MARK.sub("", raw)))
        if line:
            lines.append(line)
    flush()
    return blocks


def _inline(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    return " ".join(line.split())


def sentences_of(text: str) -> list[Sentence]:
    """The sentences of a text: split after `.`, `!`, `?`, `…` (closing quotes kept) followed by a space, and
    after CJK sentence ends; not after an abbreviation such as `Mr.` or an initial."""
    found: list[Sentence] = []
    for heading, paragraph in blocks_of(text):
        start = 0
        previous = ""
        for end in _END.finditer(paragraph):
            if end.group().startswith(".") and _abbreviated(paragraph[start : end.start()]):
                continue
            piece = paragraph[start : end.end()].strip()
            if piece:
                found.append(Sentence(piece, heading, previous))
                previous = piece
            start = end.end()
        rest = paragraph[start:].strip()
        if rest:
            found.append(Sentence(rest, heading, previous))
    return found


def _abbreviated(before: str) -> bool:
    words = before.split()
    if not words:
        return False
    word = words[-1].lstrip("\"'“‘(").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
