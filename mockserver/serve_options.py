"""`serve`'s options for who may connect and how long they may take (the guard and the connection limits)."""

from __future__ import annotations

import argparse

from mockserver.serve_limits import ServeLimits

DEFAULTS = ServeLimits()


def add_safety_arguments(serve: argparse.ArgumentParser) -> None:
    """The `serve` flags of `mockserver.http.guard` and `mockserver.serving`."""
    group = serve.add_argument_group("safety (see docs/security.md)")
    group.add_argument(
        "--allowed-host",
        action="append",
        dest="allowed_hosts",
        metavar="NAME",
        help="accept this Host name besides localhost and IP literals (DNS-rebinding guard); '*' accepts any",
    )
    group.add_argument(
        "--admin-origin",
        action="append",
        dest="admin_origins",
        metavar="ORIGIN",
        help="browser origin allowed to call /_emulator cross-origin (default: same-origin only)",
    )
    group.add_argument(
        "--admin-remote",
        action="store_true",
        help="let non-loopback clients reach /_emulator (use with --admin-key)",
    )
    group.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULTS.header_timeout,
        metavar="SECONDS",
        help="close a connection that has not sent a request's headers in time (default: %(default)s)",
    )
    group.add_argument(
        "--keep-alive-timeout",
        type=float,
        default=DEFAULTS.keep_alive_timeout,
        metavar="SECONDS",
        help="close an idle kept-alive connection after this long (default: %(default)s)",
    )
    group.add_argument(
        "--limit-concurrency",
        type=int,
        default=DEFAULTS.limit_concurrency,
        metavar="N",
        help="answer 503 past this many connections or requests in progress (default: %(default)s)",
    )
    group.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULTS.max_connections,
        metavar="N",
        help="close new connections past this many open ones, kept below the fd limit (default: %(default)s)",
    )


def guard_overrides(args: argparse.Namespace) -> dict[str, object]:
    """Settings overrides of the guard flags (`--host` is what the API's Host check keys on)."""
    return {
        "allowed_hosts": tuple(getattr(args, "allowed_hosts", None) or ()),
        "admin_origins": tuple(getattr(args, "admin_origins", None) or ()),
        "admin_remote": bool(getattr(args, "admin_remote", False)),
        "bind_host": getattr(args, "host", None),
    }


def limits_from_args(args: argparse.Namespace) -> ServeLimits:
    """The connection limits of the flags."""
    return ServeLimits(
        header_timeout=args.header_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        limit_concurrency=args.limit_concurrency,
        max_connections=args.max_connections,
    )
