"""`ThreadedServer`: the app on a real socket in a background thread (streaming and timing tests, the SDK)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from mockserver.serve_limits import ServeLimits
from mockserver.serving import uvicorn_config


class ThreadedServer:
    """Run an ASGI app with uvicorn on 127.0.0.1 in a daemon thread; `port=0` picks a free port."""

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        limits: ServeLimits | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port: int = self._sock.getsockname()[1]
        config = uvicorn_config(app, limits or ServeLimits(), log_level=log_level, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"ragflow-mock:{self.port}", daemon=True)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` — what clients such as ragflow-sdk take as `base_url`."""
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self, timeout: float = 10.0) -> ThreadedServer:
        """Start serving and wait until uvicorn is ready."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("ragflow-mockserver did not start")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
