"""Chunking real content: readers per format and splitting per chunk method (chunking/)."""

from __future__ import annotations

import io
from typing import Any

from mockserver.core.chunking import chunk_document
from mockserver.core.chunking.readers import Section, read
from mockserver.core.chunking.splitter import decode_delimiter, naive_merge, qa_content
from mockserver.core.search import count_tokens
from tests.support.knowledge import make_pdf

NAIVE: dict[str, Any] = {"chunk_token_num": 128, "delimiter": "\\n"}


def texts(name: str, data: bytes, method: str = "naive", config: dict[str, Any] | None = None) -> list[str]:
    pieces, _ = chunk_document(name, data, method, NAIVE if config is None else config)
    return [p.text for p in pieces]


def test_decode_delimiter_reads_escapes() -> None:
    assert decode_delimiter("\\n") == "\n"
    assert decode_delimiter("\\n!?;。") == "\n!?;。"
    assert decode_delimiter(None) == "\n"
    assert decode_delimiter("") == "\n"


def test_naive_merge_bounds_chunks_by_tokens() -> None:
    lines = "".join(f"sentence number {i} is here\n" for i in range(50))
    pieces = naive_merge([Section(lines)], 20, "\n")
    assert len(pieces) > 3
    assert "\n".join(p.text for p in pieces) == lines.strip()
    for piece in pieces[:-1]:
        assert count_tokens(piece.text + "\n") > 20
        assert count_tokens(piece.text) <= 20 + count_tokens("sentence number 49 is here\n")


def test_naive_merge_with_multi_character_delimiter() -> None:
    pieces = naive_merge([Section("a1 END b2 END c3")], 1, "`END`")
    assert [p.text for p in pieces] == ["a1 END", "b2 END", "c3"]


def test_chunk_token_num_from_parser_config() -> None:
    text = ("alpha beta gamma delta.\n" * 60).encode()
    small = texts("a.txt", text, config={"chunk_token_num": 16, "delimiter": "\\n"})
    large = texts("a.txt", text, config={"chunk_token_num": 512, "delimiter": "\\n"})
    assert len(small) > len(large) == 1


def test_text_like_formats() -> None:
    assert texts("a.md", b"# Title\n\nBody text.") == ["# Title\n\nBody text."]
    assert texts("a.py", b"def f():\n    return 1\n") == ["def f():\n    return 1"]
    html = b"<html><head><style>x{}</style><script>var a;</script></head><body><p>Hello</p><div>World</div></body>"
    assert texts("a.html", html) == ["Hello\nWorld"]
    assert texts("a.json", b'{"a": 1, "b": [1, 2]}') == ['{"a": 1}\n{"b": [1, 2]}']
    assert texts("gbk.txt", "中文".encode("gb18030")) == ["中文"]


def test_csv_and_xlsx_rows() -> None:
    assert texts("a.csv", b"name,age\nann,30\nbob,40\n") == ["name：ann; age：30\nname：bob; age：40"]
    assert texts("a.csv", b"name,age\nann,30\n", "table") == ["name: ann; age: 30"]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["q", "a"])
    sheet.append(["What is 2+2?", "4"])
    out = io.BytesIO()
    book.save(out)
    assert texts("s.xlsx", out.getvalue(), "qa") == ["Question: q\tAnswer: a", "Question: What is 2+2?\tAnswer: 4"]


def test_qa_text_and_labels() -> None:
    assert texts("faq.txt", b"Q: Why?\tA: Because.\nHow?\tLike this.\nmore\n", "qa") == [
        "Question: Why?\tAnswer: Because.",
        "Question: How?\tAnswer: Like this.\nmore",
    ]
    assert qa_content("问：为什么", "答：因为") == "问题：为什么\t回答：因为"


def test_one_and_picture_methods() -> None:
    assert texts("a.txt", b"one\ntwo\nthree", "one") == ["one\ntwo\nthree"]
    [picture] = texts("p.png", b"\x89PNG\r\n\x1a\n", "picture")
    assert picture.startswith("[ragflow-mockserver placeholder] p.png (8 bytes")


