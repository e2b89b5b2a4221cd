"""Sentences as a reader sees them: hard wraps joined, markdown dropped, abbreviations kept, fragments told."""

from __future__ import annotations

from mockserver.core.sentences import sentences_of

WRAPPED = """# Harbour Street Tea Company

## Delivery
Orders placed before two o'clock are packed the same day. Standard delivery takes two to
four working days. **Express** delivery arrives the [next](https://example.com) working day.

- Keep tea cool.
- Keep it dry
"""


def test_wrapped_lines_join_and_headings_are_context_not_sentences() -> None:
    found = sentences_of(WRAPPED)
    assert [s.text for s in found] == [
        "Orders placed before two o'clock are packed the same day.",
        "Standard delivery takes two to four working days.",
        "Express delivery arrives the next working day.",
        "Keep tea cool.",
        "Keep it dry",
    ]
    assert {s.heading for s in found} == {"Delivery"}
    assert [s.whole for s in found] == [True, True, True, True, False]
    assert found[1].previous == found[0].text and found[3].previous == ""


def test_abbreviations_initials_and_quotes_do_not_end_sentences() -> None:
    text = '"My dear Mr. Bennet," said his lady, "have you heard?" J. Austen wrote it. Mrs. Long agreed!'
    assert [s.text for s in sentences_of(text)] == [
        '"My dear Mr. Bennet," said his lady, "have you heard?"',
        "J. Austen wrote it.",
        "Mrs. Long agreed!",
    ]
    assert sentences_of(text)[0].is_question


def test_a_chunk_cut_mid_sentence_leaves_fragments_that_are_not_whole() -> None:
    found = sentences_of("are burned away. The flame is bright. The products of the")
    assert [(s.text, s.whole) for s in found] == [
        ("are burned away.", False),
        ("The flame is bright.", True),
        ("The products of the", False),
    ]


def test_cjk_sentence_ends_split_without_spaces() -> None:
    assert [s.text for s in sentences_of("检索增强生成。它很有用！")] == ["检索增强生成。", "它很有用！"]
