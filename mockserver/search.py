"""The tenant's search index: tokenizer, token counter, highlighter and deterministic hybrid scoring."""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_COUNT_RE = re.compile(
    rf"'(?:[sdmt]|ll|ve|re)\b|[{_CJK}]| ?[^\W\d_{_CJK}]+| ?\d{{1,3}}| ?[^\s\w]+|\s+",
    re.IGNORECASE,
)

_STOPWORD_TEXT = """
a an the and or but if of to in on at by for from with about into onto over under as is are was were be been being
am do does did doing have has had having it its this that these those there here i me my we our you your he she they
them their his her what which who whom whose when where why how can could should would will shall may might must
please tell give show list find any some all not no nor so than too very just also
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""Words the query side drops (the server removes question words and weights stop words near zero)."""


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; every CJK character is a token of its own. The one tokenizer of the project."""
    return _TOKEN_RE.findall(text.lower())


def count_tokens(text: str) -> int:
    """Deterministic stand-in for the server's cl100k token count (chunk/dataset `token_num`, usage)."""
    total = 0
    for piece in _COUNT_RE.findall(text):
        core = piece.strip()
        if not core or core[0].isdigit():
            total += 1
        elif core[0].isalpha() and not _is_cjk(core[0]):
            total += 1 + (len(core) - 1) // 7
        elif _is_cjk(core[0]):
            total += 1
        else:
            total += 1 + (len(core) - 1) // 3
    return total


