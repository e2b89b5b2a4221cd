"""Scoring pieces of the search index: the query plan of one term and MaxScore-pruned accumulation."""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass

Postings = tuple["array[int]", "array[float]", "array[float]"]
"""Slots (ascending); presence in the embedded text (1, or the title share for a title-only term); and the
cosine weight `(1 + ln tf) / |chunk|` (0 for stop words and title-only terms)."""

COVERAGE_SHARE = 0.95
"""Share of the vector stand-in that is the (query-weighted) fraction of query terms the embedded text holds;
the rest is the cosine of sublinear tf vectors. A chunk holding every query term has a vector similarity of at
least 0.95, so `(1 - w)·1 + w·v` stays above the default 0.2 threshold for every weight 0..10, as it does with
real embeddings of a text that contains the question's words."""


def cosine_share(weight: float) -> float:
    """The cosine part of the vector stand-in, scaled by its share."""
    return (1 - COVERAGE_SHARE) * weight


@dataclass(frozen=True)
class Step:
    """One query term of a search: document frequency, idf, its coverage and cosine weights, its postings."""

    df: int
    term: str
    idf: float
    coverage: float
    """The term's share of the query's total `1 + ln count` weight."""
    cosine: float
    """The term's `1 + ln count` weight over the query vector's norm."""
    lists: list[Postings]


def accumulate_pruned(
    postings: list[list[Postings]],
    shares: list[tuple[float, float, float]],
    allowed: set[int] | None,
    hidden: set[int],
    threshold: float,
    limit: int,
) -> dict[int, float]:
    """Score chunks term by term, rarest term first (MaxScore-style pruning), for non-negative shares only.

    A posting adds `a + b·presence + c·cosine`, at most `a + b + c`. Once the terms left cannot lift a chunk
    seen nowhere yet to the cutoff (the threshold, or the `limit`-th best partial score so far), only chunks
    already scored are updated and hopeless ones are dropped.
    """
    scores: dict[int, float] = {}
    cutoff = threshold
    remaining = [sum(a + b + c for a, b, c in shares[i:]) for i in range(len(shares))]
    for lists, (a, b, c), bound in zip(postings, shares, remaining, strict=True):
        restrict: Collection[int] | None = allowed
        if allowed is None:
            length = sum(len(p[0]) for p in lists)
            if bound >= cutoff and len(scores) >= limit and length > 2 * len(scores):
                for slot in hidden:
                    scores.pop(slot, None)
                if len(scores) >= limit:
                    cutoff = max(cutoff, heapq.nlargest(limit, scores.values())[-1])
            if bound < cutoff:
                scores = {slot: v for slot, v in scores.items() if v + bound >= cutoff}
                restrict = scores
        get = scores.get
        for slots, presences, cosines in lists:
            if restrict is None:
                for slot, presence, cosine in zip(slots, presences, cosines, strict=True):
                    scores[slot] = get(slot, 0.0) + a + b * presence + c * cosine
            elif len(restrict) * 8 < len(slots):
                _score_slots(scores, restrict, (slots, presences, cosines), (a, b, c))
            else:
                for slot, presence, cosine in zip(slots, presences, cosines, strict=True):
                    if slot in restrict:
                        scores[slot] = get(slot, 0.0) + a + b * presence + c * cosine
    for slot in hidden:
        scores.pop(slot, None)
    return scores


def _score_slots(
    scores: dict[int, float],
    wanted: Collection[int],
    lists: Postings,
    share: tuple[float, float, float],
) -> None:
    """Add one term's contribution for a few wanted slots, found by bisection in a long posting list."""
    slots, presences, cosines = lists
    a, b, c = share
    end = len(slots)
    for slot in list(wanted):
        at = bisect_left(slots, slot)
        if at < end and slots[at] == slot:
            scores[slot] = scores.get(slot, 0.0) + a + b * presences[at] + c * cosines[at]
