"""The `Profile` value: a historical API's document, handlers, envelope and the paths it owns when selected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mockserver.http.envelope import PayloadStyle, retcode_payload
from mockserver.http.spec import Operation, operations_of
from mockserver.http.types import Handler
from mockserver.paths import openapi_dir

Namespace = Literal["legacy", "dataset"]
LEGACY: Namespace = "legacy"
"""Selected by `--legacy-profile` / `Settings.legacy_profile`: owner of `/v1/api/*`."""
DATASET: Namespace = "dataset"
"""Selected by `--profile` / `Settings.profile`: owner of the singular `/api/v1/dataset…`, `/api/v1/chat…`."""
CURRENT = "current"
"""The selection value meaning "no historical profile" (the seed-era server)."""
PREFIX_ROOT = "/_p"


def retcode_everywhere(_err: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Every error body in the 2024 keys (`retcode`/`retmsg`): the 2024-05 legacy API."""
    return retcode_payload(payload)


def retcode_for(*kinds: type[BaseException]) -> PayloadStyle:
    """Errors of these classes (and unexpected exceptions) in the 2024 keys, the others as `code`/`message`.

    E.g. `retcode_for(PythonError, LoginRequired)`: the global handler and the login check of 2024-06.
    """

    def style(err: Any, payload: dict[str, Any]) -> dict[str, Any]:
        return retcode_payload(payload) if err is None or isinstance(err, kinds) else payload

    return style


@dataclass(frozen=True)
class Profile:
    """One historical API surface. See the package docstring for how to write and register one."""

    name: str
    """Selection name and prefix segment, e.g. `2024-05-legacy`."""
    namespace: Namespace
    spec_file: str
    """The profile's hand-written OpenAPI document in `openapi/` (original paths, unique operationIds)."""
    handlers: Mapping[str, Handler]
    """operationId → handler, exactly the operations of `spec_file`."""
    error_style: PayloadStyle
    """How its errors, unknown paths and wrong methods look (see `retcode_everywhere`, `retcode_for`)."""
    owns: tuple[str, ...]
    """Path prefixes (whole segments) it answers at their original place when selected."""
    release: str
    """The RAGFlow code it reproduces, e.g. `v0.7.0 (83803a72ee)`."""
    seed: str
    """The seed document it serves (a file name in the seeds)."""
    summary: str
    """One line for `routes`, `/docs` and the guide."""
    slash_rules: frozenset[str] = field(default_factory=frozenset)
    """Original paths whose Flask rule ends with `/` (a wrong method without the slash is 404)."""

    @property
    def prefix(self) -> str:
        """Where the profile is always mounted: `/_p/<name>`."""
        return f"{PREFIX_ROOT}/{self.name}"

    def operations(self) -> list[Operation]:
        """The operations of its document, at their original paths."""
        return operations_of(openapi_dir() / self.spec_file)

    def owns_path(self, path: str) -> bool:
        """Is `path` (an original path) under one of the prefixes it owns?"""
        return any(under(path, prefix) for prefix in self.owns)


def under(path: str, prefix: str) -> bool:
    """`path` is `prefix` or below it, segment-wise (`/api/v1/chat` does not cover `/api/v1/chats`)."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")
