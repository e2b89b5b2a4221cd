"""The per-request object handed to every handler: request, operation, caller and body parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request

from mockserver.core.errors import ArgumentError
from mockserver.core.python_failures import type_name
from mockserver.http.auth import SCHEMES, Identity
from mockserver.http.bodies import RequestBody, decode_json, is_form, loads, off_loop, parse_form, read_body
from mockserver.http.envelope import PayloadStyle
from mockserver.http.spec import Operation
from mockserver.state.backend import ApiToken, Backends, TenantBackend
from mockserver.state.emulator import EmulatorState
from mockserver.state.journal import NOT_DECODED

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
    _read: RequestBody | None = field(default=None, repr=False)
    _body: bytes | None = field(default=None, repr=False)
    _forced: Any = field(default=_UNSET, repr=False)
    _form: FormData | None = field(default=None, repr=False)

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
    def read_body(self) -> RequestBody | None:
        """The body if a handler read it, else None (the journal does not read bodies itself)."""
        return self._read

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

    # -- bodies (one path: mockserver.http.bodies) -----------------------------------------------
    async def read(self) -> RequestBody:
        """The body as read once, refused with the server's 413 repr as soon as it is over the limit."""
        if self._read is None:
            self._read = await read_body(
                self.request.stream(),
                self.request.headers.get("content-length"),
                self.state.settings.max_content_length,
            )
        return self._read

    async def body(self) -> bytes:
        """Raw body bytes (see `read`)."""
        if self._body is None:
            self._body = (await self.read()).data()
        return self._body

    @property
    def decoded_json(self) -> Any:
        """The forced-JSON value if a handler decoded it (None when invalid), else `NOT_DECODED`."""
        return NOT_DECODED if self._forced is _UNSET else self._forced

    async def json_forced(self) -> Any:
        """Flask's `get_json(force=True, silent=True)`: any content type, None when empty or invalid."""
        if self._forced is _UNSET:
            body = await self.read()
            self._forced = await off_loop(body, decode_json, await self.body())
        return self._forced

    async def json_strict(self) -> dict[str, Any]:
        """The strict pipeline of dataset create/update: content type, syntax, object, all as 101."""
        content_type = self.request.headers.get("content-type")
        mime = (content_type or "").split(";", 1)[0].strip().lower()
        if not (mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))):
            raise ArgumentError(f"Unsupported content type: Expected application/json, got {content_type}")
        raw = await self.body()
        try:
            data = await off_loop(await self.read(), loads, raw)
        except ValueError:
            raise ArgumentError("Malformed JSON syntax: Missing commas/brackets or invalid encoding") from None
        self._forced = data
        if not data:
            return {}
        if not isinstance(data, dict):
            raise ArgumentError(f"Invalid request payload: expected object, got {type_name(data)}")
        return data

    async def form(self) -> FormData:
        """`request.form` + `request.files` as Werkzeug parses them (empty when the body is no form), parsed once."""
        if self._form is None:
            content_type = self.request.headers.get("content-type")
            if not is_form(content_type):
                self._form = FormData()
            else:
                body = await self.read()
                self._form = await off_loop(body, parse_form, body, content_type)
        return self._form
