"""What an agent run needs from the rest of the emulator: retrieval over datasets and the answer engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.canvas import FlowServices, Generated, RetrievalParams

if TYPE_CHECKING:
    from mockserver.backend import TenantBackend


class TenantFlowServices:
    """`FlowServices` for one tenant: the retrieval service and the answer engine, nothing re-implemented."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant

    def retrieve(self, query: str, params: RetrievalParams) -> list[dict[str, Any]] | None:
        """Chunks for `query` over the tenant's datasets named by the component (None: none exists)."""
        raise NotImplementedError

    def generate(self, question: str, prompt: str, chunks: list[dict[str, Any]], cite: bool) -> Generated:
        """The answer engine's answer for `question` over `chunks`."""
        raise NotImplementedError


def flow_services(tenant: TenantBackend) -> FlowServices:
    """The services an agent of `tenant` runs with."""
    return TenantFlowServices(tenant)
