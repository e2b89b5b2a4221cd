"""Envelope builders: byte compatibility with the server's JSON provider."""

from __future__ import annotations

from mockserver.core.errors import RetCode
from mockserver.core.sse import stream_json
from mockserver.http.envelope import dumps, json_result, result


def test_result_shapes() -> None:
    assert result().body == b'{"code":0}\n'
    assert result([]).body == b'{"code":0,"data":[]}\n'
    assert result({"b": 1, "a": 0.0}).body == b'{"code":0,"data":{"a":0.0,"b":1}}\n'


def test_json_result_has_all_three_keys() -> None:
    assert json_result(data=True).body == b'{"code":0,"data":true,"message":"success"}\n'
    assert json_result(102, "bad").body == b'{"code":102,"data":null,"message":"bad"}\n'


def test_dumps_escapes_non_ascii_and_sorts_nested_keys() -> None:
    assert dumps({"z": {"b": "é", "a": [1.0]}}) == b'{"z":{"a":[1.0],"b":"\\u00e9"}}\n'


def test_stream_json_keeps_insertion_order_spaces_and_raw_utf8() -> None:
    assert stream_json({"code": 0, "message": "", "data": {"answer": "é"}}) == (
        '{"code": 0, "message": "", "data": {"answer": "é"}}'
    )


def test_retcodes_mirror_the_server() -> None:
    assert [c.value for c in RetCode] == [0, 10, 100, 101, 102, 103, 105, 106, 108, 109, 401, 403, 404, 500]
