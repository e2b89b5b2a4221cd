"""Tests of kb_handlers: /v1/tenant/list, /v1/user/setting and /v1/kb/* (code, message, shape)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.families.webui.webkit import (
    KB_OWNER_ONLY,
    NO_AUTHORIZATION,
    UNAUTHORIZED,
    create_kb,
    register_and_login,
    ui_password,
    upload,
)

ROUTES = [
    ("GET", "/v1/tenant/list"),
    ("POST", "/v1/user/setting"),
    ("POST", "/v1/kb/create"),
    ("POST", "/v1/kb/update"),
    ("GET", "/v1/kb/detail?kb_id=x"),
    ("POST", "/v1/kb/list"),
    ("POST", "/v1/kb/rm"),
    ("GET", "/v1/kb/x/knowledge_graph"),
    ("POST", "/v1/document/list?kb_id=x"),
    ("POST", "/v1/document/upload"),
    ("POST", "/v1/chunk/list"),
    ("POST", "/v1/dialog/set"),
    ("GET", "/v1/dialog/list"),
    ("POST", "/v1/conversation/completion"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_login_token_is_checked_before_the_body(web: TestClient, method: str, path: str) -> None:
    """Every route of the slice: no token or a `Bearer` one → the 401 body, whatever the body."""
    assert web.request(method, path, content=b"garbage").json() == UNAUTHORIZED
    assert web.request(method, path, headers={"Authorization": "Bearer x"}, json={}).json() == UNAUTHORIZED


def test_tenant_list_is_the_callers_own_tenant(web: TestClient, ui: dict[str, str]) -> None:
    """listTenants: one item, the caller's tenant as owner, with the owner's profile and `delta_seconds`."""
    info = web.get("/v1/user/info", headers=ui).json()["data"]
    reply = web.get("/v1/tenant/list", headers=ui).json()
    assert (reply["code"], reply["message"]) == (0, "success")
    (item,) = reply["data"]
    assert item == {
        "avatar": None,
        "delta_seconds": item["delta_seconds"],
        "email": "ui@example.com",
        "nickname": "ui",
        "role": "owner",
        "tenant_id": info["id"],
        "update_date": info["update_date"],
    }
    assert isinstance(item["delta_seconds"], float)


def test_user_setting_copies_profile_fields_and_checks_the_password(web: TestClient, ui: dict[str, str]) -> None:
    """setUserSetting: profile keys copied, protected ones ignored, the current password needed for a new one."""
    reply = web.post("/v1/user/setting", headers=ui, json={"nickname": "neo", "email": "x@y.zz", "language": "Chinese"})
    assert reply.json() == {"code": 0, "data": True, "message": "success"}
    info = web.get("/v1/user/info", headers=ui).json()["data"]
    assert (info["nickname"], info["email"], info["language"]) == ("neo", "ui@example.com", "Chinese")
    wrong = {"password": ui_password("nope"), "new_password": ui_password("fresh")}
    assert web.post("/v1/user/setting", headers=ui, json=wrong).json() == {
        "code": 109,
        "data": False,
        "message": "Password error!",
    }
    right = {"password": ui_password("secret"), "new_password": ui_password("fresh")}
    assert web.post("/v1/user/setting", headers=ui, json=right).json()["data"] is True
    login = web.post("/v1/user/login", json={"email": "ui@example.com", "password": ui_password("fresh")})
    assert login.json()["code"] == 0
    unknown = web.post("/v1/user/setting", headers={"Authorization": login.headers["Authorization"]}, json={"x": 1})
    assert unknown.json() == {"code": 100, "data": False, "message": "Update failure!"}


def test_kb_create_validates_the_name_and_deduplicates(web: TestClient, ui: dict[str, str]) -> None:
    """createKnowledgebase: MISSING, type, empty, length; a taken name gets `(1)`; the tenant's embedding model."""
    post = lambda body: web.post("/v1/kb/create", headers=ui, json=body).json()  # noqa: E731
    assert post({}) == {"code": 101, "data": None, "message": "required argument are missing: name; "}
    assert post({"name": 5}) == {"code": 102, "data": False, "message": "Dataset name must be string."}
    assert post({"name": ""}) == {"code": 102, "data": False, "message": "Dataset name can't be empty."}
    assert post({"name": "n" * 128}) == {
        "code": 102,
        "data": False,
        "message": "Dataset name length is 128 which is large than 128",
    }
    first, second = create_kb(web, ui, " books "), create_kb(web, ui, "books")
    assert len(first) == 32 and first != second
    names = [k["name"] for k in web.post("/v1/kb/list", headers=ui, json={}).json()["data"]["kbs"]]
    assert sorted(names) == ["books", "books(1)"]
    detail = web.get(f"/v1/kb/detail?kb_id={first}", headers=ui).json()["data"]
    assert (detail["embd_id"], detail["parser_id"], detail["permission"]) == (
        "BAAI/bge-large-zh-v1.5@BAAI",
        "naive",
        "me",
    )


