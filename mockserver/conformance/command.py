"""Running `ragflow-mock conformance`: target and options from the arguments, progress, summary and reports."""

from __future__ import annotations

import argparse
import logging
import sys

from starlette.applications import Starlette

from mockserver.app import create_app, emulator_state
from mockserver.conformance.arguments import DEFAULT_DEVIATIONS
from mockserver.conformance.progress import Heartbeat
from mockserver.conformance.reports import write_reports
from mockserver.conformance.runner import Credentials, Runner, RunOptions
from mockserver.conformance.target import Target
from mockserver.paths import openapi_dir
from mockserver.profiles.registry import SWITCHES, UnknownProfile, profile_named
from mockserver.settings import DEFAULT_API_KEY, Settings


def emulator_app(profile: str | None = None) -> Starlette:
    """A private emulator for runs without --base-url (serving `profile` at its original paths when given)."""
    if profile is None:
        return create_app(Settings.for_tests())
    switch = SWITCHES[profile_named(profile).namespace]
    return create_app(Settings.for_tests(**{switch: profile}))


def emulator_credentials(app: Starlette, api_key: str = DEFAULT_API_KEY) -> Credentials:
    """The default key of an in-process emulator, with its embedded-chat secret."""
    row = emulator_state(app).backends.token(api_key)
    return Credentials(api_key=api_key, beta_token=None if row is None else row.beta)


def run_command(args: argparse.Namespace) -> int:
    """Run the conformance suite, print progress and a summary, write the reports."""
    profile = getattr(args, "profile", None)
    try:
        spec = None if profile is None else openapi_dir() / profile_named(profile).spec_file
    except UnknownProfile as exc:
        print(f"error: --profile: {exc}", file=sys.stderr)
        return 2
    if args.base_url:
        if not args.api_key:
            print("error: --api-key (or RAGFLOW_API_KEY) is required with --base-url", file=sys.stderr)
            return 2
        target = Target.for_url(args.base_url)
        credentials = Credentials(args.api_key, args.beta_token, args.login_token)
    else:
        # the private emulator's own warnings (placeholder chunks, unknown routes) are not the run's output
        logging.getLogger("mockserver").setLevel(logging.ERROR)
        app = emulator_app(profile)
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
    chosen = args.spec or spec
    if chosen is not None:
        options.spec = chosen
    print(f"ragflow-mock conformance → {target.base_url if target.live else 'in-process emulator'}")
    print(f"  spec {options.spec}, {options.max_examples} cases per operation and mode, read-only: {args.read_only}")
    sys.stdout.flush()

    heartbeat = Heartbeat(interval=args.heartbeat)
    runner = Runner(target, credentials, options, heartbeat)
    runner.on_phase, runner.on_request = heartbeat.phase, heartbeat.tick
    try:
        report = runner.run()
    finally:
        heartbeat.close()
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
