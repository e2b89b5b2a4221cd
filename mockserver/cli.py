"""The `ragflow-mock` command line: `serve`, `routes` and `conformance`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from mockserver.app import create_app, emulator_state
from mockserver.conformance.arguments import SubParsers, add_conformance_parser
from mockserver.control.persistence import DurableWrites, StateFile
from mockserver.control.snapshot import SnapshotError
from mockserver.control.worlds import WorldError, read_world
from mockserver.core.lifecycle import parse_progression
from mockserver.http.spec import load_operations
from mockserver.profiles.base import DATASET, LEGACY
from mockserver.profiles.mounting import profile_operations
from mockserver.profiles.registry import PROFILES, choices, selected_profiles
from mockserver.settings import DEFAULT_API_KEY, DEFAULT_PORT, Settings
from mockserver.version import __version__

EPILOG = f"""\
examples:
  ragflow-mock serve                          # 127.0.0.1:{DEFAULT_PORT}, key {DEFAULT_API_KEY}
  ragflow-mock serve --port 8080 --api-key ragflow-abc --api-key ragflow-def
  ragflow-mock routes                         # every operation, per profile
  ragflow-mock serve --legacy-profile 2024-05-legacy   # /v1/api/* as RAGFlow v0.7.0 (docs/profiles.md)
  curl -H 'Authorization: Bearer {DEFAULT_API_KEY}' http://127.0.0.1:{DEFAULT_PORT}/api/v1/datasets
