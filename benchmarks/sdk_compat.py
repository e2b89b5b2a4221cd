"""Which ragflow-sdk releases complete a basic walk against the emulator: one temp venv per release, one table.

Each release is installed from the package registry into its own virtual environment (nothing else in it), and a
walk runs there against one in-process emulator on a real socket (instant parsing and answers, no world):
datasets, upload, parse, chunks, retrieval, chat, session, ask. The table printed at the end (Markdown) is the one
in docs/pytest-plugin.md; each cell is ✅ or ❌ with the first line of the error.

Run: `python benchmarks/sdk_compat.py [--versions 0.13.0,0.19.0] [--markdown out.md]`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockserver import Settings, create_app
from mockserver.server import ThreadedServer

RELEASES = ("0.13.0", "0.14.0", "0.15.1", "0.16.0", "0.17.2", "0.18.0", "0.19.1", "0.20.5", "0.21.1", "0.22.1")
"""The newest patch of every minor release from 0.13 to 0.22."""

STEPS = ("datasets", "upload", "parse", "chunks", "retrieval", "chat", "session", "ask")

WALK = r"""
import json, sys, time
from ragflow_sdk import RAGFlow

results = {}
def step(name, fn):
    try:
        value = fn()
        results[name] = "ok"
        return value
    except Exception as exc:  # the table records the failure, the walk stops
        results[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:80]
        print(json.dumps(results)); sys.exit(0)

rag = RAGFlow(api_key=sys.argv[1], base_url=sys.argv[2])
def datasets():
    ds = rag.create_dataset(name="compat")
    assert [d.name for d in rag.list_datasets()] == ["compat"]
    return ds
def datasets_with_explicit_arguments():
    # what an application must pass when the release's defaults are refused by this server (avatar="" before
    # 0.19, embedding_model=None after it)
    import inspect
    accepted = inspect.signature(rag.create_dataset).parameters
    kwargs = {"avatar": None} if "avatar" in accepted else {}
    if "embedding_model" in accepted:
        kwargs["embedding_model"] = "BAAI/bge-large-zh-v1.5@BAAI"
    try:
        ds = rag.create_dataset(name="compat", **kwargs)
        results["datasets"] += " (passes with " + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"
    except Exception:  # the release sends fields this server refuses whatever it is given: create it over HTTP
        rag.post("/datasets", {"name": "compat"})
        ds = rag.list_datasets(name="compat")[0]
        results["datasets"] += " (the walk goes on with a dataset created over HTTP)"
    return ds
try:
    ds = datasets()
    results["datasets"] = "ok"
except Exception as exc:
    results["datasets"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:80]
    ds = step("datasets+", datasets_with_explicit_arguments)
    results.pop("datasets+")
text = b"The greenhouse effect traps heat near the ground. Without it the surface would be much colder."
docs = step("upload", lambda: ds.upload_documents([{"display_name": "greenhouse.txt", "displayed_name": "greenhouse.txt", "blob": text}]))
def parse():
    ds.async_parse_documents([docs[0].id])
    for _ in range(100):
        doc = ds.list_documents(id=docs[0].id)[0]
        if doc.run == "DONE":
            return doc
        time.sleep(0.05)
    raise AssertionError(f"run stayed {doc.run}")
doc = step("parse", parse)
def chunks():
    found = doc.list_chunks()
    assert found, "no chunks"
step("chunks", chunks)
def retrieval():
    found = rag.retrieve(dataset_ids=[ds.id], question="greenhouse heat")
    assert found, "nothing retrieved"
step("retrieval", retrieval)
chat = step("chat", lambda: rag.create_chat("compat assistant", dataset_ids=[ds.id]))
session = step("session", lambda: chat.create_session())
def ask():
    # streamed: `ask` is a generator in every release (0.19's stream=False yields nothing); the last message
    # carries the whole answer
    reply = session.ask("What does the greenhouse effect do?", stream=True)
    if not hasattr(reply, "content"):
        last = None
        for last in reply:
            pass
        reply = last
    assert reply is not None and reply.content, "empty answer"
step("ask", ask)
print(json.dumps(results))
"""


def walk(release: str, base_url: str, api_key: str, root: Path) -> dict[str, str]:
    """Install `ragflow-sdk==release` into a fresh venv under `root` and run the walk there."""
    env_dir = root / f"sdk-{release}"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"ragflow-sdk=={release}"], capture_output=True, text=True
    )
    if install.returncode != 0:
        return {"install": install.stderr.strip().splitlines()[-1][:120]}
    script = root / "walk.py"
    script.write_text(WALK)
    run = subprocess.run([str(python), str(script), api_key, base_url], capture_output=True, text=True, timeout=300)
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        return {"datasets": (run.stderr.strip().splitlines() or ["no output"])[-1][:120]}
    result: dict[str, str] = json.loads(lines[-1])
    return result


def cell(results: dict[str, str], name: str) -> str:
    if name not in results:
        return "—"
    value = results[name].replace("|", "\\|")
    return "✅" if value == "ok" else f"❌ {value}"


def table(rows: dict[str, dict[str, str]]) -> str:
    header = "| ragflow-sdk | " + " | ".join(STEPS) + " |\n|---|" + "---|" * len(STEPS) + "\n"
    return header + "".join(
        f"| {release} | " + " | ".join(cell(results, s) for s in STEPS) + " |\n" for release, results in rows.items()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", default=",".join(RELEASES), help="comma-separated releases")
    parser.add_argument("--markdown", default=None, help="also write the table to this file")
    args = parser.parse_args()
    key = "ragflow-compat-key"
    settings = Settings.for_tests(api_keys=(key,), virtual_clock=False)
    rows: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp, ThreadedServer(create_app(settings)) as server:
        for release in args.versions.split(","):
            # every release gets an empty tenant: reset between walks through the control plane
            reset = urllib.request.Request(f"{server.base_url}/_emulator/reset", data=b"{}", method="POST")
            reset.add_header("Content-Type", "application/json")
            urllib.request.urlopen(reset, timeout=10).read()
            rows[release] = walk(release, server.base_url, key, Path(tmp))
            print(release, json.dumps(rows[release]), flush=True)
    text = table(rows)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
