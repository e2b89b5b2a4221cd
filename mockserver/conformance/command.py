"""The `ragflow-mock conformance` sub-command (heavy imports happen only when it runs)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.cli import register_command
from mockserver.settings import DEFAULT_API_KEY

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from mockserver.conformance.runner import Credentials

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


def _add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    parser.add_argument("--no-stateful", action="store_true", help="skip the links/stream phase")
    parser.add_argument(
        "--fail-on-not-implemented",
        action="store_true",
        help="exit 1 when an operation is not implemented on the target",
    )
    parser.set_defaults(func=run_command)


def emulator_app() -> Starlette:
    """A private emulator for runs without --base-url."""
    from mockserver.app import create_app
    from mockserver.settings import Settings

    return create_app(Settings.for_tests())


def emulator_credentials(app: Starlette, api_key: str = DEFAULT_API_KEY) -> Credentials:
    """The default key of an in-process emulator, with its embedded-chat secret."""
    from mockserver.app import emulator_state
    from mockserver.conformance.runner import Credentials

    row = emulator_state(app).backends.token(api_key)
    return Credentials(api_key=api_key, beta_token=None if row is None else row.beta)


def run_command(args: argparse.Namespace) -> int:
    """Run the conformance suite, print progress and a summary, write the reports."""
    from mockserver.conformance.reports import write_reports
    from mockserver.conformance.runner import Credentials, Runner, RunOptions
    from mockserver.conformance.target import Target

    if args.base_url:
        if not args.api_key:
            print("error: --api-key (or RAGFLOW_API_KEY) is required with --base-url", file=sys.stderr)
            return 2
        target = Target.for_url(args.base_url)
        credentials = Credentials(args.api_key, args.beta_token, args.login_token)
    else:
        app = emulator_app()
        target = Target.for_app(app)
        credentials = emulator_credentials(app)
        credentials.login_token = args.login_token
    deviations = args.known_deviations or (DEFAULT_DEVIATIONS if DEFAULT_DEVIATIONS.is_file() else None)
    options = RunOptions(
        max_examples=max(args.max_examples, 0),
        read_only=args.read_only,
        operations=args.operations,
        seed=args.seed,
        stateful=not args.no_stateful,
        fail_on_not_implemented=args.fail_on_not_implemented,
        deviations=deviations,
    )
    if args.spec is not None:
        options.spec = args.spec
    print(f"ragflow-mock conformance → {target.base_url if target.live else 'in-process emulator'}")
    print(f"  spec {options.spec}, {options.max_examples} cases per operation and mode, read-only: {args.read_only}")
    sys.stdout.flush()

    def progress(line: str) -> None:
        print(line, flush=True)

    try:
        report = Runner(target, credentials, options, progress).run()
    finally:
        target.close()
    written = write_reports(report, args.report_dir)
    counts = report.counts()
    print(
        f"{report.cases} requests in {report.seconds:.1f} s, {report.server_errors} undocumented server errors; "
        + ", ".join(f"{n} {status}" for status, n in counts.items())
    )
    for result in report.results:
        for record in result.failures.values():
            if record.known is None:
                print(f"  FAILED {result.operation_id}: {record.check} at {record.path or '-'}: {record.message}")
    for note in report.notes:
        print(f"  cleanup: {note}")
    for kind, path in written.items():
        print(f"  {kind:8} {path}")
    print("PASS" if report.ok else "FAIL")
    return 0 if report.ok else 1


register_command(_add)
