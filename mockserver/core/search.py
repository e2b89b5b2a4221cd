"""The tenant's search index: postings per term and dataset, deterministic hybrid (term + vector) scoring."""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from mockserver.core.search_scoring import COVERAGE_SHARE, Postings, Step, accumulate_pruned, cosine_share
from mockserver.core.text_analysis import (
    STOPWORDS,
    count_tokens,
    highlight,
    query_terms,
    remove_redundant_spaces,
    stem,
    terms_of,
    tokenize,
    tokenized,
)

__all__ = [
    "STOPWORDS",
    "Hit",
    "SearchIndex",
    "count_tokens",
    "highlight",
    "query_terms",
    "remove_redundant_spaces",
    "stem",
    "tokenize",
    "tokenized",
]


@dataclass(frozen=True)
class Hit:
    """One scored chunk: `similarity = (1-w)·term_similarity + w·vector_similarity`."""

    chunk_id: str
    similarity: float
    term_similarity: float
    vector_similarity: float


_K1 = 1.2
_B = 0.75
_REFERENCE_LENGTH = 100
"""BM25 length normalisation is against this fixed length (about a default 128-token chunk), so a chunk's
weights never move when other chunks come and go; only idf depends on the corpus."""
_KEYWORD_BOOST = 2
"""Important keywords and questions count twice (the server boosts them in its term weights)."""
_MIN_SHOULD_MATCH = 0.3
_TITLE_VECTOR_SHARE = 0.1
"""A term found only in the title counts this much in the vector stand-in (the server's filename_embd_weight)."""
_COMPACT_AFTER = 4096

_LOG_WEIGHTS = [0.0] + [1.0 + math.log(tf) for tf in range(1, 256)]


def _log_weight(tf: int) -> float:
    """Sublinear term-frequency weight `1 + ln tf` (0 for tf 0)."""
    if tf < 256:
        return _LOG_WEIGHTS[tf]
    return 1.0 + math.log(tf)


