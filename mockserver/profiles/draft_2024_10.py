"""Profile `2024-10-draft`: the singular API of RAGFlow 6329427ad5 (seed `ragflow-http-api-draft-2024-10-12.md`)."""

from __future__ import annotations

from mockserver.families.draft_2024_10 import completion_handlers, handlers, session_handlers
from mockserver.http.historical import old_builder_style
from mockserver.profiles.base import DATASET, Profile

PROFILE = Profile(
    name="2024-10-draft",
    namespace=DATASET,
    spec_file="profile-2024-10-draft.yaml",
    handlers={**handlers.HANDLERS, **session_handlers.HANDLERS, **completion_handlers.HANDLERS},
    error_style=old_builder_style,
    owns=("/api/v1/dataset", "/api/v1/chat"),
    release="6329427ad5 (never released; the 10-12 draft, plus the 10-11 variant's DELETE …/session/{session_id})",
    seed="ragflow-http-api-draft-2024-10-12.md",
    summary="The October 2024 drafts: singular /api/v1/dataset… and /api/v1/chat…, {code[,data]} bodies, SSE",
)
