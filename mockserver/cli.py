"""The `ragflow-mock` command line: `serve`, `routes` and `conformance`."""

from __future__ import annotations

import argparse
import os
import sys
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Literal, cast

from mockserver.cli_support import ENV_PREFIX, CommandError, EnvironmentParser, HelpFormatter, LazyChoices
from mockserver.conformance.arguments import SubParsers, add_conformance_parser
from mockserver.core.lifecycle import parse_progression
from mockserver.serve_options import add_safety_arguments, guard_overrides
from mockserver.settings import DEFAULT_API_KEY, DEFAULT_PORT, Settings
from mockserver.version import __version__

# `serve` and `routes` run in mockserver.serve_command, imported when they run: `--help` and `--version` load only
# argparse and the settings (tests/architecture/test_layers.py OPTIONAL_LAZY).

EPILOG = f"""\
examples:
  ragflow-mock serve                          # 127.0.0.1:{DEFAULT_PORT}, key {DEFAULT_API_KEY}
  ragflow-mock serve --port 8080 --api-key ragflow-abc --api-key ragflow-def
  ragflow-mock routes                         # every operation, per profile
  ragflow-mock serve --legacy-profile 2024-05-legacy   # /v1/api/* as RAGFlow v0.7.0 (docs/profiles.md)
  curl -H 'Authorization: Bearer {DEFAULT_API_KEY}' http://127.0.0.1:{DEFAULT_PORT}/api/v1/datasets

Every `serve` flag can also be set by an environment variable {ENV_PREFIX}<FLAG> (`ragflow-mock serve --help`
names each one); the command line wins.
"""


def _profile_choices(namespace: Literal["legacy", "dataset"]) -> LazyChoices:
    """The profile names of a namespace, loaded (with the profiles' spec documents) only when a value is checked."""

    def load() -> tuple[str, ...]:
        from mockserver.profiles.registry import choices

        return choices(namespace)

    return LazyChoices(load)


