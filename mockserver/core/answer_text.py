"""Deterministic answer text: word pieces, the grounded sentences with citation markers, reference shaping."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.core.search import STOPWORDS, stem, tokenize
from mockserver.core.sentences import Sentence, sentences_of

NOT_FOUND_SENTENCE = "The answer you are looking for is not found in the knowledge base!"
MAX_CITED_CHUNKS = 3
"""A grounded answer quotes one sentence from each of (at most) the top three chunks."""
_MARKER_RE = re.compile(r"##(\d+)\$\$")
_PIECE_RE = re.compile(r"\s*\S+|\s+$")


def pieces_of(text: str) -> list[str]:
    """Split text into the pieces a model streams: each word with the whitespace before it."""
    return _PIECE_RE.findall(text)


def canned_reference(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """Reference chunks of a scripted rule in the §5.1 format (ids derived from the content when absent)."""
    rendered = []
    for chunk in chunks:
        content = str(chunk["content"])
        name = str(chunk.get("document_name", "scripted.txt"))
        document_id = str(chunk.get("document_id") or _hex(name))
        similarity = float(chunk.get("similarity", 1.0))
        rendered.append(
            {
                "id": str(chunk.get("id") or _hex(content + document_id)),
                "content": content,
                "document_id": document_id,
                "document_name": name,
                "dataset_id": str(chunk.get("dataset_id", "")),
                "image_id": str(chunk.get("image_id", "")),
                "positions": list(chunk.get("positions", [])),
                "url": chunk.get("url"),
                "similarity": similarity,
                "vector_similarity": float(chunk.get("vector_similarity", similarity)),
                "term_similarity": float(chunk.get("term_similarity", similarity)),
            }
        )
    return {"total": len(rendered), "chunks": rendered, "doc_aggs": _aggregate(rendered)}


def _hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()


def _aggregate(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = {}
    for chunk in chunks:
        entry = counts.setdefault(chunk["document_id"], {"doc_name": chunk["document_name"], "doc_id": "", "count": 0})
        entry["doc_id"] = chunk["document_id"]
        entry["count"] += 1
    return sorted(counts.values(), key=lambda a: -int(a["count"]))


def cited_reference(found: dict[str, Any], text: str) -> dict[str, Any]:
    """The final reference: `doc_aggs` keeps only cited documents when a marker points at a real chunk."""
    chunks = found.get("chunks") or []
    cited = {int(n) for n in _MARKER_RE.findall(text) if int(n) < len(chunks)}
    aggs = found.get("doc_aggs", [])
    if cited and isinstance(aggs, list):
        documents = {chunks[i]["document_id"] for i in cited}
        aggs = [a for a in aggs if a.get("doc_id") in documents]
    return {"total": found.get("total", len(chunks)), "chunks": chunks, "doc_aggs": aggs}


def grounded_text(question: str, contents: list[str], quote: bool, idf: Callable[[str], float] | None = None) -> str:
    """The sentences that answer the question, each a whole sentence of its chunk followed by its citation.

    The best sentence of each top chunk is scored (see `_best`; term weights from `idf`, the knowledge base's
    inverse document frequency, else from these chunks' sentences). The best of all is said, and the best of
    another top chunk too when it answers as well (the same question terms, ¾ of the weight); in chunk order.
    """
    focus = question_focus(question)
    candidates = [sentence_terms(sentences_of(c)) for c in contents[:MAX_CITED_CHUNKS]]
    weights = _idf([terms for chunk in candidates for _, terms, _ in chunk])
    if idf is not None:
        weights = {term: idf(term) for term in weights}
    picked = [p for p in (_best(i, chunk, focus, weights) for i, chunk in enumerate(candidates)) if p is not None]
    if not picked:  # nothing shares a term: the first whole sentence (else the first sentence), cited
        firsts = [(i, s) for i, chunk in enumerate(candidates) for _, _, s in chunk if s.whole]
        firsts = firsts or [(i, chunk[0][2]) for i, chunk in enumerate(candidates) if chunk]
        if not firsts:
            return NOT_FOUND_SENTENCE
        picked = [_Pick(firsts[0][0], firsts[0][1], (0.0,), frozenset())]
    top = max(picked, key=lambda p: p.key)
    parts: list[str] = []
    seen: set[str] = set()
    for pick in picked:
        if pick.sentence.text in seen or not (pick is top or pick.answers_like(top)):
            continue
        seen.add(pick.sentence.text)
        parts.append(f"{pick.said} ##{pick.index}$$" if quote else pick.said)
    return " ".join(parts)


@dataclass(frozen=True)
class _Pick:
    """A chunk's best sentence: its chunk index, rank key and the question terms it holds."""

    index: int
    sentence: Sentence
    key: tuple[float, ...]
    matched: frozenset[str]

    @property
    def said(self) -> str:
        """The sentence, after the one before it when it opens by pointing back (`This is called …`)."""
        first = self.sentence.text.split(maxsplit=1)[0].strip("\"'“‘(").lower() if self.sentence.text else ""
        if first in _POINTING_BACK and self.sentence.previous:
            return f"{self.sentence.previous} {self.sentence.text}"
        return self.sentence.text

    def answers_like(self, top: _Pick) -> bool:
        """Whether this answers as well as the best pick: same standing, its terms and ¾ of their weight."""
        return self.key[:3] >= top.key[:3] and self.matched >= top.matched and self.key[3] >= 0.75 * top.key[3]


_POINTING_BACK = frozenset("this that these those it they such".split())  # noqa: SIM905


ANSWER_STOPWORDS = STOPWORDS | frozenset(
    [
        "whats",
        "hows",
        "whos",
        "wheres",
        "tell",
        "explain",
        "describe",
        "mean",
        "meaning",
        "means",
        "know",
        "think",
        "say",
        "said",
    ]
)
"""Words a question shares with every text, ignored when choosing the sentence that answers it."""
_HOW_WORDS = frozenset(
    ["long", "many", "much", "far", "often", "old", "soon", "big", "large", "tall", "deep", "wide", "high"]
)
"""`how long`, `how many`, …: question phrases, not content."""
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class QuestionFocus:
    """A question's content terms (stemmed, stop words and question phrases out) and its proper nouns."""

    terms: frozenset[str]
    names: frozenset[str]


def question_focus(question: str) -> QuestionFocus:
    """The terms that must be answered: content words, and the capitalised ones (not first) as names."""
    words = _WORD_RE.findall(question)
    terms: set[str] = set()
    names: set[str] = set()
    for position, word in enumerate(words):
        lowered = word.lower()
        after_how = position > 0 and words[position - 1].lower() == "how" and lowered in _HOW_WORDS
        if lowered in ANSWER_STOPWORDS or after_how:
            continue
        for token in tokenize(lowered):
            terms.add(stem(token))
            if position > 0 and word[0].isupper() and word != "I":
                names.add(stem(token))
    if not terms:
        terms = {stem(t) for t in tokenize(question)}
    return QuestionFocus(frozenset(terms), frozenset(names))


def sentence_terms(sentences: list[Sentence]) -> list[tuple[str, frozenset[str], Sentence]]:
    """Each sentence's text with its stemmed terms."""
    return [(s.text, frozenset(stem(t) for t in tokenize(s.text)), s) for s in sentences]


def _idf(term_sets: list[frozenset[str]]) -> dict[str, float]:
    df: dict[str, int] = {}
    for terms in term_sets:
        for term in terms:
            df[term] = df.get(term, 0) + 1
    total = len(term_sets)
    return {term: math.log(1 + total / n) for term, n in df.items()}


def _best(
    index: int, chunk: list[tuple[str, frozenset[str], Sentence]], focus: QuestionFocus, weights: dict[str, float]
) -> _Pick | None:
    """The chunk's sentence that answers best, or None when none shares a content term with the question.

    Ranked by: a whole sentence before a fragment (a chunk cut mid-sentence leaves some); a statement before
    a question; the question's names it holds (idf-weighted); its content terms (idf-weighted); the content
    terms of its section heading; the earlier sentence.
    """
    best: _Pick | None = None
    rarest = max(weights.values(), default=0.0)
    for position, (_, terms, sentence) in enumerate(chunk):
        heading = {stem(t) for t in tokenize(sentence.heading)} - terms
        content = sum(weights.get(t, 0.0) for t in focus.terms & terms)
        context = sum(weights.get(t, rarest) for t in focus.terms & heading)
        if content <= 0.0 and context <= 0.0:
            continue
        names = sum(weights.get(t, 0.0) for t in focus.names & terms)
        standing = (float(sentence.whole), 0.0 if sentence.is_question else 1.0)
        key = (*standing, names, content, context, -float(position))
        if best is None or key > best.key:
            best = _Pick(index, sentence, key, frozenset(focus.terms & terms))
    return best


def best_sentence(content: str, terms: set[str]) -> str:
    """The whole sentence of a text sharing most of these (stemmed) terms, the first one on ties; "" if none."""
    focus = QuestionFocus(frozenset(terms), frozenset())
    chunk = sentence_terms(sentences_of(content))
    picked = _best(0, chunk, focus, _idf([t for _, t, _ in chunk]))
    return "" if picked is None else picked.sentence.text


def solo_text(question: str) -> str:
    """What an assistant without datasets says (no retrieval, no citations)."""
    asked = " ".join(question.split())
    if not asked:
        return "Hello! How can I help you today?"
    return f'You asked: "{asked}". No knowledge base is attached to this assistant, so this answer cites no source.'
