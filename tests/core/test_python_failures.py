"""CPython 3.10's crash texts for client data of the wrong shape, as the real server's global handler shows them."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core import python_failures as pf
from mockserver.core.errors import PythonError


def message(call: Any, *args: Any) -> str:
    with pytest.raises(PythonError) as caught:
        call(*args)
    return caught.value.message


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        ({}, "KeyError('k')"),
        ("abc", "TypeError('string indices must be integers')"),
        ([1], "TypeError('list indices must be integers or slices, not str')"),
        (None, "TypeError(\"'NoneType' object is not subscriptable\")"),
        (3, "TypeError(\"'int' object is not subscriptable\")"),
    ],
)
def test_item_matches_python_3_10(container: Any, expected: str) -> None:
    assert message(pf.item, container, "k") == expected


def test_operations_return_like_python() -> None:
    assert pf.item({"k": 1}, "k") == 1
    assert pf.get({"k": 1}, "k") == 1 and pf.get({}, "k", 2) == 2
    assert pf.contains(["a"], "a") and not pf.contains("xyz", "a")
    assert pf.iterate({"a": 1}) == ["a"] and pf.iterate("ab") == ["a", "b"]
    assert pf.py_int("7") == 7 and pf.py_float("0.5") == 0.5
    assert pf.joined(["a", "b"], " ") == "a b"
    assert pf.keyed({"a": 1}, ["a"]) == {"a": 1} and pf.keyed([], ["a"]) == {}


def test_failures_match_python_3_10() -> None:
    assert message(pf.get, [], "k") == "AttributeError(\"'list' object has no attribute 'get'\")"
    assert message(pf.contains, 5, "k") == "TypeError(\"argument of type 'int' is not iterable\")"
    assert message(pf.iterate, 5) == "TypeError(\"'int' object is not iterable\")"
    assert message(pf.keyed, "key", ["key"]) == "TypeError('string indices must be integers')"
    assert message(pf.joined, [1], " ") == "TypeError('sequence item 0: expected str instance, int found')"
    assert message(pf.py_int, "x") == "ValueError(\"invalid literal for int() with base 10: 'x'\")"
    assert message(pf.py_int, None) == (
        "TypeError(\"int() argument must be a string, a bytes-like object or a number, not 'NoneType'\")"
    )
    assert message(pf.py_float, []) == "TypeError(\"float() argument must be a string or a number, not 'list'\")"
    assert pf.none_has_no_get().message == "AttributeError(\"'NoneType' object has no attribute 'get'\")"
    assert pf.none_not_iterable().message == "TypeError(\"argument of type 'NoneType' is not iterable\")"
    assert pf.no_item_assignment("s").message == "TypeError(\"'str' object does not support item assignment\")"


def test_python_semantics_turns_host_exceptions_into_3_10_replies() -> None:
    def index_a_string(text: Any = "abc", key: Any = "k") -> None:
        with pf.python_semantics():
            _ = text[key]

    assert message(index_a_string) == "TypeError('string indices must be integers')"
    empty: dict[str, int] = {}
    with pytest.raises(PythonError) as caught, pf.python_semantics():
        _ = empty["missing"]
    assert caught.value.message == "KeyError('missing')" and caught.value.detail == "'missing'"


def test_argument_binding_of_the_completion_services() -> None:
    pf.bind_arguments("completion", {"question": "q"}, ("tenant_id", "agent_id"))
    assert message(pf.bind_arguments, "completion", {"question": "q", "agent_id": 1}, ("tenant_id", "agent_id")) == (
        "TypeError(\"completion() got multiple values for argument 'agent_id'\")"
    )
    assert message(pf.bind_arguments, "completion", {}, ()) == (
        "TypeError(\"completion() missing 1 required positional argument: 'question'\")"
    )
