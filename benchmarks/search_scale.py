"""Retrieval and keyword-listing latency at 1k, 10k and 100k chunks in one tenant, and the 100k/1k ratio.

Method: one in-process tenant (no HTTP). Chunks of ~100 words are generated from a fixed-seed, Zipf-distributed
vocabulary (function words at the top, a long tail of content words), 100 chunks per document, and written
through the real stores (`tenant.chunks.add`, which indexes them). For each size a batch of question-like
queries (function words + 3–5 content words of middle frequency) is timed:
  * retrieval = `retrieve(tenant, RetrievalQuery(...))` with the server's defaults (page 1, page_size 30,
    threshold 0.2, weight 0.3, top_k 1024, highlight on), i.e. scoring, the candidate block, records and highlights;
  * list-with-keyword = what `GET .../chunks?keywords=` does: `index.keyword_filter` over one document, then
    the first page of 30 chunks with highlights.
Median and p95 of the query's CPU time (`time.thread_time`, immune to other load on the machine) over
the batch are printed after one warm-up pass, with the wall-clock median beside them; the last column is the
median of the index scoring alone (`SearchIndex.search` for the first candidate block). Run: `python benchmarks/search_scale.py`
(`--quick` for 1k/10k only and fewer queries).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockserver.core.search import highlight
from mockserver.families.retrieval.service import RetrievalQuery, candidate_window, retrieve
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend

_FUNCTION_TEXT = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have an "
    "they you were her she there been one all we their has would when if so no will can more out up into do "
    "than its about also other these some them only new could after first two may then any over such"
)
FUNCTION_WORDS = _FUNCTION_TEXT.split()
_CONTENT_TEXT = (
    "system data model process policy report customer service account invoice payment storage network "
    "document parser chunk index query answer question retrieval embedding vector server client request "
    "response cluster memory cache latency throughput schedule contract revenue market product engine "
    "language analysis design security access control backup archive retention audit compliance budget "
    "forecast inventory supplier warehouse shipment delivery order price discount region branch office "
    "employee manager team project milestone deadline review approval budget quality defect release version "
    "feature module component interface protocol gateway firewall certificate token session database table "
    "column record transaction ledger balance asset liability equity tax regulation license patent trademark"
)
CONTENT_WORDS = _CONTENT_TEXT.split()
_SYLLABLE_TEXT = "ka lo mi ra sen tor vel qui dan bre cor fal gin hul jas kem lun mor nis pel"
SYLLABLES = _SYLLABLE_TEXT.split()


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Function words first, then real content words, then invented words for the long tail."""
    words = list(dict.fromkeys(FUNCTION_WORDS + CONTENT_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class TextGenerator:
    """Zipf-distributed sentences over a fixed vocabulary."""

    def __init__(self, seed: int = 7, size: int = 50_000) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng, size)
        weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        total = sum(weights)
        acc = 0.0
        self.cumulative = []
        for w in weights:
            acc += w / total
            self.cumulative.append(acc)

    def sentence(self) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=self.rng.randint(8, 20))
        return " ".join(words).capitalize() + "."

    def chunk(self) -> str:
        parts = []
        length = 0
        while length < 100:
            sentence = self.sentence()
            parts.append(sentence)
            length += sentence.count(" ") + 1
        return " ".join(parts)

    def question(self, chunk: str) -> str:
        """A question about one chunk: 3–5 of its content words wrapped in function words."""
        content = sorted({w.strip(".").lower() for w in chunk.split()} - set(FUNCTION_WORDS))
        terms = self.rng.sample(content, min(len(content), self.rng.randint(3, 5)))
        return f"What does the {terms[0]} say about {' and '.join(terms[1:])}?"


