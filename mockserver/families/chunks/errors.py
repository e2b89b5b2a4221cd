"""The chunks family's errors: the document engine client's own refusal."""

from __future__ import annotations

from mockserver.core.errors import PythonError


def negative_slicing() -> PythonError:
    """The document store client's `ValueError` for a search window starting before 0."""
    return PythonError("ValueError", "Search does not support negative slicing.")


KNN_K_NOT_POSITIVE = "[k] must be greater than 0"


def knn_k_not_positive() -> PythonError:
    """Elasticsearch refusing a kNN search with `k` (the retrieval's `top_k`) below 1, as its Python client
    renders the 400 (`BadRequestError(<status>, '<error type>', '<root cause>')`)."""
    text = f"400, 'illegal_argument_exception', '{KNN_K_NOT_POSITIVE}'"
    return PythonError("BadRequestError", text, rendered=f"BadRequestError({text})")