class SearchIndex:
    """Inverted index of one tenant's chunks.

    Every chunk has an integer slot; postings are kept per term and dataset, sorted by slot, with the two
    per-chunk weights precomputed, so a search touches only the postings of its terms. A chunk's terms are
    those of its content, important keywords and questions, plus the title tokens of its document name for
    parser-made chunks. Term similarity is the server's token similarity: the idf-weighted fraction of the
    query terms the chunk holds (1.0 when it holds all). Vector similarity is a deterministic stand-in for
    embeddings (`COVERAGE_SHARE`). Removal deletes postings at once (bisect); slots are renumbered once
    many are free.
    """

    def __init__(self) -> None:
        self.created = False
        """Whether the tenant's chunk index exists (the server creates it on the first parse or chunk)."""
        self._slot_of: dict[str, int] = {}
        self._chunk_ids: list[str | None] = []
        self._dataset_of: list[str] = []
        self._document_of: list[str] = []
        self._terms: list[tuple[str, ...]] = []
        self._postings: dict[str, dict[str, Postings]] = {}
        """Dataset id → term → postings."""
        self._dataset_size: Counter[str] = Counter()
        self._document_slots: dict[str, dict[int, None]] = {}
        self._hidden: set[int] = set()
        """Live slots marked unavailable: retrieval skips them, keyword listing does not."""
        self._free = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._slot_of

    # -- writing -------------------------------------------------------------------------------------
    def create(self) -> None:
        """Create the (empty) index, as the server does when a tenant first parses a document."""
        self.created = True

    def add(
        self,
        chunk_id: str,
        dataset_id: str,
        document_id: str,
        text: str,
        keywords: Iterable[str] = (),
        questions: Iterable[str] = (),
        title: str = "",
    ) -> None:
        """Index a chunk (content, important keywords, questions, title tokens); re-adding an id replaces it."""
        self.created = True
        available = True
        if chunk_id in self._slot_of:
            available = self._slot_of[chunk_id] not in self._hidden
            self.remove(chunk_id)
        counts: Counter[str] = Counter(terms_of(text))
        for extra in (*keywords, *questions):
            for term in terms_of(extra):
                counts[term] = counts.get(term, 0) + _KEYWORD_BOOST
        title_only = [t for t in dict.fromkeys(terms_of(title)) if t not in counts]
        slot = len(self._chunk_ids)
        self._slot_of[chunk_id] = slot
        self._chunk_ids.append(chunk_id)
        self._dataset_of.append(dataset_id)
        self._document_of.append(document_id)
        self._terms.append((*counts, *title_only))
        self._document_slots.setdefault(document_id, {})[slot] = None
        self._dataset_size[dataset_id] += 1
        if not available:
            self._hidden.add(slot)
        weights = {term: _log_weight(tf) for term, tf in counts.items() if term not in STOPWORDS}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        postings = self._postings.get(dataset_id)
        if postings is None:
            postings = self._postings[dataset_id] = {}
        for term in self._terms[slot]:
            lists = postings.get(term)
            if lists is None:
                lists = postings[term] = (array("I"), array("f"), array("f"))
            lists[0].append(slot)
            lists[1].append(1.0 if term in counts else _TITLE_VECTOR_SHARE)
            lists[2].append(weights.get(term, 0.0) / norm)

    def remove(self, chunk_id: str) -> None:
        """Forget a chunk (no-op for an unknown id)."""
        slot = self._slot_of.pop(chunk_id, None)
        if slot is None:
            return
        dataset_id = self._dataset_of[slot]
        postings = self._postings[dataset_id]
        for term in self._terms[slot]:
            lists = postings[term]
            at = bisect_left(lists[0], slot)
            for column in lists:
                del column[at]
            if not lists[0]:
                del postings[term]
        self._forget_slot(slot)
        if self._free > _COMPACT_AFTER and self._free > len(self._slot_of):
            self._compact()

    def _forget_slot(self, slot: int) -> None:
        dataset_id, document_id = self._dataset_of[slot], self._document_of[slot]
        self._dataset_size[dataset_id] -= 1
        if self._dataset_size[dataset_id] <= 0:
            del self._dataset_size[dataset_id]
            self._postings.pop(dataset_id, None)
        siblings = self._document_slots[document_id]
        siblings.pop(slot, None)
        if not siblings:
            del self._document_slots[document_id]
        self._hidden.discard(slot)
        self._chunk_ids[slot] = None
        self._terms[slot] = ()
        self._free += 1

    def drop_dataset(self, dataset_id: str) -> None:
        """Forget every chunk of a dataset at once (cascade of a dataset deletion)."""
        doomed = [s for s, cid in enumerate(self._chunk_ids) if cid is not None and self._dataset_of[s] == dataset_id]
        self._postings.pop(dataset_id, None)
        for slot in doomed:
            del self._slot_of[str(self._chunk_ids[slot])]
            self._forget_slot(slot)

    def set_available(self, chunk_id: str, available: bool) -> None:
        """Include (True) or exclude (False) a chunk from retrieval; keyword listing still sees it."""
        slot = self._slot_of.get(chunk_id)
        if slot is not None:
            if available:
                self._hidden.discard(slot)
            else:
                self._hidden.add(slot)

    def _compact(self) -> None:
        """Renumber the live slots densely (the order, and so every posting list's order, is kept)."""
        live = [s for s, cid in enumerate(self._chunk_ids) if cid is not None]
        renumber = {old: new for new, old in enumerate(live)}
        self._chunk_ids = [self._chunk_ids[s] for s in live]
        self._dataset_of = [self._dataset_of[s] for s in live]
        self._document_of = [self._document_of[s] for s in live]
        self._terms = [self._terms[s] for s in live]
        self._slot_of = {str(cid): slot for slot, cid in enumerate(self._chunk_ids)}
        self._hidden = {renumber[s] for s in self._hidden}
        self._document_slots = {doc: {renumber[s]: None for s in slots} for doc, slots in self._document_slots.items()}
        for by_term in self._postings.values():
            for lists in by_term.values():
                lists[0][:] = array("I", [renumber[s] for s in lists[0]])
        self._free = 0

    # -- reading -------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        dataset_ids: Collection[str],
        document_ids: Collection[str] | None,
        vector_similarity_weight: float,
        similarity_threshold: float,
        top_k: int,
        limit: int | None = None,
    ) -> list[Hit]:
        """Available chunks of the datasets (and documents, if given) scoring ≥ threshold, best first.

        The candidates are, as in the server's hybrid query, every chunk matching ≥30 % of the query terms
        (text match) plus the `top_k` nearest by vector similarity (kNN, vector ≥ threshold): `top_k` bounds
        only the latter. `similarity = (1 - w)·term + w·vector` with the weight as given. At most `limit`
        hits (all when None); ties keep indexing order. Same query on the same data, same answer.
        """
        query_counts = Counter(query_terms(query))
        datasets = [d for d in dict.fromkeys(dataset_ids) if d in self._dataset_size]
        if not query_counts or not datasets or (limit is not None and limit <= 0):
            return []
        allowed = self._slots_of_documents(document_ids, datasets)
        if allowed is not None and not allowed:
            return []
        size = sum(self._dataset_size[d] for d in datasets)
        weight = vector_similarity_weight
        query_norm = math.sqrt(sum(_log_weight(n) ** 2 for n in query_counts.values()))
        coverage_total = sum(_log_weight(n) for n in query_counts.values())
        plan: list[Step] = []
        idf_total = 0.0
        for term, count in query_counts.items():
            lists = [self._postings[d][term] for d in datasets if term in self._postings.get(d, {})]
            df = sum(len(p[0]) for p in lists)
            idf = math.log(1 + (size - df + 0.5) / (df + 0.5))
            idf_total += idf
            if lists:
                qw = _log_weight(count)
                plan.append(Step(df, term, idf, qw / coverage_total, qw / query_norm, lists))
        plan.sort(key=lambda step: step.df)
        shares = [
            ((1 - weight) * p.idf / idf_total, weight * COVERAGE_SHARE * p.coverage, weight * cosine_share(p.cosine))
            for p in plan
        ]
        needed = max(1, math.floor(len(query_counts) * _MIN_SHOULD_MATCH))
        if needed == 1 and 0.0 <= weight <= 1.0 and limit is not None:
            # every chunk holding a query term is a text match and scores only grow: prune (MaxScore)
            scores = accumulate_pruned(
                [p.lists for p in plan], shares, allowed, self._hidden, similarity_threshold, limit
            )
        else:
            scores = self._candidates(plan, shares, allowed, needed, similarity_threshold, top_k)
        ranked = [(s, -slot) for slot, s in scores.items() if s >= similarity_threshold]
        best = heapq.nlargest(limit, ranked) if limit is not None else sorted(ranked, reverse=True)
        hits = [self._hit(-neg, plan, idf_total, weight) for _, neg in best]
        hits = [h for h in hits if h[0].similarity >= similarity_threshold]
        hits.sort(key=lambda pair: (-pair[0].similarity, pair[1]))
        return [hit for hit, _ in hits]

    def _candidates(
        self,
        plan: list[Step],
        shares: list[tuple[float, float, float]],
        allowed: set[int] | None,
        needed: int,
        threshold: float,
        top_k: int,
    ) -> dict[int, float]:
        """Similarity of every candidate: the text matches (≥ `needed` terms) and the `top_k` nearest vectors."""
        scores: dict[int, float] = {}
        vectors: dict[int, float] = {}
        matched: Counter[int] = Counter()
        for step, (a, b_cov, b_cos) in zip(plan, shares, strict=True):
            v_cov, v_cos = COVERAGE_SHARE * step.coverage, cosine_share(step.cosine)
            for slots, presences, cosines in step.lists:
                for slot, presence, cosine in zip(slots, presences, cosines, strict=True):
                    if allowed is not None and slot not in allowed:
                        continue
                    scores[slot] = scores.get(slot, 0.0) + a + b_cov * presence + b_cos * cosine
                    vectors[slot] = vectors.get(slot, 0.0) + v_cov * presence + v_cos * cosine
                    matched[slot] += 1
        for slot in self._hidden:
            scores.pop(slot, None)
            vectors.pop(slot, None)
        keep = {slot for slot, n in matched.items() if n >= needed}
        nearest = [(v, -slot) for slot, v in vectors.items() if v >= threshold and v > 0.0]
        keep.update(-neg for _, neg in heapq.nlargest(max(top_k, 0), nearest))
        return {slot: s for slot, s in scores.items() if slot in keep}

    def _hit(self, slot: int, plan: list[Step], idf_total: float, w: float) -> tuple[Hit, int]:
        """Recompute a chunk's term and vector parts exactly (for the few hits returned)."""
        dataset_id = self._dataset_of[slot]
        term_raw = coverage = cosine = 0.0
        for step in plan:
            lists = self._postings.get(dataset_id, {}).get(step.term)
            if lists is None:
                continue
            at = bisect_left(lists[0], slot)
            if at < len(lists[0]) and lists[0][at] == slot:
                term_raw += step.idf
                coverage += step.coverage * lists[1][at]
                cosine += step.cosine * lists[2][at]
        term_sim = min(1.0, term_raw / idf_total)  # float sums can overshoot 1.0 by an ulp
        vector_sim = min(1.0, COVERAGE_SHARE * coverage + (1 - COVERAGE_SHARE) * cosine)
        similarity = (1 - w) * term_sim + w * vector_sim
        if 0.0 <= w <= 1.0:
            similarity = min(1.0, similarity)  # the same ulp guard; weights outside 0..1 are used as given
        return Hit(str(self._chunk_ids[slot]), similarity, term_sim, vector_sim), slot

    def idf(self, term: str, dataset_ids: Collection[str]) -> float:
        """The inverse document frequency of a (stemmed) term over the chunks of these datasets, as scored."""
        datasets = [d for d in dict.fromkeys(dataset_ids) if d in self._dataset_size]
        size = sum(self._dataset_size[d] for d in datasets)
        df = sum(len(self._postings[d][term][0]) for d in datasets if term in self._postings.get(d, {}))
        return math.log(1 + (size - df + 0.5) / (df + 0.5))

    def available_in(self, document_ids: Collection[str], dataset_ids: Collection[str]) -> list[str]:
        """Ids of the available chunks of these documents within these datasets, in indexing order."""
        slots = self._slots_of_documents(document_ids, list(dataset_ids)) or set()
        return [str(self._chunk_ids[s]) for s in sorted(slots) if s not in self._hidden]

    def _slots_of_documents(self, document_ids: Collection[str] | None, datasets: list[str]) -> set[int] | None:
        if not document_ids:
            return None
        wanted = set(datasets)
        return {
            slot
            for doc in dict.fromkeys(document_ids)
            for slot in self._document_slots.get(doc, ())
            if self._dataset_of[slot] in wanted
        }

    def keyword_filter(self, keywords: str, document_id: str) -> list[str]:
        """Ids of the document's chunks (available or not) matching ≥30 % of the query terms, in indexing order."""
        terms = list(dict.fromkeys(query_terms(keywords)))
        if not terms:
            return []
        needed = max(1, math.floor(len(terms) * _MIN_SHOULD_MATCH))
        found: list[str] = []
        for slot in self._document_slots.get(document_id, ()):
            present = set(self._terms[slot])
            if sum(1 for t in terms if t in present) >= needed:
                found.append(str(self._chunk_ids[slot]))
        return found
