"""`/docs`, `/redoc` and `/openapi.yaml`: served offline from vendored assets; rendered in headless Chromium when installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.http.docs_page import ASSETS_DIR
from mockserver.server import ThreadedServer

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CHROMIUM = shutil.which("chromium")


def test_openapi_yaml_merges_the_documents_and_points_at_this_server(client: TestClient) -> None:
    response = client.get("/openapi.yaml", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    spec = yaml.safe_load(response.text)
    assert spec["servers"] == [{"url": "/", "description": "this emulator"}], "relative: the Host is never copied"
    assert "evil.example" not in response.text
    ops = {op["operationId"] for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)}
    assert {"listDatasets", "createChatCompletion", "addFaultRule", "listJournal"} <= ops
    assert {"ApiKey", "AdminKey"} <= set(spec["components"]["securitySchemes"])


def test_docs_page_uses_local_assets_only(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in page and 'url: "/openapi.yaml"' in page
    assert "http" not in page.replace("http-equiv", ""), "no CDN or other absolute URL"
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


def test_redoc_page_uses_local_assets_only(client: TestClient) -> None:
    page = client.get("/redoc").text
    assert '<redoc spec-url="/openapi.yaml">' in page and "/redoc/assets/redoc.standalone.js" in page
    assert "http" not in page, "no CDN or other absolute URL"
    asset = client.get("/redoc/assets/redoc.standalone.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


def test_vendored_assets_keep_their_licenses() -> None:
    assert "Apache License" in (ASSETS_DIR / "swagger-ui" / "LICENSE").read_text()
    assert "SmartBear" in (ASSETS_DIR / "swagger-ui" / "NOTICE").read_text()
    assert "MIT License" in (ASSETS_DIR / "redoc" / "LICENSE").read_text()
    for bundle in ("swagger-ui/swagger-ui-bundle.js", "redoc/redoc.standalone.js"):
        assert (ASSETS_DIR / f"{bundle}.LICENSE.txt").is_file()


def render(url: str, profile: Path) -> str:
    """The DOM of `url` after headless Chromium ran its scripts (no network but loopback, a throwaway profile)."""
    assert CHROMIUM is not None
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom"]
    return subprocess.run([CHROMIUM, *flags, url], capture_output=True, text=True, timeout=240, check=False).stdout


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (optional check)")
def test_docs_page_renders_the_operations_in_chromium(tmp_path: Path) -> None:
    with ThreadedServer(create_app(Settings.for_tests())) as server:
        dom = render(f"{server.base_url}/docs", tmp_path)
    assert dom.count('class="opblock-summary-path"') >= 50
    assert 'data-path="/api/v1/datasets"' in dom
    assert "Emulator control plane" in dom


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (optional check)")
def test_redoc_page_renders_the_operations_in_chromium(tmp_path: Path) -> None:
    with ThreadedServer(create_app(Settings.for_tests())) as server:
        dom = render(f"{server.base_url}/redoc", tmp_path)
    assert dom.count('data-section-id="operation/') >= 90
    assert 'data-section-id="operation/listDatasets"' in dom
    assert "Emulator control plane" in dom
