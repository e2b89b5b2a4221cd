"""Every benchmark of issue 13 in one run, each printing its figures side by side.

  scale       per-operation cost of every family at 100 / 10k / 100k rows (in-process), ratio to 100
  throughput  wrk on the 30-row dataset list: emulator vs bare Starlette returning the same bytes
  bulk        10k dataset and 10k chat creates via requests.post (new connection each), one bulk delete each
  cold_start  fresh interpreter import + app + first request, ratio to bare Starlette
  streams     1,000 concurrent SSE chat completions over real sockets: wall time, peak RSS
  memory      RSS at 100k chunks and at 100k datasets

Run: `python benchmarks/run.py [--quick] [--only NAME[,NAME]]` (`--quick`: smaller sizes and shorter rounds).
The machine is shared: run the full sizes once, when it is quiet.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ORDER = ("scale", "throughput", "bulk", "cold_start", "streams", "memory")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, short rounds")
    parser.add_argument("--only", default=",".join(ORDER), help=f"comma-separated subset of {', '.join(ORDER)}")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(ORDER))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    failures = 0
    for name in chosen:
        started = time.perf_counter()
        module = importlib.import_module(name)
        print(f"== {name} ==", flush=True)
        failures += bool(module.main(["--quick"] if args.quick else []))
        print(f"   ({time.perf_counter() - started:.0f} s)\n", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
