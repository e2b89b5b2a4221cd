"""Routing by shape finds exactly the route a scan of the whole table finds, for any path and method."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from mockserver import Settings, create_app
from mockserver.http.routing import SpecRouter

APP = create_app(Settings.for_tests())
ROUTER = APP.router
assert isinstance(ROUTER, SpecRouter)
TEMPLATES = [r.path for r in ROUTER.routes if isinstance(r, Route)]
FILLERS = st.sampled_from(["abc", "", "x/y", "{id}", "a\n", "%2F", "é", "api", "v1", "datasets"])


@st.composite
def paths(draw: st.DrawFn) -> str:
    """A route's template with its parameters (and sometimes literals) replaced, or a few random segments."""
    if draw(st.booleans()):
        segments = draw(st.sampled_from(TEMPLATES)).split("/")
        out = []
        for segment in segments:
            if segment.startswith("{") or draw(st.integers(0, 9)) == 0:
                out.append(draw(FILLERS))
            else:
                out.append(segment)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(FILLERS))
        return "/".join(out) or "/"
    return "/" + "/".join(draw(st.lists(FILLERS, max_size=6)))


@settings(max_examples=600, deadline=None)
@given(paths(), st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]))
def test_shape_candidates_choose_what_the_full_scan_chooses(path: str, method: str) -> None:
    scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": [], "query_string": b""}
    by_shape = SpecRouter.match(dict(scope), ROUTER.candidates(path))
    scanned = SpecRouter.match(dict(scope), ROUTER.routes)
    assert (by_shape and (by_shape[0], by_shape[1])) == (scanned and (scanned[0], scanned[1]))
