"""The `/v1/user/*` routes (`handlers`): register, login, logout, user and tenant info, and provisioning end to end."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from tests.families.accounts.test_crypto import _encrypt, rsa_key_pair
from tests.families.accounts.webkit import OTHER_PASSWORD, PASSWORD, UNAUTHORIZED, auth, login, register


# -- register ---------------------------------------------------------------------------------------
def test_register_user(web: TestClient) -> None:
    """registerUser: the user object, the welcome message and the login headers."""
    reply = register(web)
    body = reply.json()
    assert body["code"] == 0
    assert body["message"] == "user, welcome aboard!"
    user = body["data"]
    assert len(user) == 20
    assert user["email"] == "user@example.com"
    assert user["password"].startswith("scrypt:32768:8:1$")
    assert user["timezone"] == "UTC+8\tAsia/Shanghai"
    assert reply.headers["Authorization"].startswith("I")
    assert len(reply.headers["Authorization"]) == 81
    assert reply.headers["Access-Control-Allow-Method"] == "*"
    assert reply.headers["Access-Control-Expose-Headers"] == "Authorization"
    # register's token is live until the first login
    assert web.get("/v1/user/info", headers=auth(reply.headers["Authorization"])).json()["data"]["id"] == user["id"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "required argument are missing: nickname,email,password; "),
        ({"nickname": "a"}, "required argument are missing: email,password; "),
        ({"email": None, "password": None, "x": 1}, "required argument are missing: nickname; "),
    ],
)
def test_register_user_missing_arguments(web: TestClient, body: dict[str, Any], message: str) -> None:
    """registerUser: missing arguments are a 101."""
    assert web.post("/v1/user/register", json=body).json() == {"code": 101, "data": None, "message": message}


def test_register_user_form_passes_the_guard_then_crashes(web: TestClient) -> None:
    """registerUser: a form body passes the argument guard, then crashes like the server."""
    reply = web.post("/v1/user/register", data={"nickname": "a", "email": "a@b.cd", "password": PASSWORD})
    assert reply.json() == {
        "code": 100,
        "data": None,
        "message": "TypeError(\"'NoneType' object is not subscriptable\")",
    }


@pytest.mark.parametrize("email", ["a+b@example.com", "a@b.c", "a@localhost", "a b@example.com", "@example.com"])
def test_register_user_invalid_email(web: TestClient, email: str) -> None:
    """registerUser: an invalid email is a 103."""
    assert register(web, email=email).json() == {
        "code": 103,
        "data": False,
        "message": f"Invalid email address: {email}!",
    }


def test_register_user_accepts_unicode_word_chars_and_one_trailing_newline(web: TestClient) -> None:
    """registerUser: the email pattern's Unicode word characters and trailing newline."""
    assert register(web, email="jürgen@example.com").json()["code"] == 0
    assert register(web, email="nl@example.com\n").json()["code"] == 0


def test_register_user_non_string_email(web: TestClient) -> None:
    """registerUser: a non-string email crashes in `re.match` (CPython 3.10's words)."""
    body = web.post("/v1/user/register", json={"nickname": "a", "email": 5, "password": PASSWORD}).json()
    assert body == {"code": 100, "data": None, "message": "TypeError('expected string or bytes-like object')"}


def test_register_user_duplicate_email_is_case_insensitive(web: TestClient) -> None:
    """registerUser: a registered email (any case) is a 103."""
    register(web)
    assert register(web, email="USER@Example.com").json() == {
        "code": 103,
        "data": False,
        "message": "Email: USER@Example.com has already registered!",
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("123", "Error('Incorrect padding')"),
        (
            "admin",
            "Error('Invalid base64-encoded string: number of data characters (5) cannot be 1 more than a multiple of 4')",
        ),
        ("MTIz", "ValueError('Ciphertext with incorrect length (not 256 bytes)')"),
        ("", "ValueError('Ciphertext with incorrect length (not 256 bytes)')"),
        (None, "TypeError(\"argument should be a bytes-like object or ASCII string, not 'NoneType'\")"),
    ],
)
def test_register_user_undecryptable_password(web: TestClient, password: Any, message: str) -> None:
    """registerUser: an undecryptable password is the server's code-100 crash."""
    assert register(web, password=password).json() == {"code": 100, "data": None, "message": message}
    assert register(web).json()["code"] == 0  # nothing was created


