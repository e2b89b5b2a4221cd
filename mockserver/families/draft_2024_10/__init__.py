"""Profile `2024-10-draft`: the singular `/api/v1/dataset…` and `/api/v1/chat…` API of RAGFlow 6329427ad5."""
