"""Grounded answer text: whole sentences that answer the question's content words, each cited."""

from __future__ import annotations

from mockserver.core.answer_text import NOT_FOUND_SENTENCE, grounded_text, question_focus

PLANETS = (
    "The planets move round the Sun in paths called orbits.\n\n"
    "The Earth takes one year to go round the Sun. Mercury, the nearest planet, takes only eighty-eight\n"
    "days, while Saturn, the most distant planet known to the ancients, takes nearly thirty years."
)
AUSTEN = '"But it is," returned she; "for Mrs. Long has just been here, and she told me all about it."'
HANDBOOK = (
    "## Delivery\nStandard delivery takes two to\nfour working days and is free for orders over forty pounds.\n\n"
    "## Storing tea\nKeep tea in an airtight tin. Green teas are best within six months."
)


def test_question_focus_drops_stop_words_and_question_phrases() -> None:
    focus = question_focus("How long does Saturn take to go round the Sun?")
    assert focus.terms == {"saturn", "take", "go", "round", "sun"}
    assert focus.names == {"saturn", "sun"}


def test_the_sentence_naming_the_question_s_subject_wins_and_stop_words_match_nothing() -> None:
    answer = grounded_text("How long does Saturn take to go round the Sun?", [PLANETS, AUSTEN], quote=True)
    assert answer == (
        "Mercury, the nearest planet, takes only eighty-eight days, while Saturn, the most distant planet known "
        "to the ancients, takes nearly thirty years. ##0$$"
    )


def test_wrapped_lines_are_joined_and_headings_never_said() -> None:
    assert grounded_text("How long does standard delivery take?", [HANDBOOK], quote=True) == (
        "Standard delivery takes two to four working days and is free for orders over forty pounds. ##0$$"
    )
    assert grounded_text("How should I store tea?", [HANDBOOK], quote=False) == "Keep tea in an airtight tin."


def test_a_sentence_pointing_back_brings_the_one_before_it() -> None:
    text = "The sun warms the sea and the water rises as vapour. This is called evaporation."
    assert grounded_text("What is evaporation?", [text], quote=True) == f"{text} ##0$$"


def test_another_chunk_is_quoted_only_when_it_answers_as_well() -> None:
    chunks = ["Rome is the capital of Italy.", "Italy has many islands.", "The capital of Italy is Rome."]
    assert grounded_text("What is the capital of Italy?", chunks, quote=True) == (
        "Rome is the capital of Italy. ##0$$ The capital of Italy is Rome. ##2$$"
    )


def test_without_any_shared_word_the_first_whole_sentence_is_cited() -> None:
    assert grounded_text("xylophone", ["cut off here. A whole one. tail"], quote=True) == "A whole one. ##0$$"
    assert grounded_text("xylophone", [], quote=True) == NOT_FOUND_SENTENCE