@pytest.mark.parametrize(
    ("nickname", "error"),
    [
        (5, "unsupported operand type(s) for +: 'int' and 'str'"),
        (None, "unsupported operand type(s) for +: 'NoneType' and 'str'"),
        ([], 'can only concatenate list (not "str") to list'),
        ("n" * 101, "(1406, \"Data too long for column 'nickname' at row 1\")"),
        ("n" * 95, "(1406, \"Data too long for column 'name' at row 1\")"),
    ],
)
def test_register_user_creation_failure(web: TestClient, nickname: Any, error: str) -> None:
    """registerUser: nickname concatenation and column widths fail like the server."""
    assert register(web, nickname=nickname).json() == {
        "code": 100,
        "data": False,
        "message": f"User registration failure, error: {error}",
    }


def test_register_user_disabled() -> None:
    """registerUser, getSystemConfig: `Settings.register_enabled=False` refuses registration."""
    app = create_app(Settings.for_tests(register_enabled=False))
    with TestClient(app) as web:
        assert register(web).json() == {"code": 103, "data": False, "message": "User registration is disabled!"}
        assert web.get("/v1/system/config").json() == {
            "code": 0,
            "data": {"registerEnabled": 0},
            "message": "success",
        }


# -- login / logout / info --------------------------------------------------------------------------
def test_login_user_rotates_the_only_login_token(web: TestClient) -> None:
    """loginUser: a login rotates the access token; older login tokens die."""
    first = register(web).headers["Authorization"]
    reply = web.post("/v1/user/login", json={"email": "USER@example.com", "password": PASSWORD})
    body = reply.json()
    assert body["code"] == 0
    assert body["message"] == "Welcome back!"
    assert isinstance(body["data"]["update_time"], list)
    assert isinstance(body["data"]["update_date"], list)
    second = reply.headers["Authorization"]
    assert web.get("/v1/user/info", headers=auth(first)).json() == UNAUTHORIZED
    info = web.get("/v1/user/info", headers=auth(second)).json()["data"]
    assert info["access_token"] == body["data"]["access_token"]
    assert isinstance(info["update_time"], int)
    assert login(web) != second
    assert web.get("/v1/user/info", headers=auth(second)).json() == UNAUTHORIZED


def test_login_user_with_get(web: TestClient) -> None:
    """loginUserGet: the GET form of login."""
    register(web)
    reply = web.request("GET", "/v1/user/login", json={"email": "user@example.com", "password": PASSWORD})
    assert reply.json()["code"] == 0
    assert reply.headers["Authorization"].startswith("I")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, {"code": 109, "data": False, "message": "Unauthorized!"}),
        ({}, {"code": 109, "data": False, "message": "Unauthorized!"}),
        ({"password": PASSWORD}, {"code": 109, "data": False, "message": "Email:  is not registered!"}),
        ({"email": None}, {"code": 109, "data": False, "message": "Email: None is not registered!"}),
        (
            {"email": "nobody@example.com"},
            {"code": 109, "data": False, "message": "Email: nobody@example.com is not registered!"},
        ),
        ({"email": "user@example.com"}, {"code": 500, "data": False, "message": "Fail to crypt password"}),
        (
            {"email": "user@example.com", "password": "MTIz"},
            {"code": 500, "data": False, "message": "Fail to crypt password"},
        ),
        (
            {"email": "user@example.com", "password": OTHER_PASSWORD},
            {"code": 109, "data": False, "message": "Email and password do not match!"},
        ),
    ],
)
def test_login_user_failures(web: TestClient, body: Any, expected: dict[str, Any]) -> None:
    """loginUser: the refusals (no body, unknown email, bad password)."""
    register(web)
    reply = web.post("/v1/user/login", json=body) if body is not None else web.post("/v1/user/login")
    assert reply.json() == expected
    assert "Authorization" not in reply.headers


def test_logout_user_kills_login_token_but_not_api_keys(web: TestClient, token: str) -> None:
    """logoutUser: the login token dies, API keys keep working."""
    key = web.post("/v1/system/new_token", headers=auth(token)).json()["data"]["token"]
    assert web.get("/v1/user/logout", headers=auth(token)).json() == {"code": 0, "data": True, "message": "success"}
    assert web.get("/v1/user/info", headers=auth(token)).json() == UNAUTHORIZED
    assert web.get("/api/v1/datasets", headers={"Authorization": f"Bearer {key}"}).json() == {"code": 0, "data": []}


