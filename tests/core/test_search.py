"""The search index and text analysis: tokenizer, counts, highlight, ranking, filters, removal, determinism."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.core.search import Hit, SearchIndex, count_tokens, highlight, remove_redundant_spaces, tokenize

CORPUS = {
    "c-paris": ("kb1", "doc-geo", "Paris is the capital of France. The Eiffel Tower stands in Paris."),
    "c-berlin": ("kb1", "doc-geo", "Berlin is the capital and largest city of Germany."),
    "c-banana": ("kb1", "doc-food", "Bananas are yellow fruits rich in potassium and fibre."),
    "c-apple": ("kb1", "doc-food", "Apples can be red, green or yellow; an apple a day keeps the doctor away."),
    "c-rome": ("kb2", "doc-it", "Rome is the capital of Italy, famous for the Colosseum."),
}


def build(corpus: dict[str, tuple[str, str, str]] = CORPUS) -> SearchIndex:
    index = SearchIndex()
    for chunk_id, (dataset_id, document_id, text) in corpus.items():
        index.add(chunk_id, dataset_id, document_id, text, [], [])
    return index


def search(
    index: SearchIndex, query: str, *, datasets: tuple[str, ...] = ("kb1", "kb2"), **options: object
) -> list[Hit]:
    params: dict[str, object] = {
        "document_ids": None,
        "vector_similarity_weight": 0.3,
        "similarity_threshold": 0.2,
        "top_k": 1024,
    }
    params.update(options)
    return index.search(query, list(datasets), **params)  # type: ignore[arg-type]


def ids(hits: list[Hit]) -> list[str]:
    return [h.chunk_id for h in hits]


# -- text analysis ---------------------------------------------------------------------------------------
def test_tokenize_lowercases_and_splits_cjk_characters() -> None:
    assert tokenize("Hello, World! RAGFlow_v2 2025") == ["hello", "world", "ragflow", "v2", "2025"]
    assert tokenize("检索增强 RAG") == ["检", "索", "增", "强", "rag"]
    assert tokenize("") == []


def test_count_tokens_is_deterministic_and_grows_with_text() -> None:
    text = "The quick brown fox jumps over the lazy dog."
    assert count_tokens(text) == count_tokens(text) == 10
    assert count_tokens("") == 0
    assert count_tokens(text + " " + text) > count_tokens(text)
    assert count_tokens("internationalization") > count_tokens("nation")
    assert count_tokens("中文文本") == 4


def test_highlight_wraps_query_terms_in_sentences_that_match() -> None:
    text = "Paris is the capital of France. Bananas are yellow. The capital has the Louvre."
    assert (
        highlight(text, "capital") == "Paris is the <em>capital</em> of France... The <em>capital</em> has the Louvre"
    )


def test_highlight_needs_a_separator_after_the_term_like_the_server() -> None:
    # the sentence splitter drops the period, so a term ending a sentence is not wrapped there;
    # with no sentence left the engine's tokenised fragment is used instead
    assert highlight("We love France.", "france") == "we love <em>france</em>"


def test_highlight_is_empty_without_a_match_and_for_stop_words_only_matches() -> None:
    assert highlight("Bananas are yellow.", "capital of France") == ""


def test_highlight_of_cjk_text_uses_token_fragments() -> None:
    assert highlight("检索增强生成", "检索") == "<em>检</em> <em>索</em> 增 强 生 成"


def test_remove_redundant_spaces_between_punctuation() -> None:
    assert remove_redundant_spaces("<em>检</em> <em>索</em> 增 强") == "<em>检</em> <em>索</em>增强"
    assert remove_redundant_spaces("a capital city") == "a capital city"


# -- ranking and filters ----------------------------------------------------------------------------------
def test_the_chunk_with_the_answer_ranks_first() -> None:
    hits = search(build(), "What is the capital of France?")
    assert hits[0].chunk_id == "c-paris"
    assert ids(hits)[:1] == ["c-paris"]
    assert all(0.0 <= h.similarity <= 1.0 for h in hits)
    assert hits[0].term_similarity == 1.0


def test_similarity_is_the_weighted_sum_of_term_and_vector_parts() -> None:
    for weight in (0.0, 0.3, 1.0):
        for hit in search(build(), "yellow fruits", vector_similarity_weight=weight, similarity_threshold=0.0):
            expected = (1 - weight) * hit.term_similarity + weight * hit.vector_similarity
            assert abs(hit.similarity - expected) < 1e-12


def test_threshold_cuts_weak_hits() -> None:
    index = build()
    loose = search(index, "capital of Germany", similarity_threshold=0.0)
    strict = search(index, "capital of Germany", similarity_threshold=0.6)
    assert set(ids(strict)) < set(ids(loose))
    assert all(h.similarity >= 0.6 for h in strict)
    assert search(index, "capital of Germany", similarity_threshold=1.01) == []


def test_top_k_and_dataset_scope() -> None:
    index = build()
    # top_k bounds only the vector candidates: every text match stays a candidate; `limit` cuts the list
    assert len(search(index, "capital", top_k=1, similarity_threshold=0.0)) == 3
    assert len(search(index, "capital", top_k=1, limit=1, similarity_threshold=0.0)) == 1
    assert ids(search(index, "capital", datasets=("kb2",), similarity_threshold=0.0)) == ["c-rome"]
    assert search(index, "capital", datasets=("nope",)) == []


def test_document_filter_restricts_hits() -> None:
    index = build()
    hits = search(index, "yellow capital", document_ids=["doc-food"], similarity_threshold=0.0)
    assert set(ids(hits)) == {"c-banana", "c-apple"}
    assert search(index, "yellow", document_ids=["doc-unknown"]) == []


def test_keyword_filter_lists_matching_chunks_of_one_document_in_order() -> None:
    index = build()
    assert index.keyword_filter("capital", "doc-geo") == ["c-paris", "c-berlin"]
    assert index.keyword_filter("germany", "doc-geo") == ["c-berlin"]
    assert index.keyword_filter("banana", "doc-geo") == []
    # 30 % of the terms must match: 1 of 3 is enough (floor(0.9) → at least one)
    assert index.keyword_filter("france tower zzz", "doc-geo") == ["c-paris"]
    # 2 of 7 terms needed
    assert index.keyword_filter("france aaa bbb ccc ddd eee fff", "doc-geo") == []


def test_removal_and_re_add_replace_the_chunk() -> None:
    index = build()
    index.remove("c-paris")
    index.remove("never-there")
    assert "c-paris" not in ids(search(index, "capital of France", similarity_threshold=0.0))
    index.add("c-berlin", "kb1", "doc-geo", "Munich hosts the Oktoberfest.", [], [])
    assert search(index, "Berlin Germany") == []
    assert ids(search(index, "Oktoberfest")) == ["c-berlin"]
    assert len(index) == 4


def test_unavailable_chunks_leave_retrieval_but_not_keyword_listing() -> None:
    index = build()
    index.set_available("c-paris", False)
    assert "c-paris" not in ids(search(index, "capital of France", similarity_threshold=0.0))
    assert index.keyword_filter("france", "doc-geo") == ["c-paris"]
    assert index.available_in(["doc-geo"], ["kb1"]) == ["c-berlin"]
    index.add("c-paris", "kb1", "doc-geo", "Paris is the capital of France.", [], [])  # re-add keeps the flag
    assert "c-paris" not in ids(search(index, "capital of France", similarity_threshold=0.0))
    index.set_available("c-paris", True)
    assert ids(search(index, "capital of France"))[0] == "c-paris"


def test_keywords_and_questions_are_searchable() -> None:
    index = build()
    index.add("c-extra", "kb1", "doc-food", "Nothing to see.", ["kiwifruit"], ["Which fruit is fuzzy?"])
    assert ids(search(index, "kiwifruit")) == ["c-extra"]
    assert "c-extra" in ids(search(index, "fuzzy fruit", similarity_threshold=0.0))


def test_drop_dataset_forgets_its_chunks_only() -> None:
    index = build()
    index.drop_dataset("kb1")
    assert len(index) == 1
    assert ids(search(index, "capital", similarity_threshold=0.0)) == ["c-rome"]
    assert index.keyword_filter("capital", "doc-geo") == []


def test_compaction_after_heavy_churn_keeps_results_identical() -> None:
    index = build()
    for i in range(5000):
        index.add(f"tmp-{i}", "kb1", "doc-tmp", f"temporary capital note number {i}", [], [])
    for i in range(5000):
        index.remove(f"tmp-{i}")
    fresh = build()
    assert search(index, "capital of France", similarity_threshold=0.0) == search(
        fresh, "capital of France", similarity_threshold=0.0
    )
    assert index.keyword_filter("capital", "doc-geo") == ["c-paris", "c-berlin"]


def test_created_flag() -> None:
    index = SearchIndex()
    assert not index.created
    index.create()
    assert index.created
    assert search(index, "anything") == []


# -- properties ----------------------------------------------------------------------------------------------
WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "capital", "yellow", "the", "of", "数据", "x1"])
TEXTS = st.lists(WORDS, min_size=0, max_size=30).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(TEXTS, min_size=1, max_size=12),
    query=st.lists(WORDS | st.text(string.ascii_letters, max_size=6), max_size=6).map(" ".join),
    weight=st.floats(0.0, 1.0),
    threshold=st.floats(0.0, 1.0),
)
def test_scores_bounded_ordered_and_repeatable(texts: list[str], query: str, weight: float, threshold: float) -> None:
    corpus = {f"c{i}": ("kb", f"d{i % 3}", text) for i, text in enumerate(texts)}
    index = build(corpus)
    first = search(index, query, datasets=("kb",), vector_similarity_weight=weight, similarity_threshold=threshold)
    for hit in first:
        assert 0.0 <= hit.term_similarity <= 1.0
        assert 0.0 <= hit.vector_similarity <= 1.0
        assert 0.0 <= hit.similarity <= 1.0 + 1e-12
        assert hit.similarity >= threshold
    assert [h.similarity for h in first] == sorted((h.similarity for h in first), reverse=True)
    again = search(index, query, datasets=("kb",), vector_similarity_weight=weight, similarity_threshold=threshold)
    rebuilt = search(
        build(corpus), query, datasets=("kb",), vector_similarity_weight=weight, similarity_threshold=threshold
    )
    assert first == again == rebuilt
    for k in (1, 2, 3):  # pruning with a small limit keeps exactly the best k
        top = search(
            index, query, datasets=("kb",), vector_similarity_weight=weight, similarity_threshold=threshold, limit=k
        )
        assert top == first[:k]


def test_pruned_top_k_equals_the_head_of_the_full_ranking() -> None:
    import random

    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(40)]
    corpus = {
        f"c{i}": ("kb", f"d{i % 7}", " ".join(rng.choices(vocabulary, weights=range(40, 0, -1), k=rng.randint(3, 25))))
        for i in range(400)
    }
    index = build(corpus)
    for _ in range(40):
        query = " ".join(rng.sample(vocabulary, rng.randint(1, 6)))
        full = search(index, query, datasets=("kb",), similarity_threshold=0.0)
        for k in (1, 5, 20):
            assert search(index, query, datasets=("kb",), similarity_threshold=0.0, limit=k) == full[:k]


def test_title_tokens_are_searched_and_count_little_in_the_vector() -> None:
    index = SearchIndex()
    index.add("c-made", "kb", "doc", "Saturn has rings.", [], [], "ragflow test upload 0 txt")
    index.add("c-added", "kb", "doc", "Saturn has rings.", [], [])
    hits = search(index, "upload", datasets=("kb",), similarity_threshold=0.0)
    assert ids(hits) == ["c-made"]
    assert hits[0].term_similarity == 1.0
    assert hits[0].vector_similarity == pytest.approx(0.095)
    assert index.keyword_filter("upload", "doc") == ["c-made"]


def test_a_chunk_with_every_query_term_survives_every_weight_up_to_ten() -> None:
    index = build()
    for weight in (0.0, 0.3, 1.0, 2.0, 5.0, 10.0):
        hits = search(index, "capital of France", vector_similarity_weight=weight)
        paris = next(h for h in hits if h.chunk_id == "c-paris")
        assert paris.similarity == pytest.approx(
            (1 - weight) * paris.term_similarity + weight * paris.vector_similarity
        )
        assert paris.similarity >= 0.2