def test_eml() -> None:
    mail = b"From: a@example.com\nTo: b@example.com\nSubject: Quarterly report\n\nRevenue grew by ten percent.\n"
    [chunk] = texts("m.eml", mail, "email")
    assert "Subject: Quarterly report" in chunk
    assert "Revenue grew by ten percent." in chunk


def test_pdf_pages_and_positions() -> None:
    pieces, pages = chunk_document("p.pdf", make_pdf("Mitochondria power cells"), "naive", NAIVE)
    assert pages == 1
    assert [p.text.strip() for p in pieces] == ["Mitochondria power cells"]
    [position] = pieces[0].positions
    assert position[:3] == [1, 0, 300]
    assert 0 <= position[3] < position[4] <= 300


def test_docx_and_pptx() -> None:
    from docx import Document
    from pptx import Presentation

    document = Document()
    document.add_paragraph("Glaciers carve valleys.")
    document.add_paragraph("Rivers carry sediment.")
    out = io.BytesIO()
    document.save(out)
    assert texts("d.docx", out.getvalue()) == ["Glaciers carve valleys.\nRivers carry sediment."]
    deck = Presentation()
    for title in ("First slide", "Second slide"):
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        assert slide.shapes.title is not None
        slide.shapes.title.text = title
    out = io.BytesIO()
    deck.save(out)
    assert texts("s.pptx", out.getvalue(), "presentation") == ["First slide", "Second slide"]


def test_unreadable_and_legacy_formats_get_labelled_placeholders() -> None:
    [broken] = texts("d.docx", b"not a zip")
    assert broken.startswith("[ragflow-mockserver placeholder] d.docx (9 bytes, sha1 ")
    assert "unreadable .docx content (" in broken
    [legacy] = texts("old.doc", b"\xd0\xcf\x11\xe0")
    assert "legacy binary .doc format" in legacy
    assert texts("old.doc", b"\xd0\xcf\x11\xe0") == [legacy]  # deterministic
    assert read("old.doc", b"").placeholder


def test_empty_file_has_no_chunks() -> None:
    assert texts("empty.txt", b"") == []


def _word_file(paragraphs: int, table: bool = False) -> bytes:
    from docx import Document

    document = Document()
    for i in range(paragraphs):
        document.add_paragraph(f"Paragraph {i} about glaciers.")
    if table:
        grid = document.add_table(rows=2, cols=2)
        for r in range(2):
            for c in range(2):
                grid.cell(r, c).text = f"r{r}c{c}"
    link = document.add_paragraph("tab\there")
    link.add_run().add_break()
    link.add_run("after break")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_stream_reads_what_python_docx_reads() -> None:
    """issue 16 item 7: the streaming .docx reader gives python-docx's paragraph and table texts."""
    from docx import Document

    from mockserver.core.chunking.docx_text import docx_text

    data = _word_file(5, table=True)
    document = Document(io.BytesIO(data))
    paragraphs, rows, stopped = docx_text(data, 10_000)
    assert paragraphs == [p.text for p in document.paragraphs if p.text.strip()]
    assert rows == [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert not stopped
    assert [s.text for s in read("d.docx", data).sections][-2:] == ["r0c0; r0c1\n", "r1c0; r1c1\n"]


def test_large_inputs_are_read_up_to_the_text_bound() -> None:
    """A 2,000-paragraph .docx read with a 20,000-character bound, a CSV and a text file past `MAX_TEXT_CHARS`."""
    from mockserver.core.chunking.docx_text import docx_text
    from mockserver.core.chunking.readers import MAX_TEXT_CHARS, bounded

    paragraphs, _, stopped = docx_text(_word_file(2_000), 20_000)
    assert stopped and 20_000 <= sum(map(len, paragraphs)) < 20_100
    rows = "".join(f"{i},{'x' * 90}\n" for i in range(MAX_TEXT_CHARS // 90 + 100)).encode()
    extracted = read("t.csv", rows)
    assert extracted.rows is not None and len(extracted.rows) == len(extracted.sections)
    assert sum(len(s.text) for s in extracted.sections) <= MAX_TEXT_CHARS
    text = read("t.txt", b"y" * (MAX_TEXT_CHARS + 5))
    assert [len(s.text) for s in text.sections] == [MAX_TEXT_CHARS]
    small = read("t.txt", b"short")
    assert bounded(small) is small
