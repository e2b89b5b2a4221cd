"""Profile `2024-06-dataset`: RAGFlow v0.10.0's `/api/v1/dataset` (seed `ragflow-dataset-api-2024-06.txt`)."""

from __future__ import annotations

from mockserver.families.dataset_2024_06.handlers import HANDLERS
from mockserver.http.historical import old_builder_style
from mockserver.profiles.base import DATASET, Profile

PROFILE = Profile(
    name="2024-06-dataset",
    namespace=DATASET,
    spec_file="profile-2024-06-dataset.yaml",
    handlers=HANDLERS,
    error_style=old_builder_style,
    owns=("/api/v1/dataset",),
    release="v0.10.0 (e18f407604)",
    seed="ragflow-dataset-api-2024-06.txt",
    summary="The v0.8–v0.10 dataset API and its Python SDK: /api/v1/dataset, code/message handlers, retcode crashes",
    slash_rules=frozenset({"/api/v1/dataset", "/api/v1/dataset/{dataset_id}/documents"}),
)
