"""Unexpected errors (exceptions no handler meant to raise), kept bounded whatever the load.

`UnexpectedErrors.record` is the one place such an exception is remembered and logged: it keeps the newest
`KEPT` exceptions **without their frames** (a frame holds the request, its body and every local: 150 kept 1 MB
requests were 313 MB), with a short traceback text as a note instead, and counts all of them. The log line it
writes carries that text; the serve command's log filter (`mockserver.serving`) rate-limits repeats.
"""

from __future__ import annotations

import logging
import traceback
from collections import deque

log = logging.getLogger("mockserver")

KEPT = 100
"""How many unexpected exceptions are kept (the pytest plugin re-raises them in the test that caused them)."""
TRACE_FRAMES = 12
"""Innermost frames kept in the traceback note."""
TRACE_CHARS = 4000
"""Longest traceback note (characters)."""


def without_frames(exc: BaseException) -> tuple[BaseException, str]:
    """The exception with its traceback, cause and context dropped, and the traceback text it had (bounded)."""
    lines = traceback.format_exception(exc, limit=-TRACE_FRAMES, chain=False)
    text = "".join(lines)
    if len(text) > TRACE_CHARS:
        text = "…" + text[-TRACE_CHARS:]
    exc.__traceback__ = None
    exc.__cause__ = None
    exc.__context__ = None
    exc.__suppress_context__ = True
    return exc, text


class UnexpectedErrors:
    """The newest `KEPT` unexpected exceptions (frames dropped) and the count of all since start."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept: deque[BaseException] = deque(maxlen=kept)
        self.count = 0

    def record(self, exc: BaseException, where: str) -> None:
        """Remember and log an exception no handler meant to raise (`where`: the operationId or the path)."""
        exc, text = without_frames(exc)
        if not any("ragflow-mockserver traceback" in note for note in getattr(exc, "__notes__", ())):
            exc.add_note(f"ragflow-mockserver traceback ({where}):\n{text}")
        self.kept.append(exc)
        self.count += 1
        log.error("unexpected error in %s: %s", where, text.rstrip())

    def since(self, count: int) -> list[BaseException]:
        """The kept exceptions that happened after `self.count` was `count`."""
        new = self.count - count
        return list(self.kept)[-new:] if new > 0 else []
