"""The chats family's errors: `ChatFailure` (a crash inside the server's answer generator) and interim CPython texts.

The four helpers after `assertion_failed` are CPython 3.10 texts that `mockserver.core.python_failures` does not have
yet (agents, legacy, retrieval and chunks write the same texts by hand); they belong there and live here until the
core module takes them.
"""

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


def multiple_values(function: str, argument: str) -> PythonError:
    """`function(argument=…, **{argument: …})`: `TypeError("f() got multiple values for argument 'a'")`."""
    return PythonError("TypeError", f"{function}() got multiple values for argument '{argument}'")


def missing_positional(function: str, argument: str) -> PythonError:
    """A call without a required positional argument (one missing, 3.10 wording without the qualified name)."""
    return PythonError("TypeError", f"{function}() missing 1 required positional argument: '{argument}'")


def not_string_or_bytes() -> PythonError:
    """`re.search(pattern, value)` on a non-string value (3.10 wording; 3.11 appends the type)."""
    return PythonError("TypeError", "expected string or bytes-like object")


def unrecognized_field(key: str, data: object) -> PythonError:
    """peewee's `Model.update(**data)` with a key that is not a column: the whole dict is printed."""
    return PythonError("ValueError", f'Unrecognized field name: "{key}" in {data!r}.')