def test_kb_detail_and_knowledge_graph(web: TestClient, ui: dict[str, str]) -> None:
    """getKnowledgebaseDetail: the row with `size`; unknown → owner-only; getKnowledgeGraph: both maps empty."""
    kb_id = create_kb(web, ui)
    upload(web, ui, kb_id, "a.txt", "hello world")
    reply = web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=ui).json()
    assert (reply["code"], reply["message"]) == (0, "success")
    data = reply["data"]
    assert (data["id"], data["name"], data["doc_num"], data["size"], data["status"]) == (kb_id, "kb1", 1, 11, "1")
    assert {"parser_config", "embd_id", "language", "avatar", "chunk_num", "create_time", "update_date"} <= set(data)
    assert web.get("/v1/kb/detail?kb_id=nope", headers=ui).json() == KB_OWNER_ONLY
    assert web.get("/v1/kb/detail", headers=ui).json() == {
        "code": 100,
        "data": None,
        "message": "<BadRequestKeyError '400: Bad Request'>",
    }
    graph = web.get(f"/v1/kb/{kb_id}/knowledge_graph", headers=ui).json()
    assert graph == {"code": 0, "data": {"graph": {}, "mind_map": {}}, "message": "success"}
    assert web.get("/v1/kb/nope/knowledge_graph", headers=ui).json() == NO_AUTHORIZATION


def test_login_channels_need_no_token(web: TestClient) -> None:
    """listLoginChannels: no OAuth channel configured, no authentication."""
    assert web.get("/v1/user/login/channels").json() == {"code": 0, "data": [], "message": "success"}


def test_kb_update_writes_columns_and_refuses_duplicates(web: TestClient, ui: dict[str, str]) -> None:
    """updateKnowledgebase: MISSING in order, No authorization., duplicate name, unknown column, the row back."""
    kb_id, other = create_kb(web, ui, "one"), create_kb(web, ui, "two")
    post = lambda body: web.post("/v1/kb/update", headers=ui, json=body).json()  # noqa: E731
    assert post({"name": "x"})["message"] == "required argument are missing: kb_id,description,parser_id; "
    base = {"kb_id": kb_id, "name": "one", "description": "d", "parser_id": "naive"}
    assert post({**base, "kb_id": "nope"}) == NO_AUTHORIZATION
    assert post({**base, "name": "TWO"}) == {"code": 102, "data": False, "message": "Duplicated knowledgebase name."}
    assert post({**base, "role": 1})["message"].startswith('ValueError(\'Unrecognized field name: "role"')
    reply = post({**base, "name": "uno", "language": "Chinese", "parser_config": {"chunk_token_num": 256}})
    assert (reply["code"], reply["message"]) == (0, "success")
    assert (reply["data"]["name"], reply["data"]["language"], reply["data"]["id"]) == ("uno", "Chinese", kb_id)
    assert reply["data"]["parser_config"] == {"chunk_token_num": 256}
    assert other != kb_id


