"""Tests of http/webui_dist: a built UI on the API's origin (files, SPA fallback, API paths keep NotFound)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.http.webui_dist import SinglePageApp
from mockserver.settings import Settings

NOT_FOUND = {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<html>ui</html>", encoding="utf-8")
    (tmp_path / "umi.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    return tmp_path


def test_files_client_routes_and_api_paths(dist: Path) -> None:
    """Settings.webui_dist: files as stored, client routes → index.html, unknown API paths → the NotFound body."""
    with TestClient(create_app(Settings.for_tests(webui_dist=str(dist)))) as web:
        assert web.get("/umi.js").text == "console.log(1)"
        assert web.get("/static/logo.svg").text == "<svg/>"
        for route in ("/", "/login", "/knowledge/dataset?id=x", "/chat/share"):
            reply = web.get(route)
            assert (reply.status_code, reply.text) == (200, "<html>ui</html>")
            assert reply.headers["cache-control"] == "no-cache"
        assert web.get("/v1/canvas/list").json() == NOT_FOUND
        assert web.get("/api/v1/nothing").json() == NOT_FOUND
        assert web.post("/login").json() == NOT_FOUND
        assert web.get("/v1/system/config").json()["code"] == 0, "the API still answers"


def test_paths_outside_dist_are_not_served(dist: Path) -> None:
    """A path escaping `dist` gets index.html, never the file outside."""
    (dist.parent / "secret.txt").write_text("no", encoding="utf-8")
    app = SinglePageApp(dist, not_found=lambda *a: None)  # type: ignore[arg-type,return-value]
    assert app.file_for("/../secret.txt") == dist.resolve() / "index.html"
    assert app.file_for("/v1/kb/list") is None


def test_a_dist_without_index_is_refused(tmp_path: Path) -> None:
    """--webui-dist must point at a built UI."""
    with pytest.raises(ValueError, match=r"no index\.html"):
        SinglePageApp(tmp_path, not_found=lambda *a: None)  # type: ignore[arg-type,return-value]
