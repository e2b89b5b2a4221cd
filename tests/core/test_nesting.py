"""`core.nesting`: the depth of client JSON counted without recursion; deeper values get the RecursionError reply."""

from __future__ import annotations

import json

import pytest

from mockserver.core.errors import PythonError
from mockserver.core.nesting import MAX_STORED_DEPTH, check_nesting, depth_of, loads_bounded


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def test_depth_counts_containers() -> None:
    assert depth_of(1) == 0
    assert depth_of({}) == depth_of([]) == 1
    assert depth_of({"a": [1, {"b": ()}]}) == 4
    assert depth_of(json.loads(nested(50))) == 50


def test_a_value_past_the_cap_is_the_recursion_reply() -> None:
    assert check_nesting(json.loads(nested(MAX_STORED_DEPTH))) is not None
    with pytest.raises(PythonError) as caught:
        check_nesting(json.loads(nested(MAX_STORED_DEPTH + 1)))
    assert caught.value.message == "RecursionError('maximum recursion depth exceeded')"


def test_loads_bounded() -> None:
    assert loads_bounded(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(json.JSONDecodeError):
        loads_bounded(b"{")
    with pytest.raises(PythonError, match="maximum recursion depth exceeded"):
        loads_bounded(nested(900))
    with pytest.raises(PythonError, match="while decoding a JSON"):
        loads_bounded("[" * 100_000 + "]" * 100_000)
