"""`/docs` (Swagger UI served from a local package, no CDN) and `/openapi.yaml` (the merged contract)."""

from __future__ import annotations

import copy
import html
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from mockserver.http.spec import HTTP_METHODS, SPEC_FILES, load_document
from mockserver.paths import openapi_dir

ASSETS_PATH = "/docs/assets"

SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ragflow-mockserver — API docs</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{spec}",
      dom_id: "#swagger-ui",
      deepLinking: true,
      docExpansion: "list",
      tryItOutEnabled: true,
      persistAuthorization: true,
      validatorUrl: null
    }});
  </script>
</body>
</html>
"""


def merged_spec(server_url: str | None = None) -> dict[str, Any]:
    """Every routing document merged into one OpenAPI document (paths and components)."""
    merged: dict[str, Any] = {}
    for name in SPEC_FILES:
        path = openapi_dir() / name
        if not path.is_file():
            continue
        doc = load_document(path)
        if not merged:
            merged = copy.deepcopy(doc)
            merged.setdefault("paths", {})
            merged.setdefault("components", {})
            continue
        merged["paths"].update(copy.deepcopy(doc.get("paths") or {}))
        for section, values in (doc.get("components") or {}).items():
            merged["components"].setdefault(section, {}).update(copy.deepcopy(values))
        known = {t.get("name") for t in merged.get("tags", [])}
        merged.setdefault("tags", []).extend(t for t in doc.get("tags", []) if t.get("name") not in known)
    if server_url:
        merged["servers"] = [{"url": server_url, "description": "this emulator"}]
    return merged


def _server_url(request: Request) -> str:
    """Relative to wherever the document was fetched from: the request's `Host` is never copied into it."""
    return str(request.scope.get("root_path") or "") + "/"


async def openapi_yaml(request: Request) -> Response:
    """GET /openapi.yaml: the merged contract, with `servers` pointing at this emulator."""
    text = yaml.safe_dump(merged_spec(_server_url(request)), sort_keys=False, allow_unicode=True)
    return Response(text, media_type="application/yaml; charset=utf-8")


def _swagger_assets() -> str | None:
    try:
        import swagger_ui_bundle  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None
    return str(swagger_ui_bundle.swagger_ui_path)


def fallback_page(spec: dict[str, Any]) -> str:
    """A self-contained operations table, used when the Swagger UI package is not installed."""
    rows = []
    for url, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                rows.append(
                    f"<tr><td><b>{method.upper()}</b></td><td><code>{html.escape(url)}</code></td>"
                    f"<td>{html.escape(str(op.get('operationId', '')))}</td>"
                    f"<td>{html.escape(str(op.get('summary', '')))}</td></tr>"
                )
    title = html.escape(str((spec.get("info") or {}).get("title", "API")))
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
        f"<h1>{title}</h1><p><a href='/openapi.yaml'>openapi.yaml</a></p>"
        f"<table border=1 cellpadding=4><tr><th>method</th><th>path</th><th>operationId</th><th>summary</th></tr>"
        f"{''.join(rows)}</table></html>"
    )


async def docs_page(request: Request) -> Response:
    """GET /docs: Swagger UI over `/openapi.yaml`, assets served locally."""
    if _swagger_assets() is None:
        return HTMLResponse(fallback_page(merged_spec(_server_url(request))))
    return HTMLResponse(SWAGGER_PAGE.format(assets=ASSETS_PATH, spec="/openapi.yaml"))


def docs_routes() -> list[BaseRoute]:
    """Routes of the developer pages (outside the emulated API and its registry)."""
    routes: list[BaseRoute] = [
        Route("/docs", docs_page, methods=["GET"]),
        Route("/openapi.yaml", openapi_yaml, methods=["GET"]),
    ]
    assets = _swagger_assets()
    if assets is not None:
        routes.append(Mount(ASSETS_PATH, app=StaticFiles(directory=assets), name="docs-assets"))
    return routes
