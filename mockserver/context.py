"""The per-request object handed to every handler: request, operation, caller and body parsing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request

from mockserver.auth import SCHEMES, Identity
from mockserver.errors import ENTITY_TOO_LARGE_MESSAGE as _TOO_LARGE
from mockserver.errors import ArgumentError, PythonError

if TYPE_CHECKING:
    from mockserver.app import EmulatorState
    from mockserver.backend import ApiToken, Backends, TenantBackend
    from mockserver.spec import Operation

_UNSET: Any = object()


@dataclass
class RequestContext:
    """What a handler works with. Handlers parse through it and raise `RagflowError`s."""

    request: Request
    operation: Operation
    state: EmulatorState
    identity: Identity | None = None
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
                raise PythonError.raw(_TOO_LARGE)
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.request.stream():
                size += len(chunk)
                if size > limit:
                    raise PythonError.raw(_TOO_LARGE)
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

    async def json_object(self) -> dict[str, Any] | None:
        """Forced JSON, but only when it is an object (handlers then report their own crash)."""
        data = await self.json_forced()
        return data if isinstance(data, dict) else None

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
            raise ArgumentError(f"Invalid request payload: expected object, got {_py_type(data)}")
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


def _py_type(value: Any) -> str:
    """Python type name of a JSON value, as the server's messages print it."""
    return type(value).__name__
