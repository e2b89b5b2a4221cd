"""The journal's path and query equal Starlette's `request.url.path`/`.query` for any scope (the fast path)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from mockserver.control.journal import path_and_query

PIECES = st.sampled_from(["/api", "/v1", "/", "//", "?", "#", "\\", "\t", "\n", "%3F", "é", "a b", "x"])
QUERY = st.lists(st.sampled_from([b"a=1", b"&", b"#", b"?", b"%20", b"\xc3\xa9", b"\t", b"b=\\", b"page=2"]))
HOSTS = st.sampled_from([None, b"127.0.0.1:9380", b"localhost", b"evil/x", b"h?q", b"[::1]:80", b"a#b", b"h:bad"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=6), QUERY, HOSTS)
def test_fast_path_equals_the_url_object(pieces: list[str], query: list[bytes], host: bytes | None) -> None:
    path = "".join(pieces)
    if not path.startswith("/"):
        path = "/" + path
    headers = [] if host is None else [(b"host", host)]
    scope = {
        "type": "http",
        "path": path,
        "query_string": b"".join(query),
        "headers": headers,
        "server": ("127.0.0.1", 9380),
        "scheme": "http",
    }
    url = Request(scope).url
    assert path_and_query(Request(scope)) == (url.path, url.query)
