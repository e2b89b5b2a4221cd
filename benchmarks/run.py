"""Benchmarks printed as side-by-side ratios measured in one run.

1. Throughput: the emulator's `GET /api/v1/datasets` (10 datasets) vs a bare Starlette app returning the same
   JSON bytes, both on uvicorn (one worker, separate process), driven by the same asyncio load generator
   (raw HTTP/1.1 keep-alive sockets, N concurrent connections, fixed duration). Rounds alternate A/B.
2. Cold start: a fresh interpreter doing `import mockserver` + `create_app` + one in-process request.

Run: `python benchmarks/run.py [--seconds 3] [--connections 32] [--rounds 2]`.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEY = "ragflow-bench-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(factory: str, port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"apps:{factory}",
        "--app-dir",
        str(HERE),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{factory} did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


async def _client(port: int, request: bytes, stop_at: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    try:
        while time.monotonic() < stop_at:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))
            await reader.readexactly(length)
            done += 1
    finally:
        counts.append(done)
        writer.close()


def measure(port: int, seconds: float, connections: int) -> float:
    request = (
        f"GET /api/v1/datasets HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {KEY}\r\n\r\n"
    ).encode()

    async def run() -> float:
        counts: list[int] = []
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(*(_client(port, request, stop_at, counts) for _ in range(connections)))
        return sum(counts) / (time.monotonic() - started)

    return asyncio.run(run())


COLD_START = """
import time
t0 = time.perf_counter()
import mockserver, httpx, asyncio
app = mockserver.create_app(mockserver.Settings(api_keys=("k",), world=None))
async def first():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as c:
        r = await c.get("/api/v1/datasets", headers={"Authorization": "Bearer k"})
        assert r.json() == {"code": 0, "data": []}, r.text
asyncio.run(first())
print((time.perf_counter() - t0) * 1000)
"""

BASELINE_START = """
import time
t0 = time.perf_counter()
import starlette.applications, starlette.responses, starlette.routing, httpx, asyncio
print((time.perf_counter() - t0) * 1000)
"""


def cold_start(runs: int) -> tuple[float, float]:
    def timed(code: str) -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return float(out.stdout.strip().splitlines()[-1])

    emulator = statistics.median(timed(COLD_START) for _ in range(runs))
    baseline = statistics.median(timed(BASELINE_START) for _ in range(runs))
    return emulator, baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of one measurement round")
    parser.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per app")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh interpreters for the cold start")
    args = parser.parse_args()

    results: dict[str, list[float]] = {"emulator": [], "bare": []}
    servers = {name: (port := free_port(), start_server(name, port)) for name in results}
    try:
        for port, _ in servers.values():  # warm-up
            measure(port, 0.5, 4)
        for _ in range(args.rounds):
            for name, (port, _) in servers.items():
                results[name].append(measure(port, args.seconds, args.connections))
    finally:
        for _, proc in servers.values():
            proc.terminate()
            proc.wait(10)

    emulator, bare = max(results["emulator"]), max(results["bare"])
    print("throughput: GET /api/v1/datasets (10 datasets), uvicorn 1 worker, asyncio raw-socket load generator")
    print(f"  connections={args.connections} seconds={args.seconds} rounds={args.rounds} (best round reported)")
    print(f"  emulator      {emulator:10.0f} req/s   rounds: {', '.join(f'{r:.0f}' for r in results['emulator'])}")
    print(f"  bare Starlette{bare:10.0f} req/s   rounds: {', '.join(f'{r:.0f}' for r in results['bare'])}")
    print(f"  ratio emulator/bare = {emulator / bare:.2f}   (target >= 0.7)")
    cold, base = cold_start(args.cold_runs)
    print("cold start: fresh interpreter, import + create_app + first in-process request (median)")
    print(f"  emulator {cold:.1f} ms   (bare import of starlette+httpx: {base:.1f} ms; target < 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
