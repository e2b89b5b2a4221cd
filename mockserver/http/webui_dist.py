"""Serving a built web UI (`web/dist`) on the API's origin: files as they are, client routes fall back to
`index.html`, and unknown API paths keep the server's `<NotFound …>` envelope."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse
from starlette.types import ASGIApp, Receive, Scope, Send

API_PREFIXES = ("/v1/", "/api/", "/_emulator/")
"""Paths that are never the UI's: an unknown one answers the API's NotFound envelope."""


class SinglePageApp:
    """The app's fallback for paths no route matched: a file of `dist`, or `index.html` (SPA client routes)."""

    def __init__(self, dist: str | Path, not_found: ASGIApp) -> None:
        self.root = Path(dist).resolve()
        self.index = self.root / "index.html"
        if not self.index.is_file():
            raise ValueError(f"{self.root}: no index.html (expected a built web UI, e.g. RAGFlow's web/dist)")
        self.not_found = not_found

    def file_for(self, path: str) -> Path | None:
        """The file a GET of `path` serves: inside `dist` only, `index.html` for anything else (None: API path)."""
        if path.startswith(API_PREFIXES) or path in ("/v1", "/api", "/_emulator"):
            return None
        candidate = (self.root / path.lstrip("/")).resolve()
        if candidate.is_file() and candidate.is_relative_to(self.root):
            return candidate
        return self.index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.not_found(scope, receive, send)
            return
        found = self.file_for(scope["path"])
        if found is None:
            await self.not_found(scope, receive, send)
            return
        headers = {"Cache-Control": "no-cache"} if found == self.index else None
        await FileResponse(found, headers=headers)(scope, receive, send)
