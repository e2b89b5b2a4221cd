"""Where the shipped data lives: the OpenAPI documents and the fixtures, in a wheel or a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _locate(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _CHECKOUT / name


def openapi_dir() -> Path:
    """Directory holding `ragflow.yaml` and the other OpenAPI documents."""
    return _locate("openapi")


def fixtures_dir() -> Path:
    """Directory holding `worlds/`, `answers/` and `streams/`."""
    return _locate("fixtures")
