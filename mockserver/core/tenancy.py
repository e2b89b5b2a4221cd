"""`TenantContext`: what every store may use of the tenant that owns it (the stores' side of the backend).

A store never imports the tenant backend (it composes the stores, so that would be a cycle). Each store types its
owner with a Protocol: this one, extended in the store's module by the lower stores it uses (imported directly)
and by small Protocols for anything above it (e.g. `DatasetStore` cascades through `dataset_dependents()`).
`mockserver.state.backend.TenantBackend` satisfies all of them.
"""

from __future__ import annotations

from typing import Protocol

from mockserver.core.clock import Clock
from mockserver.core.ids import IdFactory
from mockserver.core.search import SearchIndex
from mockserver.settings import Settings


class TenantContext(Protocol):
    """The tenant's identity, model defaults, time, ids, settings and search index."""

    tenant_id: str
    name: str
    clock: Clock
    ids: IdFactory
    settings: Settings
    index: SearchIndex
    embd_id: str
    """The tenant's default embedding model (`model@factory`)."""
    llm_id: str
    """The tenant's default chat model."""
    configured_models: set[str]
    """`model@factory` ids the tenant has an API key for (besides the built-in embedding models)."""
