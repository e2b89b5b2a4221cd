"""`/docs` and `/openapi.yaml`: served offline from the spec; rendered in headless Chromium when it is installed."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.http.docs_page import fallback_page, merged_spec
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


def test_fallback_page_lists_every_operation() -> None:
    page = fallback_page(merged_spec())
    assert "<code>/api/v1/datasets</code>" in page and "listJournal" in page


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (optional check)")
def test_docs_page_renders_the_operations_in_chromium() -> None:
    with ThreadedServer(create_app(Settings.for_tests())) as server:
        dom = subprocess.run(
            ["chromium", *CHROMIUM_FLAGS, "--virtual-time-budget=15000", "--dump-dom", f"{server.base_url}/docs"],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        ).stdout
    assert dom.count('class="opblock-summary-path"') >= 50
    assert 'data-path="/api/v1/datasets"' in dom
    assert "Emulator control plane" in dom
