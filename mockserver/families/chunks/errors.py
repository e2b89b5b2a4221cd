"""The chunks family's errors: the document engine client's own refusal."""

from __future__ import annotations

from mockserver.core.errors import PythonError


def negative_slicing() -> PythonError:
    """The document store client's `ValueError` for a search window starting before 0."""
    return PythonError("ValueError", "Search does not support negative slicing.")
