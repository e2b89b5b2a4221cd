"""The chats family's errors: `ChatFailure`, a crash inside the server's answer generator."""

from __future__ import annotations

from mockserver.core.errors import PythonError


class ChatFailure(PythonError):
    """An exception raised inside the server's generator: an error frame (its `detail`) when streaming, the
    code-100 reply otherwise."""

    @classmethod
    def of(cls, error: PythonError) -> ChatFailure:
        """The same exception, raised inside the generator."""
        return cls(error.exc_type, error.text, rendered=error.message)
