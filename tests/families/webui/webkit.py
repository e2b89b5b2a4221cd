"""Helpers of the web-UI tests: the UI's password transport, login, and the calls every scenario starts with."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.families.accounts.crypto import encrypt_password, shipped_public_modulus
from mockserver.settings import RAGFLOW_KEY_PAIR, Settings

UNAUTHORIZED = {"code": 401, "data": None, "message": "<Unauthorized '401: Unauthorized'>"}
NO_AUTHORIZATION = {"code": 103, "data": False, "message": "No authorization."}
KB_OWNER_ONLY = {"code": 103, "data": False, "message": "Only owner of knowledgebase authorized for this operation."}


def web_settings(**overrides: Any) -> Settings:
    """Test settings as `serve` has them for the UI: RAGFlow's key pair, usable default models."""
    return Settings.for_tests(rsa_private_key=RAGFLOW_KEY_PAIR, configure_new_tenants=True, **overrides)


def web_app(**overrides: Any) -> Any:
    """A fresh app with `web_settings`."""
    return create_app(web_settings(**overrides))


def ui_password(plain: str) -> str:
    """What the UI's login form sends: base64(RSA(base64(plain))) under RAGFlow's public key, fresh each time."""
    return encrypt_password(plain, shipped_public_modulus())


def register_and_login(web: TestClient, email: str = "ui@example.com", plain: str = "secret") -> dict[str, str]:
    """registerUser then loginUser through the UI's request shapes; the raw token header to send."""
    registered = web.post("/v1/user/register", json={"nickname": "ui", "email": email, "password": ui_password(plain)})
    assert registered.json()["code"] == 0, registered.json()
    reply = web.post("/v1/user/login", json={"email": email, "password": ui_password(plain)})
    assert reply.json()["code"] == 0, reply.json()
    return {"Authorization": reply.headers["Authorization"]}


def create_kb(web: TestClient, headers: dict[str, str], name: str = "kb1") -> str:
    """createKnowledgebase: the new id."""
    reply = web.post("/v1/kb/create", headers=headers, json={"name": name}).json()
    assert reply["code"] == 0, reply
    kb_id: str = reply["data"]["kb_id"]
    return kb_id


def upload(web: TestClient, headers: dict[str, str], kb_id: str, name: str, text: str) -> dict[str, Any]:
    """uploadWebDocuments with one file: the document row."""
    files = {"file": (name, text.encode("utf-8"), "text/plain")}
    reply = web.post("/v1/document/upload", headers=headers, data={"kb_id": kb_id}, files=files).json()
    assert reply["code"] == 0, reply
    row: dict[str, Any] = reply["data"][0]
    return row


def parsed_document(web: TestClient, headers: dict[str, str], kb_id: str, name: str, text: str) -> dict[str, Any]:
    """Upload, run, poll the list until DONE: the document row."""
    doc = upload(web, headers, kb_id, name, text)
    assert web.post("/v1/document/run", headers=headers, json={"doc_ids": [doc["id"]], "run": 1}).json()["code"] == 0
    for _ in range(20):
        docs = web.post(f"/v1/document/list?kb_id={kb_id}", headers=headers, json={}).json()["data"]["docs"]
        row: dict[str, Any] = next(d for d in docs if d["id"] == doc["id"])
        if row["run"] == "3":
            return row
    raise AssertionError("document never finished parsing")


TEXT = (
    "The Thames is the longest river entirely in England. It flows through London and reaches the North Sea.\n\n"
    "The Severn is the longest river in Great Britain. It rises in Wales and flows into the Bristol Channel."
)
