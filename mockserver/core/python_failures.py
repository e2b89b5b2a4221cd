"""The exceptions CPython raises when the real server's handlers meet client data of the wrong shape.

The real server answers an uncaught exception with code 100 and the exception's repr (see `PythonError`). The
official image runs **CPython 3.10**, so every text here is 3.10's wording (3.11 changed some, e.g. "string
indices must be integers, not 'str'"); `from_exception` translates the few texts the host interpreter words
differently. Each helper either performs the Python operation the server performs (`item`, `get`, `contains`,
`iterate`, `py_int`, `joined`) or returns the error to raise (`no_attribute`, `not_subscriptable`, …). This is
the one place such texts are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from mockserver.core.errors import ArgumentsError, HtmlServerError, PythonError, RagflowError

_HOST_WORDING: tuple[tuple[str, str], ...] = (
    ("string indices must be integers, not 'str'", "string indices must be integers"),
    ("or a real number, not", "or a number, not"),
)
"""(host interpreter's words, CPython 3.10's words) pairs, replaced inside an exception's text."""


def type_name(value: Any) -> str:
    """Python's type name of a decoded JSON value (`NoneType`, `dict`, `list`, `str`, `int`, `float`, `bool`)."""
    return type(value).__name__


# -- errors to raise ------------------------------------------------------------------------------------
def no_attribute(value: Any, attribute: str) -> PythonError:
    """`value.attribute` on a value without it: `AttributeError("'X' object has no attribute 'a'")`."""
    return PythonError("AttributeError", f"'{type_name(value)}' object has no attribute '{attribute}'")


def none_has_no_get() -> PythonError:
    """`.get` on a missing JSON body."""
    return no_attribute(None, "get")


def not_iterable(value: Any) -> PythonError:
    """`for x in value` / `list(value)` on a non-iterable: `TypeError("'X' object is not iterable")`."""
    return PythonError("TypeError", f"'{type_name(value)}' object is not iterable")


def not_a_container(value: Any) -> PythonError:
    """`key in value` on a non-container: `TypeError("argument of type 'X' is not iterable")`."""
    return PythonError("TypeError", f"argument of type '{type_name(value)}' is not iterable")


def none_not_iterable() -> PythonError:
    """`key in body` on a missing JSON body."""
    return not_a_container(None)


def not_subscriptable(value: Any) -> PythonError:
    """`value[key]` on a scalar: `TypeError("'X' object is not subscriptable")`."""
    return PythonError("TypeError", f"'{type_name(value)}' object is not subscriptable")


def bad_index(container: Any, key: Any) -> PythonError:
    """`container[key]` on a list or string with a non-integer key (3.10 wording)."""
    if isinstance(container, str):
        return PythonError("TypeError", "string indices must be integers")
    return PythonError("TypeError", f"list indices must be integers or slices, not {type_name(key)}")


def index_out_of_range() -> PythonError:
    """`sequence[i]` past its end: `IndexError('list index out of range')`."""
    return PythonError("IndexError", "list index out of range")


def unhashable(value: Any) -> PythonError:
    """A JSON object or list used as a dict key or set member: `TypeError("unhashable type: 'X'")`."""
    return PythonError("TypeError", f"unhashable type: '{type_name(value)}'")


def invalid_int_literal(text: str) -> PythonError:
    """`int(text)` on a string that is no integer: `ValueError("invalid literal for int() with base 10: '…'")`."""
    return PythonError("ValueError", f"invalid literal for int() with base 10: {text!r}")


def no_class_attribute(class_name: str, attribute: str) -> PythonError:
    """`getattr(Model, name)` for a column that does not exist: `AttributeError("type object 'M' has no …")`."""
    return PythonError("AttributeError", f"type object '{class_name}' has no attribute '{attribute}'")


def unbound_local(name: str) -> PythonError:
    """Reading a local never assigned: 3.10's `UnboundLocalError` text (3.11 rewords it)."""
    return PythonError("UnboundLocalError", f"local variable '{name}' referenced before assignment")