def _is_cjk(char: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", char))


def stem(token: str) -> str:
    """A light plural stemmer, so `documents` finds `document` (index and query use the same form)."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith("sses"):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def query_terms(query: str) -> list[str]:
    """Stemmed query terms without stop words (all of them when the query is only stop words)."""
    tokens = tokenize(query)
    kept = [t for t in tokens if t not in STOPWORDS] or tokens
    return [stem(t) for t in kept]


# -- highlight ---------------------------------------------------------------------------------------
_SEP = r"[ .?/'\"()!,:;-]"
_ASCII_WORD = re.compile(r"[`a-zA-Z0-9\s.,':;/\"?<>!()\-]+")


def _looks_english(text: str) -> bool:
    words = [w for w in text.split() if w.strip()]
    if not words:
        return False
    return sum(1 for w in words if _ASCII_WORD.fullmatch(w)) / len(words) > 0.8


def _highlight_keywords(query: str) -> list[str]:
    tokens = tokenize(query)
    kept = [t for t in tokens if t not in STOPWORDS] or tokens
    words: dict[str, None] = {}
    for token in kept:
        words[token] = None
        words[stem(token)] = None
    return list(words)


def _fragments(text: str, keywords: list[str]) -> str:
    """The engine's own fragments: tokenised text around matches, terms in `<em>`, joined by `...`."""
    wanted = set(keywords) | {stem(k) for k in keywords}
    tokens = tokenize(text)
    hits = [i for i, tok in enumerate(tokens) if tok in wanted or stem(tok) in wanted]
    if not hits:
        return ""
    windows: list[list[int]] = []
    for i in hits:
        lo, hi = max(0, i - 8), min(len(tokens), i + 9)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    marked = [f"<em>{tok}</em>" if i in set(hits) else tok for i, tok in enumerate(tokens)]
    return "...".join(" ".join(marked[lo:hi]) for lo, hi in windows)


def highlight(text: str, query: str) -> str:
    """`<em>` markup of the query terms in `text` as the server's highlighter builds it; "" when none match.

    English-looking text: sentences (split at `.?!;` and newlines) that contain a term, with each term
    wrapped in `<em>` when it stands between separators, joined by `...`. Otherwise (or when no sentence
    qualifies) the engine's fragments of the tokenised text.
    """
    keywords = _highlight_keywords(query)
    fragments = _fragments(text, keywords)
    if not fragments:
        return ""
    if not _looks_english(fragments):
        return fragments
    flat = re.sub(r"[\r\n]", " ", text)
    sentences = []
    for sentence in re.split(r"[.?!;\n]", flat):
        for word in keywords:
            sentence = re.sub(
                rf"(^|{_SEP})({re.escape(word)})({_SEP})", r"\1<em>\2</em>\3", sentence, flags=re.IGNORECASE
            )
        if re.search(r"<em>[^<>]+</em>", sentence):
            sentences.append(sentence)
    return "...".join(sentences) if sentences else fragments


def remove_redundant_spaces(text: str) -> str:
    """Drop spaces next to punctuation the way the server tidies a highlight before returning it."""
    text = re.sub(r"([^a-z0-9.,)>]) +([^ ])", r"\1\2", text, flags=re.IGNORECASE)
    return re.sub(r"([^ ]) +([^a-z0-9.,(<])", r"\1\2", text, flags=re.IGNORECASE)


# -- the index ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """One scored chunk: `similarity = (1-w)·term_similarity + w·vector_similarity`."""

    chunk_id: str
    similarity: float
    term_similarity: float
    vector_similarity: float


_K1 = 1.2
_B = 0.75
_TF_CAP = 255
_LOG_WEIGHT = [0.0] + [1.0 + math.log(tf) for tf in range(1, _TF_CAP + 1)]
_MIN_SHOULD_MATCH = 0.3


class SearchIndex:
    """Inverted index of one tenant's chunks: postings per term and dataset, doc frequencies, lengths.

    Chunks live in integer slots; removal leaves a tombstone that searches skip, and the postings are
    compacted once tombstones outnumber live chunks. Term similarity is BM25-style (idf-weighted,
    length-saturated term frequency) normalised by the query's total idf, so a chunk holding every query
    term at average length scores 1.0; vector similarity is the cosine of sublinear term-frequency
    vectors, a deterministic stand-in for embeddings.
    """

    def __init__(self) -> None:
        self.created = False
        """Whether the tenant's chunk index exists (the server creates it on the first parse or chunk)."""
        self._clear()

    def _clear(self) -> None:
        self._slot_of: dict[str, int] = {}
        self._chunk_ids: list[str | None] = []
        self._dataset_of: list[str] = []
        self._document_of: list[str] = []
        self._terms: list[tuple[str, ...]] = []
        self._tfs: list[bytes] = []
        self._length = array("I")
        self._vector_norm = array("d")
        self._searchable = bytearray()
        self._postings: dict[str, dict[str, tuple[array[int], array[int]]]] = {}
        self._df: dict[str, Counter[str]] = {}
        self._dataset_size: Counter[str] = Counter()
        self._dataset_length: Counter[str] = Counter()
        self._document_slots: dict[str, dict[int, None]] = {}
        self._dead = 0

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
    ) -> None:
        """Index a chunk (content, important keywords, questions); re-adding an id replaces it."""
        self.created = True
        available = True
        if chunk_id in self._slot_of:
            available = bool(self._searchable[self._slot_of[chunk_id]])
            self.remove(chunk_id)
        counts = Counter(stem(t) for t in tokenize(text))
        for extra in (*keywords, *questions):
            for token in tokenize(extra):
                counts[stem(token)] += 2
        slot = len(self._chunk_ids)
        self._slot_of[chunk_id] = slot
        self._chunk_ids.append(chunk_id)
        self._dataset_of.append(dataset_id)
        self._document_of.append(document_id)
        terms = tuple(counts)
        tfs = bytes(min(c, _TF_CAP) for c in counts.values())
        self._terms.append(terms)
        self._tfs.append(tfs)
        self._length.append(sum(counts.values()))
        norm = math.sqrt(
            sum(_LOG_WEIGHT[tf] ** 2 for term, tf in zip(terms, tfs, strict=True) if term not in STOPWORDS)
        )
        self._vector_norm.append(norm)
        self._searchable.append(1 if available else 0)
        self._post(slot)
        self._document_slots.setdefault(document_id, {})[slot] = None

    def _post(self, slot: int) -> None:
        dataset_id = self._dataset_of[slot]
        df = self._df.setdefault(dataset_id, Counter())
        for term, tf in zip(self._terms[slot], self._tfs[slot], strict=True):
            by_dataset = self._postings.setdefault(term, {})
            lists = by_dataset.get(dataset_id)
            if lists is None:
                lists = by_dataset[dataset_id] = (array("I"), array("B"))
            lists[0].append(slot)
            lists[1].append(tf)
            df[term] += 1
        self._dataset_size[dataset_id] += 1
        self._dataset_length[dataset_id] += self._length[slot]

    def remove(self, chunk_id: str) -> None:
        """Forget a chunk (no-op for an unknown id)."""
        slot = self._slot_of.pop(chunk_id, None)
        if slot is None:
            return
        dataset_id = self._dataset_of[slot]
        df = self._df[dataset_id]
        for term in self._terms[slot]:
            df[term] -= 1
            if df[term] <= 0:
                del df[term]
        self._dataset_size[dataset_id] -= 1
        self._dataset_length[dataset_id] -= self._length[slot]
        if self._dataset_size[dataset_id] <= 0:
            del self._dataset_size[dataset_id], self._dataset_length[dataset_id]
            self._df.pop(dataset_id, None)
        doc_slots = self._document_slots[self._document_of[slot]]
        doc_slots.pop(slot, None)
        if not doc_slots:
            del self._document_slots[self._document_of[slot]]
        self._chunk_ids[slot] = None
        self._searchable[slot] = 0
        self._terms[slot] = ()
        self._tfs[slot] = b""
        self._dead += 1
        if self._dead > 1024 and self._dead > len(self._slot_of):
            self._compact()

    def drop_dataset(self, dataset_id: str) -> None:
        """Forget every chunk of a dataset (cascade of a dataset deletion)."""
        doomed = [cid for slot, cid in enumerate(self._chunk_ids) if cid and self._dataset_of[slot] == dataset_id]
        for chunk_id in doomed:
            self.remove(chunk_id)

    def set_available(self, chunk_id: str, available: bool) -> None:
        """Include (True) or exclude (False) a chunk from retrieval; keyword listing still sees it."""
        slot = self._slot_of.get(chunk_id)
        if slot is not None:
            self._searchable[slot] = 1 if available else 0

    def _compact(self) -> None:
        """Renumber live slots and rebuild the postings without tombstones."""
        live = [s for s, cid in enumerate(self._chunk_ids) if cid is not None]
        old = (self._chunk_ids, self._dataset_of, self._document_of, self._terms, self._tfs)
        length, norm, searchable = self._length, self._vector_norm, self._searchable
        self._clear()
        for new_slot, slot in enumerate(live):
            chunk_id = old[0][slot]
            assert chunk_id is not None
            self._slot_of[chunk_id] = new_slot
            self._chunk_ids.append(chunk_id)
            self._dataset_of.append(old[1][slot])
            self._document_of.append(old[2][slot])
            self._terms.append(old[3][slot])
            self._tfs.append(old[4][slot])
            self._length.append(length[slot])
            self._vector_norm.append(norm[slot])
            self._searchable.append(searchable[slot])
            self._post(new_slot)
            self._document_slots.setdefault(old[2][slot], {})[new_slot] = None

    # -- reading -------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        dataset_ids: Collection[str],
        document_ids: Collection[str] | None,
        vector_similarity_weight: float,
        similarity_threshold: float,
        top_k: int,
    ) -> list[Hit]:
        """Available chunks of the datasets (and documents, if given) scoring ≥ threshold, best first.

        At most `top_k` hits; ties keep indexing order. Same query on the same data, same answer.
        """
        terms = Counter(query_terms(query))
        datasets = [d for d in dict.fromkeys(dataset_ids) if d in self._dataset_size]
        if not terms or not datasets or top_k <= 0:
            return []
        size = sum(self._dataset_size[d] for d in datasets)
        avg_length = sum(self._dataset_length[d] for d in datasets) / size
        allowed = self._slots_of_documents(document_ids, datasets)
        if allowed is not None and not allowed:
            return []
        term_score: dict[int, float] = {}
        dot: dict[int, float] = {}
        idf_total = 0.0
        query_norm = math.sqrt(sum(_LOG_WEIGHT[min(n, _TF_CAP)] ** 2 for n in terms.values()))
        k1_base = _K1 * (1 - _B)
        k1_length = _K1 * _B / avg_length
        length = self._length
        searchable = self._searchable
        for term, count in terms.items():
            df = sum(self._df[d][term] for d in datasets)
            idf = math.log(1 + (size - df + 0.5) / (df + 0.5))
            idf_total += idf
            if not df:
                continue
            qw = _LOG_WEIGHT[min(count, _TF_CAP)]
            for slot, tf in self._postings_for(term, datasets, allowed):
                if not searchable[slot]:
                    continue
                sat = tf * (_K1 + 1) / (tf + k1_base + k1_length * length[slot])
                term_score[slot] = term_score.get(slot, 0.0) + idf * (sat if sat < 1.0 else 1.0)
                dot[slot] = dot.get(slot, 0.0) + qw * _LOG_WEIGHT[tf]
        if not term_score:
            return []
        weight = vector_similarity_weight
        norm = self._vector_norm
        scored: list[tuple[float, int, float, float]] = []
        for slot, raw in term_score.items():
            term_sim = raw / idf_total
            denominator = query_norm * norm[slot]
            vector_sim = min(1.0, dot[slot] / denominator) if denominator else 0.0
            similarity = (1 - weight) * term_sim + weight * vector_sim
            if similarity >= similarity_threshold:
                scored.append((-similarity, slot, term_sim, vector_sim))
        scored.sort()
        ids = self._chunk_ids
        return [Hit(str(ids[slot]), -neg, term_sim, vec) for neg, slot, term_sim, vec in scored[:top_k]]

    def available_in(self, document_ids: Collection[str], dataset_ids: Collection[str]) -> list[str]:
        """Ids of the available chunks of these documents within these datasets, in indexing order."""
        slots = self._slots_of_documents(document_ids, list(dataset_ids)) or set()
        return [str(self._chunk_ids[s]) for s in sorted(slots) if self._searchable[s]]

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

    def _postings_for(self, term: str, datasets: list[str], allowed: set[int] | None) -> Iterable[tuple[int, int]]:
        by_dataset = self._postings.get(term, {})
        if allowed is None:
            for dataset_id in datasets:
                lists = by_dataset.get(dataset_id)
                if lists is not None:
                    yield from zip(lists[0], lists[1], strict=True)
            return
        for slot in sorted(allowed):
            tf = self._tf(slot, term)
            if tf:
                yield slot, tf

    def _tf(self, slot: int, term: str) -> int:
        terms = self._terms[slot]
        try:
            return self._tfs[slot][terms.index(term)]
        except ValueError:
            return 0

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
