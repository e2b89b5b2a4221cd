"""The per-request object handed to every handler: request, operation, caller and body parsing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request

from mockserver.core.errors import ArgumentError, entity_too_large
from mockserver.core.python_failures import type_name
from mockserver.http.auth import SCHEMES, Identity
from mockserver.http.envelope import PayloadStyle
from mockserver.http.spec import Operation
from mockserver.state.backend import ApiToken, Backends, TenantBackend
from mockserver.state.emulator import EmulatorState

_UNSET: Any = object()


@dataclass
class RequestContext:
    """What a handler works with. Handlers parse through it and raise `RagflowError`s."""

    request: Request
    operation: Operation
    state: EmulatorState
    identity: Identity | None = None
    error_style: PayloadStyle | None = None
    """The envelope of the profile serving this path (None: the current one); `routing.invoke` renders with it."""
    _body: bytes | None = field(default=None, repr=False)
    _forced: Any = field(default=_UNSET, repr=False)

    # -- shortcuts -----------------------------------------------------------------------------
    @property
    def backends(self) -> Backends:
        """The app's state root."""
        return self.state.backends

    @property
    def tenant(self) -> TenantBackend:
        """The authenticated tenant (only valid after authentication)."""
        if self.identity is None:
            raise RuntimeError(f"{self.operation.operation_id}: tenant used before authentication")
        return self.identity.tenant

    @property
    def token(self) -> ApiToken | None:
        """The API-token row used, if any."""
        return None if self.identity is None else self.identity.token

    @property
    def query(self) -> QueryParams:
        """Query parameters."""
        return self.request.query_params

    def path_param(self, name: str) -> str:
        """A path parameter (plain string, any characters but `/`)."""
        return str(self.request.path_params[name])

    @property
    def is_control_plane(self) -> bool:
        """A call to `/_emulator/*` (never journaled, never faulted)."""
        return self.operation.document == "admin.yaml"

    @property
    def raw_body(self) -> bytes | None:
        """The body if a handler read it, else None (the journal does not read bodies itself)."""
        return self._body

    def caller_tenant_id(self) -> str | None:
        """The tenant a call belongs to, even before authentication ran (from the bearer/beta key), if known."""
        if self.identity is not None:
            return self.identity.tenant.tenant_id
        header = self.request.headers.get("authorization") or ""
        parts = header.split()
        key = parts[1] if len(parts) == 2 and parts[0].lower() == "bearer" else header.strip()
        if not key:
            return None
        row = self.backends.token(key) or self.backends.beta_token(key)
        return None if row is None else row.tenant_id

    # -- auth ------------------------------------------------------------------------------------
    def authenticate(self, scheme: str | None = None) -> Identity:
        """Run the operation's security scheme (or `scheme`) and remember the caller."""
        name = scheme or self.operation.security
        if name is None:
            raise RuntimeError(f"{self.operation.operation_id} declares no security")
        self.identity = SCHEMES[name](self.backends, self.request.headers.get("authorization"))
        self.identity.tenant.settle()
        return self.identity

    # -- bodies ----------------------------------------------------------------------------------
    async def body(self) -> bytes:
        """Raw body, refused with the server's 413 repr when over the configured limit."""
        if self._body is None:
            limit = self.state.settings.max_content_length
            declared = self.request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise entity_too_large()
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.request.stream():
                size += len(chunk)
                if size > limit:
                    raise entity_too_large()
                chunks.append(chunk)
            self._body = b"".join(chunks)
            # Starlette replays a cached body for later `form()`/`json()` calls.
            self.request._body = self._body
        return self._body

    async def json_forced(self) -> Any:
        """Flask's `get_json(force=True, silent=True)`: any content type, None when empty or invalid."""
        if self._forced is _UNSET:
            raw = await self.body()
            try:
                self._forced = json.loads(raw) if raw.strip() else None
            except (ValueError, UnicodeDecodeError):
                self._forced = None
        return self._forced

    async def json_strict(self) -> dict[str, Any]:
        """The strict pipeline of dataset create/update: content type, syntax, object, all as 101."""
        content_type = self.request.headers.get("content-type")
        mime = (content_type or "").split(";", 1)[0].strip().lower()
        if not (mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))):
            raise ArgumentError(f"Unsupported content type: Expected application/json, got {content_type}")
        raw = await self.body()
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ArgumentError("Malformed JSON syntax: Missing commas/brackets or invalid encoding") from None
        if not data:
            return {}
        if not isinstance(data, dict):
            raise ArgumentError(f"Invalid request payload: expected object, got {type_name(data)}")
        return data

    async def form(self) -> FormData:
        """Multipart/urlencoded form (empty when the body is neither); the body limit applies."""
        await self.body()
        content_type = self.request.headers.get("content-type", "")
        if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            return FormData()
        try:
            return await self.request.form(max_files=100_000, max_fields=100_000)
        except Exception:  # malformed multipart: the server sees no parts at all
            return FormData()
