"""Memory of `serve` under a hostile load, side by side with a normal load (issue 16 items 1, 2, 8, 9).

Each load runs against its own fresh `python -m mockserver serve` child on 127.0.0.1; RSS and its peak (VmHWM)
are read from /proc after the load. Loads:

- normal: authenticated list/create calls with small bodies;
- hostile: unauthenticated 1 MB bodies that make the server fail (deep JSON, garbage), 100k-deep JSON on
  authenticated routes, huge numbers, oversized and chunked bodies past `--max-content-length`, a flood of
  half-sent requests (closed by the header timeout).

    python benchmarks/hostile_memory.py [--requests 150] [--limit-mb 64]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
KEY = "ragflow-bench-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _status(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) // 1024
    fields["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return fields


class Serve:
    """One serve child (killed by its own pid)."""

    def __init__(self, limit_mb: int, plain: bool) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = ["serve", "--port", str(self.port), "--api-key", KEY, "--world", "none", "--progression", "immediate"]
        if not plain:
            args += ["--max-content-length", str(limit_mb * 1024 * 1024), "--header-timeout", "2"]
        args += ["--log-level", "warning"]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mockserver", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base}/api/v1/datasets", headers=HEADERS, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("serve did not start")

    def stop(self) -> int:
        """Stop the child; returns how many bytes it logged."""
        os.kill(self.proc.pid, signal.SIGINT)
        _, err = self.proc.communicate(timeout=30)
        return len(err)


def normal(base: str, n: int) -> Iterator[int]:
    with httpx.Client(base_url=base, headers=HEADERS, timeout=60) as http:
        for i in range(n):
            yield http.post("/api/v1/datasets", json={"name": f"kb-{i}"}).status_code
            yield http.get("/api/v1/datasets", params={"page_size": 5}).status_code


def _chunked(total: int, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * chunk
        sent += chunk


def _status_of(http: httpx.Client, path: str, **kwargs: object) -> int:
    """The HTTP status, or 0 when the connection broke (the server refused the rest of a body, or failed)."""
    try:
        return http.post(path, **kwargs).status_code  # type: ignore[arg-type]
    except httpx.TransportError:
        return 0


def hostile(base: str, n: int, limit_mb: int, plain: bool) -> Iterator[int]:
    deep = b"[" * 100_000 + b"]" * 100_000
    garbage = b"{" + b"x" * (1024 * 1024)
    retrieval = json.dumps({"question": "q", "dataset_ids": ["x"], "page": 10**400})
    with httpx.Client(base_url=base, timeout=120) as http:
        for _ in range(n):
            yield _status_of(http, "/v1/user/register", content=deep[:1_000_000])
            yield _status_of(http, "/v1/user/login", content=garbage)
            yield _status_of(http, "/api/v1/chats", content=deep, headers=HEADERS)
            yield _status_of(http, "/api/v1/retrieval", content=retrieval, headers=HEADERS)
        for _ in range(0 if plain else 3):  # declared too large, then chunked past the limit
            yield _status_of(http, "/api/v1/chats", content=b"x" * (limit_mb * 1024 * 1024 + 1), headers=HEADERS)
            yield _status_of(http, "/api/v1/chats", content=_chunked((limit_mb + 16) * 1024 * 1024), headers=HEADERS)
    port = int(base.rsplit(":", 1)[1])
    held = []
    for _ in range(min(2000, n * 10)):  # half-sent requests
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST /v1/user/register HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        held.append(sock)
    yield len(held)
    time.sleep(3)  # past the 2 s header timeout
    for sock in held:
        sock.close()


def measure(name: str, load: Callable[[str], Iterator[int]], limit_mb: int, plain: bool) -> dict[str, object]:
    serve = Serve(limit_mb, plain)
    try:
        before = _status(serve.proc.pid)
        started = time.perf_counter()
        count = sum(1 for _ in load(serve.base))
        elapsed = time.perf_counter() - started
        after = _status(serve.proc.pid)
        ok = httpx.get(f"{serve.base}/api/v1/datasets", headers=HEADERS, timeout=10).json()["code"] == 0
    finally:
        logged = serve.stop()
    return {
        "load": name,
        "calls": count,
        "seconds": round(elapsed, 1),
        "rss_start_mb": before["VmRSS"],
        "rss_end_mb": after["VmRSS"],
        "rss_peak_mb": after["VmHWM"],
        "fds_end": after["fds"],
        "log_kb": logged // 1024,
        "still_serving": ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--limit-mb", type=int, default=64, help="--max-content-length of the served emulator")
    parser.add_argument("--plain", action="store_true", help="no new serve flags, no oversize bodies (older checkouts)")
    args = parser.parse_args()
    rows = [
        measure("normal", lambda base: normal(base, args.requests), args.limit_mb, args.plain),
        measure(
            "hostile", lambda base: hostile(base, args.requests, args.limit_mb, args.plain), args.limit_mb, args.plain
        ),
    ]
    columns = list(rows[0])
    print(" | ".join(f"{c:>13}" for c in columns))
    for row in rows:
        print(" | ".join(f"{row[c]!s:>13}" for c in columns))


if __name__ == "__main__":
    main()
