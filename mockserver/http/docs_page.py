"""`/docs` (Swagger UI) and `/redoc` (ReDoc) from vendored assets, no CDN; `/openapi.yaml` (the merged contract)."""

from __future__ import annotations

import copy
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from mockserver.http.spec import SPEC_FILES, load_document
from mockserver.paths import openapi_dir

ASSETS_PATH = "/docs/assets"
REDOC_ASSETS_PATH = "/redoc/assets"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
"""Vendored Swagger UI and ReDoc files with their licenses (provenance in `assets/README.md`)."""


@dataclass(frozen=True)
class ProfileDocument:
    """A historical profile's document as `/docs/<name>` offers it."""

    name: str
    spec_file: str
    summary: str
    prefix: str
    """`/_p/<name>`, where it is always served."""
    in_place: bool = False
    """Also served at its original paths (selected by the settings)."""


SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ragflow-mockserver — API docs</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
  {nav}
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


REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ragflow-mockserver — API reference</title>
  <link rel="icon" type="image/png" href="{icons}/favicon-32x32.png">
</head>
<body>
  <redoc spec-url="{spec}"></redoc>
  <script src="{assets}/redoc.standalone.js"></script>
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
    if server_url is not None:
        merged["servers"] = [{"url": server_url or "/", "description": "this emulator"}]
    return merged


def _server_url(request: Request) -> str:
    """Relative to wherever the document was fetched from: the request's `Host` is never copied into it."""
    return str(request.scope.get("root_path") or "")


async def openapi_yaml(request: Request) -> Response:
    """GET /openapi.yaml: the merged contract, with `servers` pointing at this emulator."""
    text = yaml.safe_dump(merged_spec(_server_url(request)), sort_keys=False, allow_unicode=True)
    return Response(text, media_type="application/yaml; charset=utf-8")


def _nav(documents: Sequence[ProfileDocument]) -> str:
    if not documents:
        return ""
    links = " · ".join(
        f'<a href="/docs/{html.escape(d.name)}" title="{html.escape(d.summary)}">{html.escape(d.name)}</a>'
        for d in documents
    )
    return f'<p style="font-family:sans-serif">API profiles: <a href="/docs">current</a> · {links}</p>'


def profile_spec(document: ProfileDocument, server_url: str) -> dict[str, Any]:
    """A profile's document with `servers` pointing at this emulator (its prefix; its original place if selected)."""
    spec = copy.deepcopy(load_document(openapi_dir() / document.spec_file))
    servers = [{"url": server_url + document.prefix, "description": f"this emulator, under {document.prefix}"}]
    if document.in_place:
        servers.insert(0, {"url": server_url or "/", "description": "this emulator (profile selected)"})
    spec["servers"] = servers
    return spec


async def redoc_page(request: Request) -> Response:
    """GET /redoc: ReDoc over `/openapi.yaml`, assets served locally."""
    return HTMLResponse(REDOC_PAGE.format(assets=REDOC_ASSETS_PATH, icons=ASSETS_PATH, spec="/openapi.yaml"))


def docs_routes(documents: Sequence[ProfileDocument] = ()) -> list[BaseRoute]:
    """Routes of the developer pages (outside the emulated API and its registry): current and per profile."""
    by_name = {d.name: d for d in documents}
    nav = _nav(documents)

    async def docs_page(request: Request) -> Response:
        """GET /docs: Swagger UI over `/openapi.yaml`, assets served locally."""
        return HTMLResponse(SWAGGER_PAGE.format(assets=ASSETS_PATH, spec="/openapi.yaml", nav=nav))

    async def profile_yaml(request: Request) -> Response:
        """GET /openapi/<profile>.yaml: one profile's document."""
        found = by_name.get(request.path_params["name"])
        if found is None:
            return Response("unknown profile\n", status_code=404, media_type="text/plain")
        text = yaml.safe_dump(profile_spec(found, _server_url(request)), sort_keys=False, allow_unicode=True)
        return Response(text, media_type="application/yaml; charset=utf-8")

    async def profile_page(request: Request) -> Response:
        """GET /docs/<profile>: Swagger UI over that profile's document."""
        found = by_name.get(request.path_params["name"])
        if found is None:
            return Response("unknown profile\n", status_code=404, media_type="text/plain")
        spec_url = f"/openapi/{html.escape(found.name)}.yaml"
        return HTMLResponse(SWAGGER_PAGE.format(assets=ASSETS_PATH, spec=spec_url, nav=nav))

    return [
        Route("/docs", docs_page, methods=["GET"]),
        Route("/redoc", redoc_page, methods=["GET"]),
        Route("/openapi.yaml", openapi_yaml, methods=["GET"]),
        Route("/docs/{name}", profile_page, methods=["GET"]),
        Route("/openapi/{name}.yaml", profile_yaml, methods=["GET"]),
        Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS_DIR / "swagger-ui"), name="docs-assets"),
        Mount(REDOC_ASSETS_PATH, app=StaticFiles(directory=ASSETS_DIR / "redoc"), name="redoc-assets"),
    ]
