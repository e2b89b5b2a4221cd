"""Helpers of the accounts tests: a well-formed password ciphertext, register/login calls, login headers."""

from __future__ import annotations

import base64
from typing import Any

from starlette.testclient import TestClient

UNAUTHORIZED = {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}
PASSWORD = base64.b64encode(bytes(range(256))).decode()
"""A well-formed 256-byte ciphertext (opaque secret without a configured key pair)."""
OTHER_PASSWORD = base64.b64encode(bytes(255 - i for i in range(256))).decode()


def register(web: TestClient, email: str = "user@example.com", nickname: str = "user", password: str = PASSWORD) -> Any:
    """registerUser."""
    return web.post("/v1/user/register", json={"nickname": nickname, "email": email, "password": password})


def login(web: TestClient, email: str = "user@example.com", password: str = PASSWORD) -> str:
    """loginUser: the login token."""
    reply = web.post("/v1/user/login", json={"email": email, "password": password})
    assert reply.json()["code"] == 0, reply.json()
    return reply.headers["Authorization"]


def auth(token: str) -> dict[str, str]:
    """The web client's login header."""
    return {"Authorization": token}
