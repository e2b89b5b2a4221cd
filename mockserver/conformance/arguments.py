"""Argument parser of `ragflow-mock conformance` (argparse only: building it needs none of the `contract` extra)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What `ArgumentParser.add_subparsers` returns."""

DEFAULT_DEVIATIONS = Path("contract_tests") / "known_deviations.yaml"

DESCRIPTION = """\
Check a RAGFlow server (or the emulator) against openapi/ragflow.yaml: spec examples, generated positive and
negative cases, the spec's links as a state machine, and every streaming operation, with envelope-aware checks.
Writes conformance.xml (JUnit), conformance.json and conformance.md to --report-dir. Exit 0 when no operation
fails (not-implemented operations are reported but pass unless --fail-on-not-implemented), 1 otherwise.
Without --base-url the run targets a private in-process emulator.

On a live server everything the run creates is named with a run prefix (rmcf<hex>_) and deleted at the end,
even on failure; bulk deletions only ever name ids the run created. --read-only sends only GETs and the
retrieval queries.
"""


def add_conformance_parser(sub: SubParsers, run: Callable[[argparse.Namespace], int]) -> None:
    """Add `conformance` to the sub-commands; `run` executes it (the caller imports the engine only then)."""
    parser = sub.add_parser(
        "conformance",
        help="check a live RAGFlow (or the emulator) against the spec and write reports",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get("RAGFLOW_BASE_URL"),
        help="server to check, e.g. http://127.0.0.1:9380 (env RAGFLOW_BASE_URL; default: an in-process emulator)",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("RAGFLOW_API_KEY"),
        help="API key of a tenant you can write to (env RAGFLOW_API_KEY)",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("conformance-report"),
        help="where to write the reports (default: %(default)s)",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=20,
        help="generated cases per operation and mode (positive, negative; default: %(default)s)",
    )
    parser.add_argument("--read-only", action="store_true", help="only GET operations and retrieval queries")
    parser.add_argument(
        "--operations",
        default=None,
        metavar="PATTERN",
        help="comma-separated operationId globs, e.g. 'listDatasets,*Chunk*'",
    )
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: derandomized)")
    parser.add_argument(
        "--beta-token",
        default=os.environ.get("RAGFLOW_BETA_TOKEN"),
        help="embedded-chat `beta` secret for chatbots/agentbots routes (env RAGFLOW_BETA_TOKEN)",
    )
    parser.add_argument(
        "--login-token",
        default=os.environ.get("RAGFLOW_LOGIN_TOKEN"),
        help="web login token for /v1/conversation routes (env RAGFLOW_LOGIN_TOKEN)",
    )
    parser.add_argument(
        "--known-deviations",
        type=Path,
        default=None,
        help=f"accepted deviations YAML (default: {DEFAULT_DEVIATIONS} when it exists)",
    )
    parser.add_argument("--spec", type=Path, default=None, help="OpenAPI document (default: the packaged one)")
    parser.add_argument(
        "--profile",
        default=None,
        metavar="NAME",
        help="check against a historical profile's document (e.g. 2024-05-legacy; the in-process emulator then "
        "serves that profile at its original paths). Default: the current API",
    )
    parser.add_argument("--no-stateful", action="store_true", help="skip the links/stream phase")
    parser.add_argument(
        "--heartbeat",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="off a terminal, a progress line this often during long phases (a terminal gets a live bar)",
    )
    parser.add_argument(
        "--fail-on-not-implemented",
        action="store_true",
        help="exit 1 when an operation is not implemented on the target",
    )
    parser.set_defaults(func=run)
