"""Helpers of the historical-profile tests: an emulator with a profile selected at its original paths."""

from __future__ import annotations

from dataclasses import replace

from starlette.applications import Starlette

from mockserver import Settings, create_app
from mockserver.http.envelope import dumps


def profile_app(settings: Settings, profile: str) -> Starlette:
    """`create_app` with `profile` answering the singular paths (the current routes and the state stay)."""
    return create_app(replace(settings, profile=profile))


def wire(payload: object) -> bytes:
    """The bytes Flask sends for a JSON payload (sorted keys, compact, ASCII, newline)."""
    return dumps(payload)