def test_get_user_info(web: TestClient, token: str) -> None:
    """getUserInfo: the 20-column user object."""
    body = web.get("/v1/user/info", headers=auth(token)).json()
    assert body["code"] == 0
    assert body["message"] == "success"
    assert sorted(body["data"]) == sorted(
        [
            "access_token",
            "avatar",
            "color_schema",
            "create_date",
            "create_time",
            "email",
            "id",
            "is_active",
            "is_anonymous",
            "is_authenticated",
            "is_superuser",
            "language",
            "last_login_time",
            "login_channel",
            "nickname",
            "password",
            "status",
            "timezone",
            "update_date",
            "update_time",
        ]
    )


@pytest.mark.parametrize(
    "path", ["/v1/user/info", "/v1/user/logout", "/v1/user/tenant_info", "/v1/llm/my_llms", "/v1/system/token_list"]
)
@pytest.mark.parametrize("header", [None, "Bearer {token}", "ragflow-test-key", "Bearer ragflow-test-key", "{token}x"])
def test_login_token_failures(web: TestClient, token: str, path: str, header: str | None) -> None:
    """getUserInfo and other login-token routes: bad login tokens are the 401 repr."""
    headers = {} if header is None else {"Authorization": header.format(token=token)}
    assert web.get(path, headers=headers).json() == UNAUTHORIZED


def test_login_token_on_api_v1_fails(web: TestClient, token: str) -> None:
    """Login tokens are not API keys on `/api/v1`."""
    assert web.get("/api/v1/datasets", headers={"Authorization": token}).json() == {
        "code": 0,
        "data": False,
        "message": "Please check your authorization format.",
    }
    assert web.get("/api/v1/datasets", headers={"Authorization": f"Bearer {token}"}).json() == {
        "code": 109,
        "data": False,
        "message": "Authentication error: API key is invalid!",
    }


def test_login_token_checked_before_body(web: TestClient) -> None:
    """setTenantInfo: the login token is checked before the body."""
    assert web.post("/v1/user/set_tenant_info", json={}).json() == UNAUTHORIZED


# -- tenant ------------------------------------------------------------------------------------------
def test_get_tenant_info(web: TestClient, token: str) -> None:
    """getTenantInfo: the 10-key tenant object."""
    body = web.get("/v1/user/tenant_info", headers=auth(token)).json()
    user_id = web.get("/v1/user/info", headers=auth(token)).json()["data"]["id"]
    assert body["data"] == {
        "asr_id": "",
        "embd_id": "BAAI/bge-large-zh-v1.5@BAAI",
        "img2txt_id": "",
        "llm_id": "",
        "name": "user\u2018s Kingdom",
        "parser_ids": "naive:General,qa:Q&A,resume:Resume,manual:Manual,table:Table,paper:Paper,book:Book,"
        "laws:Laws,presentation:Presentation,picture:Picture,one:One,audio:Audio,email:Email,tag:Tag",
        "rerank_id": "",
        "role": "owner",
        "tenant_id": user_id,
        "tts_id": None,
    }


def _tenant_body(tenant_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "llm_id": "glm-4-flash@ZHIPU-AI",
        "embd_id": "BAAI/bge-large-zh-v1.5@BAAI",
        "img2txt_id": "glm-4v@ZHIPU-AI",
        "asr_id": "",
        "tts_id": None,
        **extra,
    }


def test_set_tenant_info(web: TestClient, token: str) -> None:
    """setTenantInfo: the columns are written."""
    tenant_id = web.get("/v1/user/tenant_info", headers=auth(token)).json()["data"]["tenant_id"]
    reply = web.post("/v1/user/set_tenant_info", headers=auth(token), json=_tenant_body(tenant_id, rerank_id=5))
    assert reply.json() == {"code": 0, "data": True, "message": "success"}
    info = web.get("/v1/user/tenant_info", headers=auth(token)).json()["data"]
    assert info["llm_id"] == "glm-4-flash@ZHIPU-AI"
    assert info["img2txt_id"] == "glm-4v@ZHIPU-AI"
    assert info["rerank_id"] == "5"
    assert info["tts_id"] is None


