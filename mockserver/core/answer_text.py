"""Deterministic answer text: word pieces, the grounded sentences with citation markers, reference shaping."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from mockserver.core.search import query_terms, stem, tokenize

NOT_FOUND_SENTENCE = "The answer you are looking for is not found in the knowledge base!"
MAX_CITED_CHUNKS = 3
"""A grounded answer quotes one sentence from each of (at most) the top three chunks."""
_MAX_SENTENCE = 400
_MARKER_RE = re.compile(r"##(\d+)\$\$")
_SENTENCE_RE = re.compile(r"(?<=[.!?。！？;；])\s+|\n+")
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


def grounded_text(question: str, contents: list[str], quote: bool) -> str:
    """One best-matching sentence from each top chunk, each followed by its citation marker."""
    terms = set(query_terms(question))
    parts: list[str] = []
    seen: set[str] = set()
    for index, content in enumerate(contents[:MAX_CITED_CHUNKS]):
        sentence = best_sentence(content, terms)
        if not sentence or sentence in seen:
            continue
        seen.add(sentence)
        parts.append(f"{sentence} ##{index}$$" if quote else sentence)
    return " ".join(parts) or NOT_FOUND_SENTENCE


def best_sentence(content: str, terms: set[str]) -> str:
    """The sentence of a chunk sharing most terms with the question (the first one on ties), tidied."""
    sentences = [" ".join(s.split()) for s in _SENTENCE_RE.split(content)]
    sentences = [s for s in sentences if s]
    if not sentences:
        return ""
    best = max(sentences, key=lambda s: (len(terms & {stem(t) for t in tokenize(s)}), -sentences.index(s)))
    if len(best) > _MAX_SENTENCE:
        best = best[:_MAX_SENTENCE].rsplit(" ", 1)[0] + "…"
    if best[-1] not in ".!?。！？…":
        best += "."
    return best


def solo_text(question: str) -> str:
    """What an assistant without datasets says (no retrieval, no citations)."""
    asked = " ".join(question.split())
    if not asked:
        return "Hello! How can I help you today?"
    return f'You asked: "{asked}". No knowledge base is attached to this assistant, so this answer cites no source.'
