"""Starlette's CORS middleware with a cheap path for requests without an `Origin` header (most API calls)."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send


class OriginlessFastCORS(CORSMiddleware):
    """`CORSMiddleware`, byte for byte: a request with an `Origin` header takes Starlette's code; one without only
    gets what Starlette adds then (`Vary: Origin`), without wrapping the request headers on every call."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(key == b"origin" for key, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
            return

        async def vary_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if any(key == b"vary" for key, _ in headers):
                    values = b", ".join([*(v for k, v in headers if k == b"vary"), b"Origin"])
                    first = next(i for i, (k, _) in enumerate(headers) if k == b"vary")
                    headers = [h for i, h in enumerate(headers) if h[0] != b"vary" or i == first]
                    headers[first] = (b"vary", values)
                else:
                    headers.append((b"vary", b"Origin"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, vary_origin)
