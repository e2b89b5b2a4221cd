"""`/docs`, `/redoc` and `/openapi.yaml`: served offline from vendored assets; rendered in headless Chromium when installed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.http.docs_page import ASSETS_DIR
from mockserver.server import ThreadedServer
from tests.support.browser import Browser

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


def operation_count(spec: dict[str, Any]) -> int:
    """Operations of the merged document (`/openapi.yaml`), as both pages list them."""
    return sum(1 for item in spec["paths"].values() for op in item.values() if isinstance(op, dict))


def rendered(page: str, selector: str, tmp_path: Path) -> tuple[int, str]:
    """Open `page` in headless Chromium, wait until it shows one `selector` per operation; (count, its text).

    Waiting on the page's own DOM (over the DevTools pipe) rather than a virtual-time budget: a budget runs out on a
    loaded machine or a larger document while the page is still rendering, which is not what these tests check.
    """
    assert CHROMIUM is not None
    app = create_app(Settings.for_tests())
    with ThreadedServer(app) as server:
        expected = operation_count(yaml.safe_load(TestClient(app).get("/openapi.yaml").text))
        browser = Browser(CHROMIUM, tmp_path / "profile")
        try:
            browser.open(f"{server.base_url}{page}")
            count_js = f"document.querySelectorAll({json.dumps(selector)}).length"
            browser.wait_for(f"{count_js} >= {expected}", timeout=180)
            return browser.evaluate(count_js), browser.evaluate("document.body.innerHTML")
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (optional check)")
def test_docs_page_renders_the_operations_in_chromium(tmp_path: Path) -> None:
    count, dom = rendered("/docs", ".opblock-summary-path", tmp_path)
    assert count >= 50
    assert 'data-path="/api/v1/datasets"' in dom
    assert "Emulator control plane" in dom


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (optional check)")
def test_redoc_page_renders_the_operations_in_chromium(tmp_path: Path) -> None:
    count, dom = rendered("/redoc", '[data-section-id^="operation/"]', tmp_path)
    assert count >= 90
    assert 'data-section-id="operation/listDatasets"' in dom
    assert "Emulator control plane" in dom