def test_kb_list_pages_filters_and_needs_a_json_body(web: TestClient, ui: dict[str, str]) -> None:
    """listKnowledgebases: newest first, `keywords`, `page`/`page_size`, `owner_ids`; the body is mandatory."""
    for name in ("alpha", "beta", "gamma"):
        create_kb(web, ui, name)
    reply = web.post("/v1/kb/list?page=1&page_size=2", headers=ui, json={}).json()
    assert (reply["code"], reply["data"]["total"]) == (0, 3)
    assert [k["name"] for k in reply["data"]["kbs"]] == ["gamma", "beta"]
    assert set(reply["data"]["kbs"][0]) == {
        "avatar", "chunk_num", "description", "doc_num", "embd_id", "id", "language", "name",
        "nickname", "parser_id", "permission", "tenant_avatar", "tenant_id", "token_num", "update_time",
    }  # fmt: skip
    assert reply["data"]["kbs"][0]["nickname"] == "ui"
    found = web.post("/v1/kb/list?keywords=ET", headers=ui, json={}).json()["data"]
    assert [k["name"] for k in found["kbs"]] == ["beta"]
    tenant = reply["data"]["kbs"][0]["tenant_id"]
    owned = web.post("/v1/kb/list?page=1&page_size=1", headers=ui, json={"owner_ids": [tenant]}).json()["data"]
    assert owned["total"] == 1
    assert web.post("/v1/kb/list", headers=ui, content=b"").json() == {
        "code": 100,
        "data": None,
        "message": "<UnsupportedMediaType '415: Unsupported Media Type'>",
    }


def test_kb_rm_cascades_and_is_visible_to_the_sdk_api(web: TestClient, ui: dict[str, str]) -> None:
    """removeKnowledgebase: gone from both APIs; a knowledge base made in the UI is an SDK dataset."""
    kb_id = create_kb(web, ui, "shared")
    key = web.post("/v1/system/new_token", headers=ui).json()["data"]["token"]
    sdk = {"Authorization": f"Bearer {key}"}
    listed = web.get("/api/v1/datasets", headers=sdk).json()["data"]
    assert [(d["id"], d["name"]) for d in listed] == [(kb_id, "shared")]
    made = web.post("/api/v1/datasets", headers=sdk, json={"name": "from-sdk"}).json()["data"]["id"]
    assert made in [k["id"] for k in web.post("/v1/kb/list", headers=ui, json={}).json()["data"]["kbs"]]
    assert web.post("/v1/kb/rm", headers=ui, json={}).json()["code"] == 101
    assert web.post("/v1/kb/rm", headers=ui, json={"kb_id": "nope"}).json() == NO_AUTHORIZATION
    assert web.post("/v1/kb/rm", headers=ui, json={"kb_id": kb_id}).json() == {
        "code": 0,
        "data": True,
        "message": "success",
    }
    assert [d["id"] for d in web.get("/api/v1/datasets", headers=sdk).json()["data"]] == [made]


def test_another_users_knowledge_base_is_out_of_reach(web: TestClient, ui: dict[str, str]) -> None:
    """Two web users: each sees only its own knowledge bases."""
    kb_id = create_kb(web, ui)
    other = register_and_login(web, "other@example.com")
    assert web.get(f"/v1/kb/detail?kb_id={kb_id}", headers=other).json() == KB_OWNER_ONLY
    assert web.post("/v1/kb/list", headers=other, json={}).json()["data"] == {"kbs": [], "total": 0}


def test_registered_tenant_has_usable_default_models(web: TestClient, ui: dict[str, str]) -> None:
    """configure_new_tenants: a chat model (its provider keyed) and the built-in embedding model."""
    info = web.get("/v1/user/tenant_info", headers=ui).json()["data"]
    assert (info["llm_id"], info["embd_id"]) == ("qwen-plus@Tongyi-Qianwen", "BAAI/bge-large-zh-v1.5@BAAI")
    assert "Tongyi-Qianwen" in web.get("/v1/llm/my_llms", headers=ui).json()["data"]
