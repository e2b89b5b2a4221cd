"""Cold start: a fresh interpreter's import + app build + first in-process request, emulator vs bare Starlette.

Each run is a new `python -c` process timing, from its first statement, `import mockserver`, `create_app()` and one
`GET /api/v1/datasets` through the ASGI app, against the same steps for a bare Starlette app answering one route
(the same ASGI client code drives both). Runs alternate; medians and their ratio are printed (target <= 1.5x).
`--imports` prints the slowest imports of the emulator's run (`-X importtime`, cumulative microseconds).

Run: `python benchmarks/cold_start.py [--runs 7] [--imports]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

from common import ROOT

DRIVE = """
async def first(app, headers):
    status, body = 0, []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/api/v1/datasets", "raw_path": b"/api/v1/datasets", "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 9380)}
    await app(scope, receive, send)
    return status, b"".join(body)
"""

EMULATOR = """
import time
t0 = time.perf_counter()
import asyncio
import mockserver
app = mockserver.create_app(mockserver.Settings(api_keys=("k",), world=None))
status, body = asyncio.run(first(app, [(b"authorization", b"Bearer k"), (b"host", b"127.0.0.1:9380")]))
assert status == 200 and body == b'{"code":0,"data":[]}\\n', body
print((time.perf_counter() - t0) * 1000)
"""

BARE = """
import time
t0 = time.perf_counter()
import asyncio
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
async def datasets(request):
    return Response(b'{"code":0,"data":[]}\\n', media_type="application/json")
app = Starlette(routes=[Route("/api/v1/datasets", datasets)])
status, body = asyncio.run(first(app, [(b"host", b"127.0.0.1:9380")]))
assert status == 200, body
print((time.perf_counter() - t0) * 1000)
"""


def timed(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    """Run `code` (after the shared ASGI driver) in a fresh interpreter from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = code.replace("import time\n", "import time\n" + DRIVE, 1)
    return subprocess.run(
        [sys.executable, *flags, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )


def imports_report(limit: int = 25) -> None:
    """The emulator run's slowest imports by cumulative time."""
    rows = []
    for line in timed(EMULATOR, "-X", "importtime").stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        rows.append((int(cumulative), name))
    print(f"  slowest imports (cumulative, -X importtime), top {limit}:")
    for cumulative, name in sorted(rows, reverse=True)[:limit]:
        print(f"    {cumulative / 1000:8.1f} ms  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per side")
    parser.add_argument("--imports", action="store_true", help="also list the slowest imports")
    parser.add_argument("--quick", action="store_true", help="3 runs per side")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    emulator: list[float] = []
    bare: list[float] = []
    for _ in range(runs):
        emulator.append(float(timed(EMULATOR).stdout.strip().splitlines()[-1]))
        bare.append(float(timed(BARE).stdout.strip().splitlines()[-1]))
    e, b = statistics.median(emulator), statistics.median(bare)
    print(f"cold start: fresh interpreter, import + app + first in-process request, median of {runs} alternating runs")
    print(f"  emulator        {e:7.1f} ms   runs: {', '.join(f'{r:.0f}' for r in emulator)}")
    print(f"  bare Starlette  {b:7.1f} ms   runs: {', '.join(f'{r:.0f}' for r in bare)}")
    print(f"  ratio {e / b:.2f}x  (target <= 1.5x: {'met' if e / b <= 1.5 else 'NOT MET'})")
    if args.imports:
        imports_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
