"""The stemmer is NLTK's PorterStemmer (NLTK_EXTENSIONS mode), as the server's tokenizer uses it."""

from __future__ import annotations

import pytest

from mockserver.core.text_analysis import query_terms, stem, terms_of

NLTK_PORTER = {
    # NLTK's documented PorterStemmer outputs, including its extensions to the original algorithm
    "caresses": "caress",
    "ponies": "poni",
    "ties": "tie",
    "cats": "cat",
    "agreed": "agre",
    "plastered": "plaster",
    "motoring": "motor",
    "sing": "sing",
    "conflated": "conflat",
    "troubled": "troubl",
    "sized": "size",
    "hopping": "hop",
    "tanned": "tan",
    "falling": "fall",
    "hissing": "hiss",
    "fizzed": "fizz",
    "failing": "fail",
    "filing": "file",
    "happy": "happi",
    "sky": "sky",
    "relational": "relat",
    "conditional": "condit",
    "rational": "ration",
    "digitizer": "digit",
    "vietnamization": "vietnam",
    "predication": "predic",
    "operator": "oper",
    "feudalism": "feudal",
    "decisiveness": "decis",
    "hopefulness": "hope",
    "callousness": "callous",
    "triplicate": "triplic",
    "formative": "form",
    "formalize": "formal",
    "electrical": "electr",
    "goodness": "good",
    "allowance": "allow",
    "inference": "infer",
    "adjustable": "adjust",
    "defensible": "defens",
    "replacement": "replac",
    "communism": "commun",
    "effective": "effect",
    "generously": "gener",
    "dying": "die",
    "lying": "lie",
    "news": "news",
    "keys": "key",
    "days": "day",
    "documents": "document",
    "retrieval": "retriev",
    "queries": "queri",
    "capital": "capit",
}


@pytest.mark.parametrize(("word", "expected"), sorted(NLTK_PORTER.items()))
def test_stem_is_nltks_porter(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_only_ascii_letter_tokens_are_stemmed() -> None:
    assert stem("v2") == "v2"
    assert stem("2025") == "2025"
    assert stem("检") == "检"


def test_index_and_query_share_the_stems() -> None:
    assert terms_of("Running documents") == ["run", "document"]
    assert query_terms("the running of documents") == ["run", "document"]
