"""Wire throughput of the 30-row dataset list: the emulator vs a bare Starlette app returning the same bytes.

Both apps run on uvicorn (one worker, separate processes, same interpreter); wrk (`wrk -t2 -c32`) drives
`GET /api/v1/datasets?page_size=30` in alternating rounds (emulator, bare, emulator, ...) and the median of the
per-round ratios is reported (target >= 0.7). Without wrk a Python asyncio keep-alive generator is used, with a
warning (it shares the cores with the servers, so its ratios read low). `--prism` adds Prism 5 mocking
`openapi/ragflow.yaml` through `npx @stoplight/prism-cli` when npx can reach it (target: emulator >= 5x Prism).

Run: `python benchmarks/throughput.py [--seconds 5] [--rounds 3] [--connections 32] [--prism]`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

from common import ROOT, free_port, start_server, stop

KEY = "ragflow-bench-key"
PATH = "/api/v1/datasets?page_size=30"


def wrk(port: int, seconds: float, connections: int) -> float:
    """Requests per second wrk measured (non-2xx replies make it fail)."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "-H",
            f"Authorization: Bearer {KEY}",
            f"http://127.0.0.1:{port}{PATH}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise RuntimeError(out)
    return float(match.group(1))


async def _client(port: int, request: bytes, stop_at: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    try:
        while time.monotonic() < stop_at:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode(errors="replace"))
            await reader.readexactly(length)
            done += 1
    finally:
        counts.append(done)
        writer.close()


def python_load(port: int, seconds: float, connections: int) -> float:
    """The fallback generator: keep-alive raw sockets on one asyncio loop."""
    request = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {KEY}\r\n\r\n".encode()

    async def run() -> float:
        counts: list[int] = []
        started = time.monotonic()
        await asyncio.gather(*(_client(port, request, started + seconds, counts) for _ in range(connections)))
        return sum(counts) / (time.monotonic() - started)

    return asyncio.run(run())


def start_prism(port: int) -> subprocess.Popen[bytes] | None:
    """Prism 5 mocking the spec via npx, or None when npx or the package is not reachable within a minute."""
    if shutil.which("npx") is None:
        return None
    cmd = [
        "npx",
        "--yes",
        "@stoplight/prism-cli@5",
        "mock",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        str(ROOT / "openapi" / "ragflow.yaml"),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.25)
    stop(proc)  # type: ignore[arg-type]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of one round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per app")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--prism", action="store_true", help="also measure Prism 5 via npx (when reachable)")
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 2.0, 2
    load = wrk if shutil.which("wrk") else python_load
    if load is python_load:
        print("WARNING: wrk not found; using the Python load generator (it shares the cores: ratios read low)")
    servers = {"emulator": free_port(), "bare": free_port()}
    procs = {name: start_server(name, port) for name, port in servers.items()}
    prism_port = free_port()
    prism = start_prism(prism_port) if args.prism else None
    if prism is not None:
        servers["prism"] = prism_port
    results: dict[str, list[float]] = {name: [] for name in servers}
    try:
        for port in servers.values():
            load(port, 1, 4)  # warm-up
        for _ in range(args.rounds):
            for name, port in servers.items():
                results[name].append(load(port, args.seconds, args.connections))
    finally:
        for proc in procs.values():
            stop(proc)
        if prism is not None:
            stop(prism)
    ratios = [e / b for e, b in zip(results["emulator"], results["bare"], strict=True)]
    tool = f"wrk -t2 -c{args.connections} -d{args.seconds:g}s" if load is wrk else "python asyncio generator"
    print(f"throughput: GET {PATH} (30 datasets), uvicorn 1 worker each, {tool}, {args.rounds} alternating rounds")
    for name, rounds in results.items():
        print(
            f"  {name:9} median {statistics.median(rounds):8.0f} req/s   rounds: {', '.join(f'{r:.0f}' for r in rounds)}"
        )
    ratio = statistics.median(ratios)
    print(
        f"  emulator / bare Starlette (same bytes): median ratio {ratio:.2f}  (target >= 0.7: {'met' if ratio >= 0.7 else 'NOT MET'})"
    )
    if "prism" in results:
        vs = statistics.median(e / p for e, p in zip(results["emulator"], results["prism"], strict=True))
        print(f"  emulator / Prism 5: median ratio {vs:.2f}  (target >= 5: {'met' if vs >= 5 else 'NOT MET'})")
    elif args.prism:
        print("  Prism 5: not reachable through npx (skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
