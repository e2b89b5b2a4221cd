"""The file rules of uploads and downloads (`families/documents/files.py`), without HTTP."""

from __future__ import annotations

from mockserver.families.documents.files import (
    byte_range,
    chunk_method_for,
    content_disposition,
    deduplicate,
    file_type,
)


def test_download_content_disposition_forms() -> None:
    """downloadDocument: Werkzeug's `Content-Disposition`, quoted or RFC 5987 for non-ASCII names."""
    assert content_disposition("a.txt") == "attachment; filename=a.txt"
    assert content_disposition("日本.txt") == "attachment; filename=.txt; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"


def test_upload_type_and_chunk_method_from_the_name() -> None:
    """uploadDocuments: the file type by last extension, media and slides get their own chunk method."""
    assert (file_type("a.PDF"), file_type("a.md"), file_type("a.mp3"), file_type("a.png")) == (
        "pdf",
        "doc",
        "aural",
        "visual",
    )
    assert file_type("a.exe") is None
    assert chunk_method_for("a.png", "visual", "naive") == "picture"
    assert chunk_method_for("a.pptx", "doc", "naive") == "presentation"
    assert chunk_method_for("a.txt", "doc", "qa") == "qa"


def test_upload_names_are_deduplicated_with_a_counter() -> None:
    """uploadDocuments: `a.txt` → `a(1).txt` → `a(2).txt` while the name is taken."""
    taken = {"a.txt", "a(1).txt"}
    assert deduplicate("a.txt", taken.__contains__) == "a(2).txt"
    assert deduplicate("b.txt", taken.__contains__) == "b.txt"


def test_download_byte_ranges() -> None:
    """downloadDocument: one `bytes=` range, suffix ranges, unsatisfiable ones, and headers ignored."""
    assert byte_range("bytes=2-4", 10) == (2, 5)
    assert byte_range("bytes=-3", 10) == (7, 10)
    assert byte_range("bytes=20-", 10) is False
    assert byte_range("bytes=1-2,4-5", 10) is None
    assert byte_range(None, 10) is None