def test_set_tenant_info_missing_arguments(web: TestClient, token: str) -> None:
    """setTenantInfo: missing arguments are a 101."""
    assert web.post("/v1/user/set_tenant_info", headers=auth(token), json={"llm_id": "x"}).json() == {
        "code": 101,
        "data": None,
        "message": "required argument are missing: tenant_id,asr_id,embd_id,img2txt_id; ",
    }


def test_set_tenant_info_unknown_column(web: TestClient, token: str) -> None:
    """setTenantInfo: an unknown column is peewee's ValueError."""
    tenant_id = web.get("/v1/user/tenant_info", headers=auth(token)).json()["data"]["tenant_id"]
    body = {
        "tenant_id": tenant_id,
        "llm_id": "glm-4-flash@ZHIPU-AI",
        "role": "owner",
        "asr_id": "",
        "embd_id": "",
        "img2txt_id": "",
    }
    reply = web.post("/v1/user/set_tenant_info", headers=auth(token), json=body).json()
    assert reply["code"] == 100
    assert reply["data"] is None
    assert reply["message"].startswith(
        "ValueError('Unrecognized field name: \"role\" in {\\'llm_id\\': \\'glm-4-flash@ZHIPU-AI\\', \\'role\\': "
        "\\'owner\\', \\'asr_id\\': \\'\\', \\'embd_id\\': \\'\\', \\'img2txt_id\\': \\'\\', \\'update_time\\': "
    )
    assert reply["message"].endswith(
        ", 'update_date': datetime.datetime(2025, 5, 9, 19, 17, 8)}.')".replace("'", "\\'")[:-3] + "')"
    )


def test_set_tenant_info_null_in_not_null_column(web: TestClient, token: str) -> None:
    """setTenantInfo: null in a NOT NULL column is MySQL's 1048."""
    tenant_id = web.get("/v1/user/tenant_info", headers=auth(token)).json()["data"]["tenant_id"]
    reply = web.post("/v1/user/set_tenant_info", headers=auth(token), json=_tenant_body(tenant_id, llm_id=None))
    assert reply.json() == {"code": 100, "data": "Column 'llm_id' cannot be null", "message": "1048"}
    assert web.get("/v1/user/tenant_info", headers=auth(token)).json()["data"]["llm_id"] == ""


def test_set_tenant_info_unknown_or_foreign_tenant_changes_nothing(web: TestClient, token: str) -> None:
    """setTenantInfo: an unknown or (under isolation) foreign tenant id changes nothing."""
    register(web, email="other@example.com", nickname="other")
    other = login(web, email="other@example.com")
    other_id = web.get("/v1/user/tenant_info", headers=auth(other)).json()["data"]["tenant_id"]
    for tenant_id in (other_id, "0" * 32):
        reply = web.post("/v1/user/set_tenant_info", headers=auth(token), json=_tenant_body(tenant_id))
        assert reply.json() == {"code": 0, "data": True, "message": "success"}
    assert web.get("/v1/user/tenant_info", headers=auth(other)).json()["data"]["llm_id"] == ""


# -- provisioning end to end and isolation ---------------------------------------------------------
def provision(web: TestClient, email: str) -> tuple[str, str]:
    """Reference §5 from an empty emulator; returns (login token B, API key)."""
    first = register(web, email=email, nickname=email.split("@")[0]).json()
    assert first["code"] == 0
    again = register(web, email=email).json()
    assert again == {"code": 103, "data": False, "message": f"Email: {email} has already registered!"}
    token_a = login(web, email=email)
    assert "ZHIPU-AI" not in web.get("/v1/llm/my_llms", headers=auth(token_a)).json()["data"]
    body = {"llm_factory": "ZHIPU-AI", "api_key": "0123456789abcdef.secret"}
    assert web.post("/v1/llm/set_api_key", headers=auth(token_a), json=body).json()["code"] == 0
    tenant_id = web.get("/v1/user/tenant_info", headers=auth(token_a)).json()["data"]["tenant_id"]
    assert web.post("/v1/user/set_tenant_info", headers=auth(token_a), json=_tenant_body(tenant_id)).json()["code"] == 0
    token_b = login(web, email=email)
    assert web.get("/v1/user/info", headers=auth(token_a)).json() == UNAUTHORIZED
    key = web.post("/v1/system/new_token", headers=auth(token_b)).json()["data"]["token"]
    return token_b, key


