"""Driving headless Chromium over the DevTools protocol on a pipe (`--remote-debugging-pipe`: fd 3 in, fd 4 out,
NUL-terminated JSON), so a test can wait for a page's own asynchronous work without any extra library."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run")


class Browser:
    """One headless Chromium with a DevTools pipe; `open` a page, `evaluate` JavaScript in it."""

    def __init__(self, executable: str, profile: Path) -> None:
        reader, self._to_browser = os.pipe()
        self._from_browser, writer = os.pipe()
        # above 4, so the child's dup2 onto 3 and 4 never meets itself (dup2 clears close-on-exec on the copy)
        to_browser_r = fcntl.fcntl(reader, fcntl.F_DUPFD_CLOEXEC, 10)
        from_browser_w = fcntl.fcntl(writer, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(reader)
        os.close(writer)
        self._ids = 0
        self._buffer = b""
        self._session: str | None = None

        def wire() -> None:  # in the child: fd 3 reads commands, fd 4 writes replies
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            close_fds=False,  # the pipe ends are close-on-exec; only their dup2 copies 3 and 4 reach the browser
        )
        os.close(to_browser_r)
        os.close(from_browser_w)

    def command(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
        """Send one DevTools command (to the attached page once `open` ran) and wait for its result."""
        self._ids += 1
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params or {}}
        if self._session is not None and not method.startswith("Target."):
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" not in self._buffer:
                self._buffer += os.read(self._from_browser, 65536)
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._ids:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise TimeoutError(method)

    def open(self, url: str) -> None:
        """A new page at `url`, attached for `evaluate`."""
        target = self.command("Target.createTarget", {"url": url})["targetId"]
        self._session = self.command("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        return self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"].get(
            "value"
        )

    def wait_for(self, expression: str, timeout: float = 60.0) -> Any:
        """Poll an expression until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(expression)

    def close(self) -> None:
        """Stop the browser (this process only)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
