"""Profile `2024-06-dataset`: RAGFlow v0.10.0's `/api/v1/dataset` API over the shared state."""
