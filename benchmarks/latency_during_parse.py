"""Latency of a simple GET while a large document parses (issue 16 item 7).

Starts `python -m mockserver serve` in a child process (127.0.0.1, no world, instant progression), uploads a
pathological file — a ~120 KB .docx of repeated paragraphs (about 7 MB of XML) or an ~18 MB CSV — then sends
`POST /api/v1/datasets/{id}/chunks` from one thread while another thread sends `GET /api/v1/datasets` back to
back. Prints, side by side, the GET latencies with the server idle and during the parse, how long the parse
request took, and the server's peak RSS.

Run: `python benchmarks/latency_during_parse.py [--paragraphs 200000] [--csv-mb 18]`.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.serve_process import ServeProcess  # noqa: E402

KEY = "ragflow-mock-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def repeated_docx(paragraphs: int) -> bytes:
    """A minimal .docx whose body repeats one paragraph: tiny compressed, large once unpacked."""
    para = "<w:p><w:r><w:t>The quick brown fox jumps over the lazy dog, again and again.</w:t></w:r></w:p>"
    body = f'<w:document xmlns:w="{_W}"><w:body>{para * paragraphs}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", body)
    return out.getvalue()


def large_csv(megabytes: int) -> bytes:
    """A CSV of about `megabytes` MB (id, name, text rows)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "text"])
    row = 0
    while out.tell() < megabytes * 1_000_000:
        writer.writerow([row, f"name {row}", "some words in a row that repeat a lot " * 3])
        row += 1
    return out.getvalue().encode()


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a process in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def get_latencies(client: httpx.Client, stop: threading.Event | None, count: int) -> list[float]:
    """Back-to-back `GET /api/v1/datasets` latencies (ms): `count` of them, or until `stop` is set."""
    found: list[float] = []
    while (stop is None and len(found) < count) or (stop is not None and not stop.is_set()):
        started = time.perf_counter()
        reply = client.get("/api/v1/datasets")
        found.append((time.perf_counter() - started) * 1000)
        assert reply.status_code == 200 and reply.json()["code"] == 0
    return found


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"n={len(values):5d}  p50={statistics.median(values):7.1f} ms  p95={p95:7.1f} ms  max={max(values):7.1f} ms"


def measure(label: str, name: str, data: bytes) -> None:
    with (
        ServeProcess(
            "--world", "none", "--answers", "none", "--progression", "immediate", "--log-level", "warning"
        ) as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS, timeout=600) as client,
    ):
        assert server.proc is not None
        dataset = client.post("/api/v1/datasets", json={"name": "bench"}).json()["data"]["id"]
        doc = client.post(f"/api/v1/datasets/{dataset}/documents", files={"file": (name, data)}).json()["data"][0]
        idle = get_latencies(client, None, 200)
        stop = threading.Event()
        parse_reply: list[object] = []

        def parse() -> None:
            with httpx.Client(base_url=server.base_url, headers=HEADERS, timeout=600) as other:
                parse_reply.append(
                    other.post(f"/api/v1/datasets/{dataset}/chunks", json={"document_ids": [doc["id"]]}).json()
                )
            stop.set()

        started = time.perf_counter()
        worker = threading.Thread(target=parse)
        worker.start()
        during = get_latencies(client, stop, 0)
        worker.join()
        parse_s = time.perf_counter() - started
        listed = client.get(f"/api/v1/datasets/{dataset}/documents").json()["data"]["docs"][0]
        print(
            f"{label}: {len(data) / 1000:.0f} KB upload, parse request {parse_s:.2f} s -> {parse_reply[0]}, "
            f"run {listed['run']}, {listed['chunk_count']} chunks, server peak RSS {peak_rss_mb(server.proc.pid):.0f} MB"
        )
        print(f"  GET /api/v1/datasets idle        : {summary(idle)}")
        print(f"  GET /api/v1/datasets during parse: {summary(during)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=200_000)
    parser.add_argument("--csv-mb", type=int, default=18)
    args = parser.parse_args()
    measure("docx of repeated paragraphs", "repeated.docx", repeated_docx(args.paragraphs))
    measure("large CSV", "large.csv", large_csv(args.csv_mb))


if __name__ == "__main__":
    main()
