"""Authentication schemes of the real server, each failing with its exact error body.

Scheme names are the OpenAPI `securitySchemes` names; `routing.py` applies the one an operation declares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mockserver.core.errors import AuthError, DataError, HttpStatusError, LoginRequired
from mockserver.core.python_failures import index_out_of_range, no_attribute
from mockserver.state.backend import ApiToken, Backends, TenantBackend


@dataclass(frozen=True)
class Identity:
    """Who is calling: the tenant and the token row (None for login-token calls)."""

    tenant: TenantBackend
    token: ApiToken | None


def _split_or_crash(header: str | None) -> str:
    """Legacy/Dify style: `header.split()[1]` with the crashes Python gives for bad input."""
    if header is None:
        raise no_attribute(None, "split")
    parts = header.split()
    if len(parts) < 2:
        raise index_out_of_range()
    return parts[1]


def _identity(backends: Backends, row: ApiToken | None) -> Identity | None:
    if row is None:
        return None
    tenant = backends.tenant(row.tenant_id)
    return None if tenant is None else Identity(tenant, row)


def api_key(backends: Backends, header: str | None) -> Identity:
    """SDK `token_required`: code 0 for a missing/short header, 109 for an unknown key."""
    if not header:
        raise AuthError("`Authorization` can't be empty", code=0)
    parts = header.split()
    if len(parts) < 2:
        raise AuthError("Please check your authorization format.", code=0)
    found = _identity(backends, backends.token(parts[1]))
    if found is None:
        raise AuthError("Authentication error: API key is invalid!")
    return found


def dify_api_key(backends: Backends, header: str | None) -> Identity:
    """Dify `apikey_required`: Python crashes for bad headers, HTTP 403 for an unknown key."""
    found = _identity(backends, backends.token(_split_or_crash(header)))
    if found is None:
        raise HttpStatusError(403, "API-KEY is invalid!")
    return found


def beta_token(backends: Backends, header: str | None) -> Identity:
    """Embedded chatbot/agentbot secret: exactly two words, messages ending in a stray quote."""
    if header is None:
        raise no_attribute(None, "split")
    parts = header.split()
    if len(parts) != 2:
        raise DataError('Authorization is not valid!"')
    found = _identity(backends, backends.beta_token(parts[1]))
    if found is None:
        raise DataError('Authentication error: API key is invalid!"')
    return found


def legacy_api_key(backends: Backends, header: str | None) -> Identity:
    """Legacy `/v1/api` inline check: crashes for bad headers, 109 with a trailing quote for unknown keys."""
    found = _identity(backends, backends.token(_split_or_crash(header)))
    if found is None:
        raise AuthError('Authentication error: API key is invalid!"')
    return found


def v07_api_key(backends: Backends, header: str | None) -> Identity:
    """2024-05 (v0.7.0) `/v1/api` inline check: crashes for bad headers, 109 `Token is not valid!"` otherwise."""
    found = _identity(backends, backends.token(_split_or_crash(header)))
    if found is None:
        raise AuthError('Token is not valid!"')
    return found


def login_token(backends: Backends, header: str | None) -> Identity:
    """Web-login token (raw, no `Bearer`); any failure is the 401 Unauthorized body."""
    tenant = backends.tenant_for_login_token(header) if header else None
    if tenant is None:
        raise LoginRequired()
    return Identity(tenant, None)


def dataset_api_key(backends: Backends, header: str | None) -> Identity:
    """2024-06 `/api/v1/dataset`: the API key alone (the SDK of v0.10.0) or after a scheme word; every failure is
    the login 401 body the real `login_required` sent."""
    parts = (header or "").split()
    found = _identity(backends, backends.token(parts[-1])) if len(parts) in (1, 2) else None
    if found is None:
        raise LoginRequired()
    return found


def draft_api_key(backends: Backends, header: str | None) -> Identity:
    """2024-10 draft `token_required`: Python crashes for bad headers, 109 `Token is not valid!` for unknown keys."""
    found = _identity(backends, backends.token(_split_or_crash(header)))
    if found is None:
        raise AuthError("Token is not valid!")
    return found


Authenticator = Callable[[Backends, str | None], Identity]

SCHEMES: dict[str, Authenticator] = {
    "ApiKey": api_key,
    "DifyApiKey": dify_api_key,
    "BetaToken": beta_token,
    "LegacyApiKey": legacy_api_key,
    "V07ApiKey": v07_api_key,
    "LoginToken": login_token,
    "DatasetApiKey": dataset_api_key,
    "DraftApiKey": draft_api_key,
}
"""OpenAPI security scheme name → authenticator."""
