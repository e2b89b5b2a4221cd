"""A real browser against the emulator: a small page (served by `--webui-dist` on the API's origin) logs in with the
UI's RSA transport and streams a conversation; headless Chromium runs it (skipped where Chromium is absent)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockserver.families.accounts.crypto import shipped_public_modulus
from mockserver.server import ThreadedServer
from tests.families.webui.webkit import web_app
from tests.support.browser import Browser

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
PAGE = Path(__file__).parent / "page" / "index.html"


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_headless_chromium_logs_in_and_streams_a_conversation(tmp_path: Path) -> None:
    """The demo world's web login, a dialog over its datasets, and a cited streamed answer read in the browser."""
    dist = tmp_path / "dist"
    dist.mkdir()
    html = PAGE.read_text(encoding="utf-8").replace("__MODULUS__", format(shipped_public_modulus(), "x"))
    (dist / "index.html").write_text(html, encoding="utf-8")
    app = web_app(world="demo", webui_dist=str(dist), virtual_clock=False)
    browser = Browser(str(CHROMIUM), tmp_path / "profile")
    try:
        with ThreadedServer(app) as server:
            browser.open(f"{server.base_url}/chat/some/client/route")  # a client route: the SPA fallback
            title = browser.wait_for("document.title === 'webui check' ? '' : document.title")
            text = browser.evaluate("document.getElementById('out').textContent")
    finally:
        browser.close()
    assert title == "done", text
    lines = text.splitlines()
    assert lines[:2] == ["starting", "login ok"] and "ERROR" not in text
    assert int(next(line for line in lines if line.startswith("citations ")).split()[1]) >= 1
    assert int(next(line for line in lines if line.startswith("frames ")).split()[1]) >= 2
