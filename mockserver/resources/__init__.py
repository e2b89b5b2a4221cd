"""The handler registry: every resource family's `HANDLERS`, plus the operations not built yet."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from mockserver.errors import PythonError

if TYPE_CHECKING:
    from starlette.responses import Response

    from mockserver.context import RequestContext
    from mockserver.routing import Handler

PENDING: frozenset[str] = frozenset({})
"""Operations of the spec whose family is not built yet: answered by `pending_operation`."""


async def pending_operation(ctx: RequestContext) -> Response:
    """The one explicit answer for an operation not built yet: a RAGFlow-style code-100 error naming it."""
    raise PythonError(
        "NotImplementedError",
        f"ragflow-mockserver does not implement {ctx.operation.operation_id} yet",
    )


FAMILY_MODULES: tuple[str, ...] = (
    # one line per family module exposing `HANDLERS = {operationId: handler}`
    "mockserver.resources.datasets",
    "mockserver.resources.retrieval",
    "mockserver.resources.document_handlers",
    "mockserver.resources.chunk_handlers",
    "mockserver.resources.chats",
    "mockserver.resources.sessions",
    "mockserver.resources.chat_completions",
    "mockserver.resources.openai_chat",
    "mockserver.resources.related_questions",
    "mockserver.resources.accounts",
    "mockserver.resources.accounts_llm",
    "mockserver.resources.accounts_system",
    "mockserver.resources.legacy",
    "mockserver.resources.legacy_documents",
    "mockserver.resources.legacy_completion",
    "mockserver.resources.agents",
    "mockserver.resources.agent_sessions",
    "mockserver.resources.agent_completions",
    "mockserver.resources.openai_agent",
    "mockserver.admin",
)


def collect_handlers() -> dict[str, Handler]:
    """operationId → handler for every family, with the pending handler for `PENDING`."""
    handlers: dict[str, Handler] = dict.fromkeys(PENDING, pending_operation)
    for module_name in FAMILY_MODULES:
        family = importlib.import_module(module_name)
        overlap = PENDING & family.HANDLERS.keys()
        if overlap:
            raise RuntimeError(f"{family.__name__} implements pending operations: {sorted(overlap)}")
        handlers.update(family.HANDLERS)
    return handlers