def _add_serve(sub: SubParsers) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the emulator on a real socket",
        description="Run the RAGFlow emulator. Prints the base URL and the API key to use.\n\n"
        f"Every flag can also come from the environment variable {ENV_PREFIX}<FLAG> shown after it (a list flag\n"
        "takes a comma-separated list, an on/off flag 1/0); the command line wins.",
        formatter_class=HelpFormatter,
        env_prefix=ENV_PREFIX,
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
        choices=_profile_choices("dataset"),
        metavar="NAME",
        help="who answers the singular /api/v1/dataset… and /api/v1/chat… (default: current = nobody, 404)",
    )
    serve.add_argument(
        "--legacy-profile",
        default="current",
        choices=_profile_choices("legacy"),
        metavar="NAME",
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
    add_safety_arguments(serve)
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
    serve.add_argument(
        "--log-format", default="text", choices=["text", "json"], help="log lines as text or JSON (default: text)"
    )
    _add_setting_flags(serve)
    serve.set_defaults(func=_serve)


def _add_setting_flags(serve: argparse.ArgumentParser) -> None:
    """Flags for the `Settings` fields the options above do not cover (docs/settings.md lists them all)."""
    serve.add_argument("--id-seed", type=int, default=None, metavar="N", help="deterministic ids from this seed")
    serve.add_argument("--virtual-clock", action="store_true", help="sleeps return at once and advance a virtual clock")
    serve.add_argument(
        "--first-token-delay", type=float, default=None, metavar="SECONDS", help="delay before the first answer frame"
    )
    serve.add_argument(
        "--max-content-length",
        type=int,
        default=None,
        metavar="BYTES",
        help="request body limit; larger bodies get the 413 (default: 1 GiB, as RAGFlow)",
    )
    serve.add_argument(
        "--strict-tenant-isolation",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="refuse cross-tenant access the real server allows (default: on; see docs/quirks.md)",
    )
    serve.add_argument("--no-request-log", action="store_true", help="no log line per request")
    serve.add_argument(
        "--register-enabled",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="accept /v1/user/register (default: on; also the server's REGISTER_ENABLED=0/1)",
    )
    serve.add_argument(
        "--max-file-num-per-user",
        type=int,
        default=None,
        metavar="N",
        help="documents one tenant may hold (default: unset; also the server's MAX_FILE_NUM_PER_USER)",
    )
    serve.add_argument(
        "--rsa-private-key",
        default=None,
        metavar="PATH",
        help="PEM key that decrypts transported passwords (default: RAGFlow's own key pair, the one its web UI uses)",
    )
    serve.add_argument(
        "--rsa-key-passphrase", default=None, metavar="TEXT", help="passphrase of an encrypted key (default: Welcome)"
    )
    serve.add_argument(
        "--configure-new-tenants",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="registered users' tenants get a usable chat and embedding model (default: on; off: the server's empty "
        "llm_id)",
    )
    serve.add_argument(
        "--extra",
        action="append",
        default=None,
        metavar="KEY=VALUE",
        help="free-form family option (Settings.extra); repeat for more",
    )


def _add_routes(sub: SubParsers) -> None:
    routes = sub.add_parser("routes", help="list the operations of the spec and whether each is built")
    routes.set_defaults(func=_routes)


def server_environment(environ: Mapping[str, str]) -> dict[str, object]:
    """Settings from the real server's environment variables (`REGISTER_ENABLED`, `MAX_FILE_NUM_PER_USER`); the
    entry point is the one place that reads the environment (the `RAGFLOW_MOCK_<FLAG>` ones: cli_support)."""
    found: dict[str, object] = {}
    if "REGISTER_ENABLED" in environ:
        found["register_enabled"] = environ["REGISTER_ENABLED"].strip() != "0"
    limit = environ.get("MAX_FILE_NUM_PER_USER", "")
    if limit.isdigit():
        found["max_file_num_per_user"] = int(limit)
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
            raise CommandError(f"--progression {args.progression!r}: {exc}") from None
        overrides["progression"] = args.progression
    if args.tokens_per_second is not None:
        overrides["stream_tokens_per_second"] = args.tokens_per_second
        if args.tokens_per_second == 0:
            overrides["stream_first_token_delay"] = 0.0
    if args.timezone is not None:
        try:
            zoneinfo.ZoneInfo(args.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(
                f"--timezone {args.timezone!r}: not a known time zone (e.g. Asia/Shanghai, UTC)"
            ) from None
        overrides["timezone"] = args.timezone
    if getattr(args, "cors_origins", None):
        overrides["cors_origins"] = tuple(args.cors_origins)
    if getattr(args, "webui_dist", None):
        if not os.path.isfile(os.path.join(args.webui_dist, "index.html")):
            raise CommandError(f"--webui-dist {args.webui_dist!r}: no index.html there (expected a built web UI)")
        overrides["webui_dist"] = args.webui_dist
    overrides.update(_setting_flag_values(args))
    overrides.update(guard_overrides(args))
    return replace(settings, **overrides)  # type: ignore[arg-type]


def _setting_flag_values(args: argparse.Namespace) -> dict[str, object]:
    """The `Settings` overrides of `_add_setting_flags` (only the flags given)."""
    found: dict[str, object] = {
        name: getattr(args, name)
        for name in (
            "id_seed",
            "max_content_length",
            "strict_tenant_isolation",
            "register_enabled",
            "max_file_num_per_user",
            "rsa_private_key",
            "rsa_key_passphrase",
            "configure_new_tenants",
        )
        if getattr(args, name, None) is not None
    }
    if args.first_token_delay is not None:
        found["stream_first_token_delay"] = args.first_token_delay
    if args.virtual_clock:
        found["virtual_clock"] = True
    if args.no_request_log:
        found["request_log"] = False
    if args.extra:
        pairs = [item.partition("=") for item in args.extra]
        if any(not key or not sep for key, sep, _ in pairs):
            raise CommandError(f"--extra {args.extra!r}: expected KEY=VALUE")
        found["extra"] = {key: value for key, _, value in pairs}
    return found


def _serve(args: argparse.Namespace) -> int:
    from mockserver.serve_command import serve

    return serve(args, settings_from_args(args))


def _routes(args: argparse.Namespace) -> int:
    from mockserver.serve_command import print_routes

    return print_routes(args)


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
            f"ragflow-mock conformance: error: {exc.name} is missing; install the contract extra "
            "(from a checkout: pip install '.[contract]'; from a wheel: pip install '<wheel file>[contract]')",
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
    # every sub-parser is an EnvironmentParser (serve turns its environment variables on)
    sub = cast(SubParsers, parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=EnvironmentParser))
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
    try:
        result: int = args.func(args)
    except CommandError as exc:
        print(f"ragflow-mock {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (`ragflow-mock routes | head`): nothing more to say, and nowhere to say it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    return result
