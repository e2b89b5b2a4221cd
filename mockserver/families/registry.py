"""The resource families and their handler registry: `HANDLERS` maps every operationId of the API to its handler."""

from __future__ import annotations

from mockserver.families.accounts import handlers as account_handlers
from mockserver.families.accounts import llm_handlers as account_llm_handlers
from mockserver.families.accounts import system_handlers as account_system_handlers
from mockserver.families.agents import completion_handlers as agent_completion_handlers
from mockserver.families.agents import handlers as agent_handlers
from mockserver.families.agents import openai_handlers as agent_openai_handlers
from mockserver.families.agents import session_handlers as agent_session_handlers
from mockserver.families.chats import completion_handlers as chat_completion_handlers
from mockserver.families.chats import handlers as chat_handlers
from mockserver.families.chats import openai_handlers as chat_openai_handlers
from mockserver.families.chats import related_handlers as related_question_handlers
from mockserver.families.chats import session_handlers
from mockserver.families.chunks import handlers as chunk_handlers
from mockserver.families.datasets import handlers as dataset_handlers
from mockserver.families.documents import handlers as document_handlers
from mockserver.families.legacy import completion_handlers as legacy_completion_handlers
from mockserver.families.legacy import document_handlers as legacy_document_handlers
from mockserver.families.legacy import handlers as legacy_handlers
from mockserver.families.retrieval import handlers as retrieval_handlers
from mockserver.families.webui import chunk_handlers as webui_chunk_handlers
from mockserver.families.webui import dialog_handlers as webui_dialog_handlers
from mockserver.families.webui import document_handlers as webui_document_handlers
from mockserver.families.webui import kb_handlers as webui_kb_handlers
from mockserver.http.types import Handler

_FAMILY_HANDLERS: tuple[dict[str, Handler], ...] = (
    dataset_handlers.HANDLERS,
    document_handlers.HANDLERS,
    chunk_handlers.HANDLERS,
    retrieval_handlers.HANDLERS,
    chat_handlers.HANDLERS,
    session_handlers.HANDLERS,
    chat_completion_handlers.HANDLERS,
    chat_openai_handlers.HANDLERS,
    related_question_handlers.HANDLERS,
    agent_handlers.HANDLERS,
    agent_session_handlers.HANDLERS,
    agent_completion_handlers.HANDLERS,
    agent_openai_handlers.HANDLERS,
    account_handlers.HANDLERS,
    account_llm_handlers.HANDLERS,
    account_system_handlers.HANDLERS,
    legacy_handlers.HANDLERS,
    legacy_document_handlers.HANDLERS,
    legacy_completion_handlers.HANDLERS,
    webui_kb_handlers.HANDLERS,
    webui_document_handlers.HANDLERS,
    webui_chunk_handlers.HANDLERS,
    webui_dialog_handlers.HANDLERS,
)


def family_handlers() -> dict[str, Handler]:
    """operationId → handler for every family (the control plane registers its own)."""
    handlers: dict[str, Handler] = {}
    for family in _FAMILY_HANDLERS:
        overlap = handlers.keys() & family.keys()
        if overlap:
            raise RuntimeError(f"operations bound twice: {sorted(overlap)}")
        handlers.update(family)
    return handlers
