"""The demo world as the web UI meets it: a web login owning the demo data, usable models, printed by `serve`."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.control.worlds import WorldError, parse_world
from mockserver.serve_command import web_ui_lines
from tests.families.webui.webkit import ui_password, web_app, web_settings


def test_demo_web_user_owns_the_demo_data() -> None:
    """World.web_user: the demo login sees the demo datasets, chats and agent; its tenant has default models."""
    with TestClient(web_app(world="demo")) as web:
        login = web.post("/v1/user/login", json={"email": "demo@ragflow.io", "password": ui_password("demo")})
        assert login.json()["code"] == 0
        ui = {"Authorization": login.headers["Authorization"]}
        names = {k["name"] for k in web.post("/v1/kb/list", headers=ui, json={}).json()["data"]["kbs"]}
        assert names == {"Classic Literature", "Science Primers", "Tea Company Handbook"}
        dialogs = {d["name"] for d in web.get("/v1/dialog/list", headers=ui).json()["data"]}
        assert dialogs == {"Literature Guide", "Science Tutor", "Support Bot"}
        info = web.get("/v1/user/tenant_info", headers=ui).json()["data"]
        assert (info["llm_id"], info["embd_id"]) == ("qwen-plus@Tongyi-Qianwen", "BAAI/bge-large-zh-v1.5@BAAI")
        key = web.post("/v1/system/new_token", headers=ui).json()["data"]["token"]
        agents = web.get("/api/v1/agents", headers={"Authorization": f"Bearer {key}"}).json()["data"]
        assert len(agents) == 1
        sdk = web.get("/api/v1/datasets", headers={"Authorization": "Bearer ragflow-mock-key"}).json()["data"]
        assert {d["name"] for d in sdk} == names, "the SDK key reaches the same tenant"


def test_serve_prints_the_web_login() -> None:
    """web_ui_lines: the demo world's email and password, and the built UI's address when served."""
    lines = web_ui_lines(web_settings(world="demo", webui_dist="/srv/dist"), "http://127.0.0.1:9380")
    assert lines == [
        "  web login    : demo@ragflow.io / demo   (RAGFlow's web UI, /v1/user/login)",
        "  web UI       : http://127.0.0.1:9380/   (built UI from /srv/dist)",
    ]


def test_web_user_email_must_be_one_the_server_accepts() -> None:
    """World.web_user: the registration email rule applies."""
    with pytest.raises(WorldError, match=r"w\.yaml: web_user\.email"):
        parse_world({"web_user": {"email": "nobody", "password": "x"}}, "w.yaml")
