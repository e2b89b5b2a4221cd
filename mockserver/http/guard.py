"""Who may talk to the emulator: loopback-only, same-origin control plane and Host checks against DNS rebinding.

The threat: a web page the developer opens reaches `http://127.0.0.1:9380` from the browser. Plain cross-origin
requests (a `text/plain` POST needs no preflight) could reset state or create keys, and through DNS rebinding
(`evil.example` resolving to 127.0.0.1) the page becomes *same-origin* and could read `/_emulator/keys` or a
snapshot. So, unless asked otherwise:

- `/_emulator/*` answers only peers on the loopback interface (`Settings.admin_remote` lifts this);
- `/_emulator/*` refuses a request whose `Origin` is not the request's own origin (or one of
  `Settings.admin_origins`), or whose `Sec-Fetch-Site` says another site sent it;
- `/_emulator/*`, and the whole API when the server is bound to a loopback address, refuse a `Host` header that
  names anything but `localhost` (and `*.localhost`), an IP literal, or one of `Settings.allowed_hosts`
  (rebinding needs a DNS name, so IP literals are safe; this is what Vite's dev server checks).

`--admin-key` still locks the control plane on top of this. Refusals are HTTP 403 with a `{"code":403,...}` body.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.core.errors import ControlPlaneError
from mockserver.http.render import error_response
from mockserver.settings import Settings

CONTROL_PREFIX = "/_emulator"
LOOPBACK_NAMES = frozenset({"localhost"})


def _host_name(host: str) -> str:
    """`Host` header without its port, brackets and trailing dot, lower-cased (`[::1]:9380` → `::1`)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(address: str | None) -> bool:
    """Whether a bind or peer address is the loopback interface (`127.0.0.0/8`, `::1`, `localhost`)."""
    if address is None:
        return False
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


@functools.lru_cache(maxsize=1024)
def host_allowed(host: str | None, extra: tuple[str, ...]) -> bool:
    """A `Host` value a DNS-rebinding page cannot produce: localhost names, IP literals, configured names."""
    if not host:
        return False
    name = _host_name(host)
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or _is_ip(name):
        return True
    return name in {h.lower().rstrip(".") for h in extra} or "*" in extra


def _same_origin(origin: str, host: str | None, scheme: str) -> bool:
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc or host is None:
        return False
    return parts.scheme == scheme and parts.netloc.lower() == host.strip().lower()


class RequestGuard:
    """ASGI middleware applying the checks above before anything else sees the request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.api_host_check = is_loopback(settings.bind_host)

    def refusal(self, scope: Scope) -> str | None:
        """Why the request is refused, or None."""
        settings = self.settings
        control = scope["path"].startswith(CONTROL_PREFIX)
        headers = Headers(scope=scope)
        host = headers.get("host")
        if (control or self.api_host_check) and not host_allowed(host, settings.allowed_hosts):
            return f"Host {host!r} is not allowed (DNS rebinding guard); allow it with --allowed-host"
        if not control:
            return None
        peer = (scope.get("client") or (None,))[0]
        if not settings.admin_remote and _is_ip(str(peer)) and not is_loopback(str(peer)):
            return "the control plane answers loopback clients only; start with --admin-remote to lift this"
        origin = headers.get("origin")
        if origin is not None and origin not in settings.admin_origins:
            if not _same_origin(origin, host, scope.get("scheme", "http")):
                return f"cross-origin request from {origin!r} refused; allow it with --admin-origin"
        elif origin is None and headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return "cross-site request refused (Sec-Fetch-Site); allow its origin with --admin-origin"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = self.refusal(scope)
            if reason is not None:
                await error_response(ControlPlaneError(reason, status=403))(scope, receive, send)
                return
        await self.app(scope, receive, send)