def build_tenant(size: int, gen: TextGenerator) -> tuple[TenantBackend, str, list[str]]:
    backends = Backends(Settings.for_tests(api_keys=("bench",)))
    tenant = backends.create_tenant("bench-tenant")
    dataset = tenant.datasets.insert(name="bench")
    doc_ids: list[str] = []
    doc = None
    for i in range(size):
        if i % 100 == 0:
            doc = tenant.documents.upload(dataset, f"doc-{i // 100}.txt", b"x")
            doc_ids.append(doc.id)
        assert doc is not None
        tenant.chunks.add(tenant.chunks.build(doc, gen.chunk()))
    return tenant, dataset.id, doc_ids


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """(CPU ms of this thread, wall ms) of one call: CPU time is what a loaded machine does not inflate."""
    cpu, wall = time.thread_time(), time.perf_counter()
    call()
    return (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(size: int, queries: int, gen: TextGenerator) -> dict[str, float]:
    started = time.process_time()
    tenant, dataset_id, doc_ids = build_tenant(size, gen)
    build_s = time.process_time() - started
    sample = gen.rng.sample(sorted(tenant.chunks.items), queries)
    questions = [gen.question(tenant.chunks.items[cid].content_with_weight) for cid in sample]
    keywords = [" ".join(q.split()[3:5]).strip("?") for q in questions]
    docs = [gen.rng.choice(doc_ids) for _ in range(queries)]

    def run_retrieval(question: str) -> object:
        return retrieve(tenant, RetrievalQuery(question, [dataset_id], highlight=True))

    def run_listing(words: str, doc_id: str) -> object:
        ids = tenant.index.keyword_filter(words, doc_id)
        return [highlight(c.content_with_weight, words) for c in tenant.chunks.page_of(ids, 1, 30)]

    for q, k, d in zip(questions, keywords, docs, strict=True):  # warm-up
        run_retrieval(q)
        run_listing(k, d)
    retrieval = [timed(lambda q=q: run_retrieval(q)) for q in questions]
    listing = [timed(lambda k=k, d=d: run_listing(k, d)) for k, d in zip(keywords, docs, strict=True)]
    window = candidate_window(30)
    scoring = [timed(lambda q=q: tenant.index.search(q, [dataset_id], None, 0.3, 0.2, 1024, window)) for q in questions]
    hits = statistics.mean(len(tenant.index.search(q, [dataset_id], None, 0.3, 0.2, 1024)) for q in questions[:20])
    return {
        "build_s": build_s,
        "retrieval_median": statistics.median(c for c, _ in retrieval),
        "retrieval_p95": p95([c for c, _ in retrieval]),
        "retrieval_wall": statistics.median(w for _, w in retrieval),
        "listing_median": statistics.median(c for c, _ in listing),
        "listing_p95": p95([c for c, _ in listing]),
        "listing_wall": statistics.median(w for _, w in listing),
        "hits": hits,
        "scoring_median": statistics.median(c for c, _ in scoring),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k chunks, 30 queries")
    parser.add_argument("--queries", type=int, default=None, help="queries per size (default 100; quick 30)")
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    queries = args.queries or (30 if args.quick else 100)
    print(__doc__)
    print(f"sizes={sizes} queries/size={queries} python={sys.version.split()[0]}\n")
    print("latencies are CPU ms of the query (median / p95), wall-clock median in brackets\n")
    header = (
        f"{'chunks':>8} {'build cpu s':>11} {'hits≥0.2':>9} {'retrieval ms':>26} {'list+keyword ms':>26}"
        f" {'index.search only':>18}"
    )
    print(header)
    results = {}
    for size in sizes:
        r = results[size] = measure(size, queries, TextGenerator())
        print(
            f"{size:>8} {r['build_s']:>11.1f} {r['hits']:>9.0f} "
            f"{r['retrieval_median']:>8.2f} / {r['retrieval_p95']:<6.2f} [{r['retrieval_wall']:>6.2f}] "
            f"{r['listing_median']:>8.2f} / {r['listing_p95']:<6.2f} [{r['listing_wall']:>6.2f}]"
            f" {r['scoring_median']:>14.2f}"
        )
    largest = sizes[-1]
    for name in ("retrieval", "listing"):
        ratio = results[largest][f"{name}_median"] / results[1_000][f"{name}_median"]
        print(f"ratio {largest // 1000}k/1k {name} (median): {ratio:.1f}x")
    target = results[largest]["retrieval_median"]
    if largest == 100_000:
        print(f"target retrieval at 100k < 20 ms: {'met' if target < 20 else 'NOT met'} ({target:.2f} ms median)")


if __name__ == "__main__":
    main()