"""


def _add_serve(sub: SubParsers) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the emulator on a real socket",
        description="Run the RAGFlow emulator. Prints the base URL and the API key to use.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s)")
    serve.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=f"accept this API key; repeat for more (each key is its own tenant; default: {DEFAULT_API_KEY})",
    )
    serve.add_argument(
        "--world",
        default=None,
        help="fixtures world to load: a name in fixtures/worlds, a YAML path, or 'none' (default: demo)",
    )
    serve.add_argument(
        "--answers",
        default=None,
        help="scripted answers: 'fixtures' (shipped), a directory or YAML file, or 'none' (default: fixtures)",
    )
    serve.add_argument(
        "--progression",
        default=None,
        help="document parse progression: immediate | polls:N | seconds:T | fail:P[:message] (default: seconds:4)",
    )
    serve.add_argument(
        "--tokens-per-second",
        type=float,
        default=None,
        help="streamed answer pace; 0 = as fast as possible (default: 25)",
    )
    serve.add_argument("--timezone", default=None, help="server local zone for *_date fields (Asia/Shanghai)")
    serve.add_argument("--no-admin", action="store_true", help="disable the /_emulator control plane")
    serve.add_argument(
        "--profile",
        default="current",
        choices=choices(DATASET),
        help="who answers the singular /api/v1/dataset… and /api/v1/chat… (default: current = nobody, 404)",
    )
    serve.add_argument(
        "--legacy-profile",
        default="current",
        choices=choices(LEGACY),
        help="who answers /v1/api/* (default: current); every profile is also under /_p/<name>/…",
    )
    serve.add_argument(
        "--state-file",
        default=None,
        metavar="PATH",
        help="keep all state in this JSON snapshot: loaded on start (if it exists), rewritten atomically before "
        "every write is acknowledged (survives kill -9), saved again on exit",
    )
    serve.add_argument(
        "--reload-world", action="store_true", help="reload the world file when it changes (state is rebuilt)"
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        metavar="ORIGIN",
        help="allowed browser origin; repeat for more (default: any origin)",
    )
    serve.add_argument("--admin-key", default=None, help="require this bearer key on /_emulator")
    serve.add_argument(
        "--webui-dist",
        default=None,
        metavar="DIR",
        help="serve a built RAGFlow web UI (its dist/ directory) on the same origin, index.html for client routes",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="log verbosity (default: %(default)s)",
    )
    serve.set_defaults(func=_serve)


def _add_routes(sub: SubParsers) -> None:
    routes = sub.add_parser("routes", help="list the operations of the spec and whether each is built")
    routes.set_defaults(func=_routes)


def server_environment(environ: Mapping[str, str]) -> dict[str, object]:
    """Settings from the real server's environment variables (`REGISTER_ENABLED`, `MAX_FILE_NUM_PER_USER`) and
    `RAGFLOW_MOCK_RSA_PRIVATE_KEY`; the entry point is the one place that reads the environment."""
    found: dict[str, object] = {}
    if "REGISTER_ENABLED" in environ:
        found["register_enabled"] = environ["REGISTER_ENABLED"].strip() != "0"
    limit = environ.get("MAX_FILE_NUM_PER_USER", "")
    if limit.isdigit():
        found["max_file_num_per_user"] = int(limit)
    if environ.get("RAGFLOW_MOCK_RSA_PRIVATE_KEY"):
        found["rsa_private_key"] = environ["RAGFLOW_MOCK_RSA_PRIVATE_KEY"]
    return found


def settings_from_args(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    """Serve-mode settings: the server's environment variables, then the command-line overrides."""
    settings = Settings.for_serve()
    overrides: dict[str, object] = {
        **server_environment(os.environ if environ is None else environ),
        "admin_enabled": not args.no_admin,
        "admin_key": args.admin_key,
        "reload_world": bool(args.reload_world),
        "profile": args.profile,
        "legacy_profile": args.legacy_profile,
    }
    if args.api_keys:
        overrides["api_keys"] = tuple(args.api_keys)
    if args.world is not None:
        overrides["world"] = None if args.world.lower() == "none" else args.world
    if args.answers is not None:
        overrides["answers"] = None if args.answers.lower() == "none" else args.answers
    if args.progression is not None:
        try:
            parse_progression(args.progression)
        except ValueError as exc:
            raise SystemExit(f"ragflow-mock serve: error: --progression {args.progression!r}: {exc}") from None
        overrides["progression"] = args.progression
    if args.tokens_per_second is not None:
        overrides["stream_tokens_per_second"] = args.tokens_per_second
        if args.tokens_per_second == 0:
            overrides["stream_first_token_delay"] = 0.0
    if args.timezone is not None:
        overrides["timezone"] = args.timezone
    if getattr(args, "cors_origins", None):
        overrides["cors_origins"] = tuple(args.cors_origins)
    if getattr(args, "webui_dist", None):
        if not (Path(args.webui_dist) / "index.html").is_file():
            raise SystemExit(f"ragflow-mock serve: error: --webui-dist {args.webui_dist!r}: no index.html there")
        overrides["webui_dist"] = args.webui_dist
    return replace(settings, **overrides)  # type: ignore[arg-type]


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_from_args(args)
    app = create_app(settings)
    state = emulator_state(app)
    served: ASGIApp = app
    state_file = StateFile(state, args.state_file) if args.state_file else None
    if state_file is not None:
        try:
            if state_file.open():
                print(f"  state restored from {args.state_file}")
        except SnapshotError as exc:
            raise SystemExit(f"ragflow-mock serve: error: --state-file: {exc}") from None
        served = DurableWrites(app, state_file)
    base = f"http://{args.host}:{args.port}"
    print(f"ragflow-mockserver listening on {base}")
    print(f"  API base URL : {base}/api/v1")
    for key in settings.api_keys:
        print(f"  API key      : {key}   (Authorization: Bearer {key})")
    for profile in selected_profiles(settings):
        print(f"  profile      : {profile.name} at {', '.join(profile.owns)} (and under {profile.prefix})")
    print(f"  try          : curl -H 'Authorization: Bearer {settings.api_keys[0]}' {base}/api/v1/datasets")
    for line in web_ui_lines(settings, base):
        print(line)
    sys.stdout.flush()
    try:
        uvicorn.run(served, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    finally:
        if state_file is not None:
            state_file.save_now()
            print(f"state saved to {args.state_file}")
    return 0


def web_ui_lines(settings: Settings, base: str) -> list[str]:
    """What `serve` prints about the web UI: the world's web login and where the UI is served."""
    lines: list[str] = []
    web_user = None
    if settings.world:
        try:
            web_user = read_world(settings.world).web_user
        except WorldError:
            web_user = None
    if web_user is not None:
        lines.append(
            f"  web login    : {web_user.email} / {web_user.password}   (RAGFlow's web UI; POST {base}/v1/user/login)"
        )
    if settings.webui_dist:
        lines.append(f"  web UI       : {base}/   (from {settings.webui_dist})")
    return lines


def _routes(args: argparse.Namespace) -> int:
    print("profile current (always served)")
    for op in load_operations():
        print(f"{op.method:7} {op.path:70} {op.operation_id:36} {op.document}")
    for profile in PROFILES:
        switch = "--legacy-profile" if profile.namespace == LEGACY else "--profile"
        print(f"\nprofile {profile.name} — {profile.summary}")
        print(f"  always under {profile.prefix}/…; at {', '.join(profile.owns)} with {switch} {profile.name}")
        for op in profile_operations(profile):
            print(f"{op.method:7} {op.path:70} {op.operation_id:36} {op.document}")
    return 0


CONTRACT_EXTRA = frozenset({"schemathesis", "hypothesis", "jsonschema", "referencing"})
"""Top-level modules of the optional `contract` extra that the conformance engine imports."""


def _conformance(args: argparse.Namespace) -> int:
    try:
        # The one lazy import of the package: the engine needs the optional `contract` extra, which
        # `ragflow-mock --help` and `serve` must not (tests/architecture/test_layers.py OPTIONAL_LAZY).
        from mockserver.conformance.command import run_command
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in CONTRACT_EXTRA:
            raise
        print(
            f"ragflow-mock conformance: error: {exc.name} is missing; "
            "install the contract extra: pip install 'ragflow-mockserver[contract]'",
            file=sys.stderr,
        )
        return 2
    return run_command(args)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="ragflow-mock",
        description="ragflow-mockserver: a zero-infrastructure emulator of RAGFlow's HTTP API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ragflow-mockserver {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_serve(sub)
    _add_routes(sub)
    add_conformance_parser(sub, _conformance)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ragflow-mock` and `python -m mockserver`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    result: int = args.func(args)
    return result
