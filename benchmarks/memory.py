"""Resident memory of one tenant at 100,000 chunks and at 100,000 datasets (fresh interpreter each).

Each case starts a new interpreter, builds the app (RSS measured), writes the rows through the stores (chunks:
one document, ~12-word contents; datasets: default columns), lists one page (so the ordered index exists too) and
reads RSS again. Printed: RSS before and after, and bytes per row.

Run: `python benchmarks/memory.py [--rows 100000] [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from common import ROOT

CASE = """
import gc, sys
sys.path.insert(0, {bench!r})
from common import rss_mb
from mockserver import Settings, create_app, emulator_state
from mockserver.families.chunks.schemas import NewChunk
app = create_app(Settings(api_keys=("k",), world=None, id_seed=3))
tenant = emulator_state(app).backends.tenant_for_key("k")
gc.collect()
before = rss_mb()
if {kind!r} == "chunks":
    dataset = tenant.datasets.insert(name="kb")
    doc = tenant.documents.upload(dataset, "doc.txt", b"text")
    for i in range({rows}):
        tenant.chunks.add_to(doc, NewChunk(f"chunk {{i}} about topic {{i % 997}} with a few more words of text", [], []))
    tenant.chunks.page_in_order(doc.id, 1, 30)
else:
    for i in range({rows}):
        tenant.datasets.insert(name=f"dataset-{{i}}", description="benchmark dataset")
    tenant.datasets.listing(dataset_id=None, name=None, page=1, page_size=30, orderby="create_time", desc=True)
gc.collect()
print(before, rss_mb())
"""


def measure(kind: str, rows: int) -> tuple[float, float]:
    code = CASE.format(bench=str(ROOT / "benchmarks"), kind=kind, rows=rows)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    before, after = (float(x) for x in out.stdout.split())
    return before, after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 rows")
    args = parser.parse_args(argv)
    rows = 10_000 if args.quick else args.rows
    print(f"memory: RSS of one tenant holding {rows:,} rows (fresh interpreter per case)")
    for kind in ("chunks", "datasets"):
        before, after = measure(kind, rows)
        per_row = (after - before) * 1024 * 1024 / rows
        print(
            f"  {kind:9} RSS {before:6.0f} MiB -> {after:6.0f} MiB   (+{after - before:.0f} MiB, {per_row:,.0f} bytes/row)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
