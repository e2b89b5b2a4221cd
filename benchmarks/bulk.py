"""Bulk creation over real HTTP the way most client code does it: `requests.post` without a session (a new
connection per request), 10,000 datasets and 10,000 chat assistants, then one bulk delete of each.

The emulator runs on uvicorn (one worker, separate process); totals in seconds are printed with the per-request
mean and the slowest 100-request window (growth with the tenant's size shows there). Targets: under 25 s for
each 10,000 creates, the bulk delete under 1 s.

Run: `python benchmarks/bulk.py [--n 10000] [--quick]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import requests
from common import free_port, start_server, stop

KEY = "ragflow-bench-key"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def _creates(base: str, path: str, n: int, body: Callable[[int], dict[str, object]]) -> tuple[float, float, list[str]]:
    """Total seconds, slowest 100-request window in ms/request, and the ids created."""
    ids: list[str] = []
    windows: list[float] = []
    started = window = time.perf_counter()
    for i in range(n):
        reply = requests.post(f"{base}{path}", json=body(i), headers=HEADERS, timeout=30).json()
        if reply.get("code") != 0:
            raise RuntimeError(f"create {i}: {reply}")
        ids.append(reply["data"]["id"])
        if (i + 1) % 100 == 0:
            now = time.perf_counter()
            windows.append((now - window) * 10)
            window = now
    return time.perf_counter() - started, max(windows, default=0.0), ids


def _delete(base: str, path: str, ids: list[str]) -> float:
    started = time.perf_counter()
    reply = requests.delete(f"{base}{path}", json={"ids": ids}, headers=HEADERS, timeout=120).json()
    if reply.get("code") != 0:
        raise RuntimeError(f"bulk delete: {str(reply)[:300]}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=10_000, help="rows per family")
    parser.add_argument("--quick", action="store_true", help="1,000 rows per family")
    args = parser.parse_args(argv)
    n = 1_000 if args.quick else args.n
    port = free_port()
    server = start_server("empty", port)
    base = f"http://127.0.0.1:{port}"
    print(f"bulk: {n:,} creates each via requests.post (new connection per request), uvicorn 1 worker, then 1 delete")
    try:
        for family, path, body in (
            ("datasets", "/api/v1/datasets", lambda i: {"name": f"bulk-{i}"}),
            ("chats", "/api/v1/chats", lambda i: {"name": f"bulk-{i}", "dataset_ids": []}),
        ):
            total, worst, ids = _creates(base, path, n, body)
            deleted = _delete(base, path, ids)
            verdict = "met" if (total < 25 * n / 10_000 and deleted < 1) else "NOT MET"
            print(
                f"  {family:9} creates {total:6.1f} s ({total / n * 1000:.2f} ms each, slowest 100: {worst:.2f} ms each)"
                f"   bulk delete of {n:,}: {deleted:.3f} s   (target < {25 * n / 10_000:g} s / < 1 s: {verdict})"
            )
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
