"""The chats family's errors: `ChatFailure` (a crash inside the server's answer generator) and assertion replies."""

from __future__ import annotations

from mockserver.core.errors import HtmlServerError, PythonError, RagflowError


class ChatFailure(PythonError):
    """An exception raised inside the server's generator: an error frame (its `detail`) when streaming, the
    code-100 reply otherwise."""

    @classmethod
    def of(cls, error: PythonError) -> ChatFailure:
        """The same exception, raised inside the generator."""
        return cls(error.exc_type, error.text, rendered=error.message)


def assertion_failed(message: str, *, stream: bool) -> RagflowError:
    """The server's own `assert …, message` in a completion view: Werkzeug's HTML 500 when the view streams (the
    generator fails before its first event), the code-100 AssertionError reply otherwise."""
    return HtmlServerError(message) if stream else PythonError("AssertionError", message)
