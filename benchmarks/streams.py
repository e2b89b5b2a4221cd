"""1,000 concurrent SSE chat completions over real sockets: all must end with the final frame, none may fail.

The emulator runs on uvicorn (one worker, separate process, streaming as fast as it can); one chat gets one
session per stream (created first over keep-alive), then every completion is opened at once on its own raw
socket and read to the end. Wall time from the first request to the last final frame, streams completed, and
the server's peak RSS are printed.

Run: `python benchmarks/streams.py [--n 1000] [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import requests
from common import free_port, peak_rss_mb, rss_mb, start_server, stop

KEY = "ragflow-bench-key"
FINAL = b'data:{"code": 0, "data": true}\n\n'


async def _one(port: int, chat_id: str, session_id: str) -> bool:
    body = json.dumps({"question": "What is in the knowledge base?", "stream": True, "session_id": session_id})
    request = (
        f"POST /api/v1/chats/{chat_id}/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Connection: close\r\n\r\n{body}"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    try:
        writer.write(request)
        raw = await reader.read(-1)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunked(body)
    return head.startswith(b"HTTP/1.1 200") and body.endswith(FINAL)


def _dechunked(body: bytes) -> bytes:
    out, at = [], 0
    while True:
        line_end = body.index(b"\r\n", at)
        size = int(body[at:line_end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[line_end + 2 : line_end + 2 + size])
        at = line_end + 2 + size + 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1_000, help="concurrent streams")
    parser.add_argument("--quick", action="store_true", help="200 streams")
    args = parser.parse_args(argv)
    n = 200 if args.quick else args.n
    port = free_port()
    server = start_server("empty", port)
    try:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {KEY}"
        base = f"http://127.0.0.1:{port}/api/v1"
        chat_id = http.post(f"{base}/chats", json={"name": "streams", "dataset_ids": []}).json()["data"]["id"]
        sessions = [
            http.post(f"{base}/chats/{chat_id}/sessions", json={"name": f"s{i}"}).json()["data"]["id"] for i in range(n)
        ]
        before = rss_mb(server.pid)

        async def everything() -> list[bool | BaseException]:
            return await asyncio.gather(*(_one(port, chat_id, s) for s in sessions), return_exceptions=True)

        started = time.perf_counter()
        outcomes = asyncio.run(everything())
        wall = time.perf_counter() - started
        done = sum(1 for o in outcomes if o is True)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        peak = peak_rss_mb(server.pid)
    finally:
        stop(server)
    print(f"streams: {n:,} concurrent SSE chat completions (real sockets, uvicorn 1 worker)")
    print(f"  completed with the final frame: {done:,}/{n:,}   errors: {len(errors)}   wall {wall:.2f} s")
    print(f"  server RSS before {before:.0f} MiB, peak {peak:.0f} MiB")
    if errors:
        print(f"  first error: {errors[0]!r}")
    return 0 if done == n else 1


if __name__ == "__main__":
    sys.exit(main())