def key_error(key: str) -> PythonError:
    """`KeyError('key')`."""
    return PythonError("KeyError", key)


def no_item_assignment(value: Any) -> PythonError:
    """`value[key] = x` on a value that does not support it."""
    return PythonError("TypeError", f"'{type_name(value)}' object does not support item assignment")


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


def bind_arguments(function: str, kwargs: dict[str, Any], positional: tuple[str, ...]) -> None:
    """Python's binding of `function(*positional, question, …, **kwargs)`: the TypeErrors it raises."""
    for key in kwargs:
        if key in positional:
            raise multiple_values(function, key)
    if "question" not in kwargs:
        raise missing_positional(function, "question")


def assertion_failed(message: str, *, stream: bool) -> RagflowError:
    """The server's own `assert …, message` in a completion view: Werkzeug's HTML 500 when the view streams (the
    generator fails before its first event), the code-100 AssertionError reply otherwise."""
    return HtmlServerError(message) if stream else PythonError("AssertionError", message)


def from_exception(exc: BaseException) -> PythonError:
    """A real exception of the host interpreter, in CPython 3.10's words."""
    error = PythonError.from_exception(exc)
    text = error.text
    for host, py310 in _HOST_WORDING:
        text = text.replace(host, py310)
    return error if text == error.text else PythonError(error.exc_type, text)


@contextmanager
def python_semantics() -> Iterator[None]:
    """Run the server's own Python on request data: the exception Python raises becomes the code-100 reply."""
    try:
        yield
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise from_exception(exc) from None


# -- Python operations on JSON values ---------------------------------------------------------------------
def item(container: Any, key: Any) -> Any:
    """`container[key]` with the exception Python raises for each JSON type."""
    if isinstance(container, dict):
        if key not in container:
            raise (
                PythonError("KeyError", key)
                if isinstance(key, str)
                else PythonError("KeyError", str(key), rendered=f"KeyError({key!r})")
            )
        return container[key]
    if isinstance(container, list | str):
        raise bad_index(container, key)
    raise not_subscriptable(container)


def get(container: Any, key: str, default: Any = None) -> Any:
    """`container.get(key, default)` with the AttributeError a non-dict raises."""
    return gettable(container).get(key, default)


def gettable(value: Any) -> dict[str, Any]:
    """A value the server calls `.get` on: a dict, or the AttributeError Python raises."""
    if isinstance(value, dict):
        return value
    raise no_attribute(value, "get")


def contains(container: Any, key: str) -> bool:
    """`key in container` with Python's TypeError for non-containers."""
    if isinstance(container, dict | list | str):
        return key in container
    raise not_a_container(container)


def keyed(body: Any, keys: Iterable[str]) -> dict[str, Any]:
    """A body the handler tests with `key in body` and then indexes: wrong shapes crash as in Python."""
    if isinstance(body, dict):
        return body
    if not isinstance(body, list | str):
        raise not_a_container(body)
    for key in keys:
        if key in body:
            raise bad_index(body, key)
    return {}


def iterate(value: Any) -> list[Any]:
    """`list(value)` with Python's TypeError for non-iterables (a dict gives its keys, a string its characters)."""
    if isinstance(value, dict | list | str):
        return list(value)
    raise not_iterable(value)


def py_int(value: Any) -> int:
    """Python's `int(value)` on a JSON value, failing with the server's repr."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise from_exception(exc) from None


def py_float(value: Any) -> float:
    """Python's `float(value)` on a JSON value, failing with the server's repr."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise from_exception(exc) from None


def utf8(text: str) -> bytes:
    """`text.encode("utf-8")` where the server encodes client text: a lone surrogate (JSON `"\\ud800"`) fails as
    the server's UnicodeEncodeError does — message `'utf-8'` (its first argument), data the text."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ArgumentsError(exc.encoding, exc.object) from None


def joined(items: list[Any], separator: str) -> str:
    """`separator.join(items)`: a non-string item fails with the server's TypeError repr."""
    try:
        return separator.join(items)
    except TypeError as exc:
        raise from_exception(exc) from None
