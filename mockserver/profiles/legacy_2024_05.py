"""Profile `2024-05-legacy`: the chat-bot API of RAGFlow v0.7.0 under `/v1/api` (seed of 2024-05-27)."""

from __future__ import annotations

from mockserver.families.legacy_2024_05 import completion_handlers, document_handlers, handlers
from mockserver.profiles.base import LEGACY, Profile, retcode_everywhere

PROFILE = Profile(
    name="2024-05-legacy",
    namespace=LEGACY,
    spec_file="profile-2024-05-legacy.yaml",
    handlers={**handlers.HANDLERS, **completion_handlers.HANDLERS, **document_handlers.HANDLERS},
    error_style=retcode_everywhere,
    owns=("/v1/api",),
    release="v0.7.0 (83803a72ee, 2024-05-30)",
    seed="ragflow-legacy-chatbot-api-2024-05.txt",
    summary="RAGFlow v0.7.0 chat-bot API (/v1/api, retcode/retmsg envelope)",
)
