"""Text analysis shared by the index, chunking and answers: tokenizer, token counter, stemmer, highlighter."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

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
        elif core[0].isalpha():  # a CJK letter is always a one-character piece: 1 either way
            total += 1 + (len(core) - 1) // 7
        elif _is_cjk(core[0]):
            total += 1
        else:
            total += 1 + (len(core) - 1) // 3
    return total


_CJK_CHAR = re.compile(rf"[{_CJK}]")


def _is_cjk(char: str) -> bool:
    return _CJK_CHAR.match(char) is not None


_ENGLISH_WORD = re.compile(r"[a-z_-]+")


@functools.cache
def _porter() -> Callable[[str], str]:
    """NLTK's PorterStemmer (its default NLTK_EXTENSIONS mode), imported on first use (nltk loads slowly)."""
    from nltk.stem.porter import PorterStemmer

    stemmer: Callable[[str], str] = PorterStemmer().stem
    return stemmer


@functools.lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The server's English stemmer: NLTK's Porter on tokens that are ASCII letters only (others kept).

    The server lemmatises with WordNet first; that needs a corpus download, so it is left out (Porter already
    folds regular plurals; irregular ones such as `geese` stay apart).
    """
    if _ENGLISH_WORD.fullmatch(token) is None:
        return token
    return _porter()(token)


_STEMS: dict[str, str] = {}


def terms_of(text: str) -> list[str]:
    """The stemmed tokens of a text, as the index stores them."""
    if len(_STEMS) > 500_000:
        _STEMS.clear()
    tokens = tokenize(text)
    for token in set(tokens).difference(_STEMS):
        _STEMS[token] = stem(token)
    return list(map(_STEMS.__getitem__, tokens))


def tokenized(text: str) -> str:
    """The server's tokenised text field (`content_ltks`): the stemmed tokens joined by spaces."""
    return " ".join(terms_of(text))


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


@functools.lru_cache(maxsize=1024)
def _highlight_keywords(query: str) -> tuple[str, ...]:
    tokens = tokenize(query)
    kept = [t for t in tokens if t not in STOPWORDS] or tokens
    words: dict[str, None] = {}
    for token in kept:
        words[token] = None
        words[stem(token)] = None
    return tuple(words)


def _fragments(tokens: list[str], matched: list[int]) -> str:
    """The engine's own fragments: tokenised text around matches, terms in `<em>`, joined by `...`."""
    windows: list[list[int]] = []
    for i in matched:
        lo, hi = max(0, i - 8), min(len(tokens), i + 9)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    hit = set(matched)
    marked = [f"<em>{tok}</em>" if i in hit else tok for i, tok in enumerate(tokens)]
    return "...".join(" ".join(marked[lo:hi]) for lo, hi in windows)


@functools.lru_cache(maxsize=4096)
def _term_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(^|{_SEP})({re.escape(word)})({_SEP})", re.IGNORECASE)


_EM = re.compile(r"<em>[^<>]+</em>")
_LINE_BREAK = re.compile(r"[\r\n]")
_SENTENCE_END = re.compile(r"[.?!;\n]")


def highlight(text: str, query: str) -> str:
    """`<em>` markup of the query terms in `text` as the server's highlighter builds it; "" when none match.

    English-looking text: sentences (split at `.?!;` and newlines) that contain a term, with each term
    wrapped in `<em>` when it stands between separators (one pass per term, as the server does), joined by
    `...`. Otherwise (or when no sentence qualifies) the engine's fragments of the tokenised text.
    """
    keywords = _highlight_keywords(query)
    english = text.isascii() or _looks_english(text)
    if english:
        sentences = _marked_sentences(text, keywords)
        if sentences:
            return "...".join(sentences)
    wanted = set(keywords)
    tokens = tokenize(text)
    matched = [i for i, term in enumerate(terms_of(text)) if term in wanted or tokens[i] in wanted]
    return _fragments(tokens, matched) if matched else ""


def _marked_sentences(text: str, keywords: tuple[str, ...]) -> list[str]:
    sentences = []
    for sentence in _SENTENCE_END.split(_LINE_BREAK.sub(" ", text)):
        lowered = sentence.lower()
        present = [word for word in keywords if word in lowered]
        if not present:
            continue
        for word in present:
            sentence = _term_pattern(word).sub(r"\1<em>\2</em>\3", sentence)
        if _EM.search(sentence):
            sentences.append(sentence)
    return sentences


def remove_redundant_spaces(text: str) -> str:
    """Drop spaces next to punctuation the way the server tidies a highlight before returning it."""
    text = re.sub(r"([^a-z0-9.,)>]) +([^ ])", r"\1\2", text, flags=re.IGNORECASE)
    return re.sub(r"([^ ]) +([^a-z0-9.,(<])", r"\1\2", text, flags=re.IGNORECASE)
