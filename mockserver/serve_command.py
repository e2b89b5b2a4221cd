"""What `ragflow-mock serve` and `routes` do once parsed: logging, the app, the bind, the banner, uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import socket
import sys
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from mockserver.app import create_app, emulator_state
from mockserver.cli_support import CommandError
from mockserver.control.persistence import DurableWrites, StateFile
from mockserver.control.snapshot import SnapshotError
from mockserver.control.worlds import WorldError, read_world
from mockserver.families.accounts.crypto import private_key_from
from mockserver.http.spec import load_operations
from mockserver.profiles.base import LEGACY
from mockserver.profiles.mounting import profile_operations
from mockserver.profiles.registry import PROFILES, selected_profiles
from mockserver.serve_options import limits_from_args
from mockserver.serving import install_log_rate_limit, uvicorn_config
from mockserver.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, log_format: str) -> None:
    """Root logging for serve (uvicorn's loggers propagate to it, so every line has the one format)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    install_log_rate_limit()


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (before anything is printed: a busy port is an error, not a banner)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def banner(base: str, settings: Settings) -> list[str]:
    """What serve prints once it listens: where, which world, the keys, the docs and the contract."""
    lines = [
        f"ragflow-mockserver listening on {base}",
        f"  API base URL : {base}/api/v1",
        f"  world        : {settings.world or 'none (empty tenants)'}",
    ]
    lines += [f"  API key      : {key}   (Authorization: Bearer {key})" for key in settings.api_keys]
    lines += [
        f"  profile      : {profile.name} at {', '.join(profile.owns)} (and under {profile.prefix})"
        for profile in selected_profiles(settings)
    ]
    lines += [
        f"  docs         : {base}/docs (Swagger UI), {base}/redoc (ReDoc)",
        f"  contract     : {base}/openapi.yaml",
        f"  try          : curl -H 'Authorization: Bearer {settings.api_keys[0]}' {base}/api/v1/datasets",
    ]
    return lines + web_ui_lines(settings, base)


def web_ui_lines(settings: Settings, base: str) -> list[str]:
    """What serve prints about RAGFlow's web UI: the world's web login and where a built UI is served."""
    lines: list[str] = []
    web_user = None
    if settings.world:
        try:
            web_user = read_world(settings.world).web_user
        except WorldError:
            web_user = None
    if web_user is not None:
        lines.append(f"  web login    : {web_user.email} / {web_user.password}   (RAGFlow's web UI, /v1/user/login)")
    if settings.webui_dist:
        lines.append(f"  web UI       : {base}/   (built UI from {settings.webui_dist})")
    return lines


def build(settings: Settings) -> Starlette:
    """`create_app`, with configuration problems (unknown world, unreadable answers) as command errors."""
    try:
        app = create_app(settings)
        private_key_from(
            settings.rsa_private_key, settings.rsa_key_passphrase
        )  # a bad key file fails here, not at login
        return app
    except WorldError as exc:
        raise CommandError(f"--world: {exc}") from None
    except (ValueError, OSError) as exc:  # worlds and answer files: their readers say which file and where
        raise CommandError(str(exc)) from None


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the emulator until interrupted (state file loaded first and saved last, when given)."""
    configure_logging(args.log_level, args.log_format)
    app = build(settings)
    state = emulator_state(app)
    served: ASGIApp = app
    state_file = StateFile(state, args.state_file) if args.state_file else None
    if state_file is not None:
        try:
            if state_file.open():
                print(f"  state restored from {args.state_file}")
        except SnapshotError as exc:
            raise CommandError(f"--state-file: {exc}") from None
        served = DurableWrites(app, state_file)
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print("\n".join(banner(f"http://{shown}:{port}", settings)))
    sys.stdout.flush()
    config = uvicorn_config(served, limits_from_args(args), log_level=args.log_level, log_config=None)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the SIGINT it handled (as uvicorn.run does)
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        if state_file is not None:
            state_file.save_now()
            print(f"state saved to {args.state_file}")
    return 0


def print_routes(args: argparse.Namespace) -> int:
    """Every operation of the spec, then of each profile: method, path, operationId and the declaring document."""
    print("profile current (always served)")
    for op in load_operations():
        print(f"{op.method:7} {op.path:70} {op.operation_id:36} {op.document}")
    for profile in PROFILES:
        switch = "--legacy-profile" if profile.namespace == LEGACY else "--profile"
        print(f"\nprofile {profile.name} — {profile.summary}")
        print(f"  always under {profile.prefix}/…; at {', '.join(profile.owns)} with {switch} {profile.name}")
        for op in profile_operations(profile):
            print(f"{op.method:7} {op.path:70} {op.operation_id:36} {op.document}")
    sys.stdout.flush()  # a closed pipe shows here, inside the command, where main handles it
    return 0