def test_provisioning_sequence_from_an_empty_emulator() -> None:
    """registerUser, loginUser, setLlmApiKey, setTenantInfo, createSystemToken: reference §5 end to end."""
    app = create_app(Settings.for_tests(api_keys=()))
    with TestClient(app) as web:
        token_b, key = provision(web, "bot@example.com")
        info = web.get("/v1/user/tenant_info", headers=auth(token_b)).json()["data"]
        assert (
            info["llm_id"],
            info["embd_id"],
            info["img2txt_id"],
            info["asr_id"],
            info["tts_id"],
            info["rerank_id"],
        ) == (
            "glm-4-flash@ZHIPU-AI",
            "BAAI/bge-large-zh-v1.5@BAAI",
            "glm-4v@ZHIPU-AI",
            "",
            None,
            "",
        )
        api = {"Authorization": f"Bearer {key}"}
        created = web.post("/api/v1/datasets", headers=api, json={"name": "kb"}).json()
        assert created["data"]["embedding_model"] == "BAAI/bge-large-zh-v1.5@BAAI"
        chat = web.post("/api/v1/chats", headers=api, json={"name": "bot", "dataset_ids": []}).json()
        assert chat["data"]["llm"]["model_name"] == "glm-4-flash@ZHIPU-AI"
        other = {"name": "bot2", "dataset_ids": [], "llm": {"model_name": "gpt-4o@OpenAI"}}
        assert web.post("/api/v1/chats", headers=api, json=other).json() == {
            "code": 102,
            "message": "`model_name` gpt-4o@OpenAI doesn't exist",
        }


def test_two_accounts_are_isolated() -> None:
    """registerUser, createSystemToken: two accounts see only their own data."""
    app = create_app(Settings.for_tests(api_keys=()))
    with TestClient(app) as web:
        token_one, key_one = provision(web, "one@example.com")
        token_two, key_two = provision(web, "two@example.com")
        web.post("/api/v1/datasets", headers={"Authorization": f"Bearer {key_one}"}, json={"name": "private"})
        assert web.get("/api/v1/datasets", headers={"Authorization": f"Bearer {key_two}"}).json() == {
            "code": 0,
            "data": [],
        }
        assert [r["token"] for r in web.get("/v1/system/token_list", headers=auth(token_two)).json()["data"]] == [
            key_two
        ]
        web.delete(f"/v1/system/token/{key_one}", headers=auth(token_two))
        assert web.get("/api/v1/datasets", headers={"Authorization": f"Bearer {key_one}"}).json()["code"] == 0
        assert web.get("/v1/user/info", headers=auth(token_one)).json()["data"]["email"] == "one@example.com"


def test_two_apps_are_independent() -> None:
    """registerUser: two apps in one process share no users."""
    with TestClient(create_app(Settings.for_tests())) as first, TestClient(create_app(Settings.for_tests())) as second:
        register(first)
        assert register(second).json()["code"] == 0
        assert (
            second.post("/v1/user/login", json={"email": "x@example.com", "password": PASSWORD}).json()["code"] == 109
        )


def test_configured_key_pair_decrypts_what_the_web_client_sends(tmp_path: Path) -> None:
    """registerUser, loginUser: with `Settings.rsa_private_key` every fresh encryption of a password matches."""
    pem, n, e = rsa_key_pair()
    key_file = tmp_path / "private.pem"
    key_file.write_text(pem)
    app = create_app(Settings.for_tests(rsa_private_key=str(key_file)))
    rng = random.Random(3)
    with TestClient(app) as web:
        assert register(web, password=_encrypt(b"MTIz", n, e, rng)).json()["code"] == 0
        assert login(web, password=_encrypt(b"MTIz", n, e, rng)).startswith("I")
        wrong = web.post("/v1/user/login", json={"email": "user@example.com", "password": _encrypt(b"MTI0", n, e, rng)})
        assert wrong.json() == {"code": 109, "data": False, "message": "Email and password do not match!"}
