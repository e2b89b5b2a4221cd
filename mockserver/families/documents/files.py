"""File rules of document upload/download: type detection, name de-duplication, thumbnails, disposition."""

from __future__ import annotations

import io
import pathlib
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote

PDF, DOC, AURAL, VISUAL = "pdf", "doc", "aural", "visual"

_DOC_RE = re.compile(
    r".*\.(eml|doc|docx|ppt|pptx|yml|xml|htm|json|csv|txt|ini|xls|xlsx|wps|rtf|hlp|pages|numbers|key|md|py|js|java"
    r"|c|cpp|h|php|go|ts|sh|cs|kt|html|sql)$"
)
_AURAL_RE = re.compile(r".*\.(wav|flac|ape|alac|wavpack|wv|mp3|aac|ogg|vorbis|opus)$")
_VISUAL_RE = re.compile(
    r".*\.(jpg|jpeg|png|tif|gif|pcx|tga|exif|fpx|svg|psd|cdr|pcd|dxf|ufo|eps|ai|raw|WMF|webp|avif|apng|icon|ico|mpg"
    r"|mpeg|avi|rm|rmvb|mov|wmv|asf|dat|asx|wvx|mpe|mpa|mp4)$"
)
_THUMBNAIL_IMAGE_RE = re.compile(r".*\.(jpg|jpeg|png|tif|gif|icon|ico|webp)$")
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
    b"\x00\x00\x01\x00",
)
UNSUPPORTED = "This type of file has not been supported yet!"
NOT_A_PDF = "No /Root object! - Is this really a PDF?"


def file_type(name: str) -> str | None:
    """`pdf`/`doc`/`aural`/`visual` from the lower-cased name's last extension; None when unsupported."""
    lowered = name.lower()
    if re.match(r".*\.pdf$", lowered):
        return PDF
    for kind, pattern in ((DOC, _DOC_RE), (AURAL, _AURAL_RE), (VISUAL, _VISUAL_RE)):
        if pattern.match(lowered):
            return kind
    return None


def chunk_method_for(name: str, kind: str, dataset_method: str) -> str:
    """The chunk method a new document gets (media and slides/e-mail by name, else the dataset's)."""
    if kind == VISUAL:
        return "picture"
    if kind == AURAL:
        return "audio"
    if re.search(r"\.(ppt|pptx|pages)$", name):
        return "presentation"
    if re.search(r"\.eml$", name):
        return "email"
    return dataset_method


def deduplicate(name: str, taken: Callable[[str], bool]) -> str:
    """`a.txt` → `a(1).txt` → `a(2).txt` … until `taken` says the name is free."""
    while taken(name):
        suffix = pathlib.PurePosixPath(name).suffix
        stem = name[: len(name) - len(suffix)] if suffix else name
        match = re.search(r"\(([0-9]+)\)$", stem)
        number = int(match.group(1)) if match else 0
        if match:
            stem = stem[: match.start()]
        name = f"{stem}({number + 1}){suffix}"
    return name


def extension_changed(old: str, new: str) -> bool:
    """Whether a rename changes the (lower-cased) extension."""
    return pathlib.PurePosixPath(new.lower()).suffix != pathlib.PurePosixPath(old.lower()).suffix


def thumbnail_for(name: str, data: bytes, doc_id: str) -> str:
    """The `thumbnail` value; raises ValueError with the server's text when a PDF/image is not one."""
    lowered = name.lower()
    if re.match(r".*\.pdf$", lowered):
        if _pdf_pages(data) == 0:
            raise ValueError("list index out of range")
        return f"thumbnail_{doc_id}.png"
    if _THUMBNAIL_IMAGE_RE.match(lowered):
        webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        if not (webp or data.startswith(_IMAGE_MAGIC) or data[:2] == b"BM"):
            buffer = io.BytesIO(data)
            raise ValueError(f"cannot identify image file {buffer!r}")
        return f"thumbnail_{doc_id}.png"
    if re.match(r".*\.(ppt|pptx)$", lowered) and _slides_render(data):
        return f"thumbnail_{doc_id}.png"
    return ""


def _pdf_pages(data: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:
        if b"%PDF-" not in data[:1024]:
            raise ValueError(NOT_A_PDF) from None
        return 1
    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:
        raise ValueError(NOT_A_PDF) from None


def _slides_render(data: bytes) -> bool:
    try:
        from pptx import Presentation

        return len(Presentation(io.BytesIO(data)).slides) > 0
    except Exception:
        return False


_TOKEN_CHARS = frozenset("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~")


def content_disposition(name: str) -> str:
    """Werkzeug's `attachment; filename=…` (quoted when needed; RFC 5987 form for non-ASCII names)."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        encoded = quote(name, safe="!#$&+-.^_`|~")
        return f"attachment; filename={_quote_header(simple)}; filename*=UTF-8''{encoded}"
    return f"attachment; filename={_quote_header(name)}"


def _quote_header(value: str) -> str:
    if not value:
        return '""'
    if _TOKEN_CHARS.issuperset(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """A single `bytes=` range → (start, end exclusive); None to send everything; False if unsatisfiable."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, dash, last = header[6:].strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()):
        return None
    if last and not last.isdigit():
        return None
    if not first:
        length = int(last)
        return (max(0, size - length), size) if length and size else False
    start = int(first)
    end = min(size, int(last) + 1) if last else size
    if start >= size or end <= start:
        return False
    return start, end
