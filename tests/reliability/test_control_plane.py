"""The control plane is safe by default (issue 16 item 11): loopback peers, same-origin, expected `Host` only."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.app import emulator_state
from mockserver.http.guard import host_allowed, is_loopback
from mockserver.server import ThreadedServer

KEY = "ragflow-k"


def _client(settings: Settings, **kwargs: object) -> TestClient:
    return TestClient(create_app(settings), headers={"Authorization": f"Bearer {KEY}"}, **kwargs)  # type: ignore[arg-type]


def serve_settings(**overrides: object) -> Settings:
    """What `serve` builds: the Host list holds only what --allowed-host adds; bound to 127.0.0.1."""
    values: dict[str, object] = {"api_keys": (KEY,), "allowed_hosts": (), "bind_host": "127.0.0.1", **overrides}
    return Settings.for_tests(**values)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:9380", True),
        ("localhost:9380", True),
        ("LOCALHOST", True),
        ("app.localhost:1", True),
        ("[::1]:9380", True),
        ("10.1.2.3:9380", True),  # an IP literal cannot be rebound
        ("evil.example:9380", False),
        ("evil.example", False),
        ("localhost.evil.example", False),
        ("", False),
    ],
)
def test_host_names_a_rebinding_page_cannot_produce(host: str, allowed: bool) -> None:
    assert host_allowed(host, ()) is allowed


def test_extra_hosts_and_the_wildcard() -> None:
    assert host_allowed("mock.internal:9380", ("mock.internal",))
    assert host_allowed("anything:1", ("*",))


def test_loopback_addresses() -> None:
    assert all(is_loopback(a) for a in ("127.0.0.1", "127.8.0.1", "::1", "localhost", "[::1]"))
    assert not any(is_loopback(a) for a in ("0.0.0.0", "::", "192.168.1.2", None))


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/_emulator/keys"), ("GET", "/_emulator/snapshot"), ("POST", "/_emulator/reset")]
)
def test_a_rebound_host_cannot_reach_the_control_plane(method: str, path: str) -> None:
    """DNS rebinding: the page is same-origin with `evil.example`, which now resolves to 127.0.0.1."""
    with _client(serve_settings()) as client:
        before = client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380"}).json()
        response = client.request(
            method, path, headers={"Host": "evil.example:9380", "Origin": "http://evil.example:9380"}
        )
        assert response.status_code == 403
        assert response.json() == {
            "code": 403,
            "message": "Host 'evil.example:9380' is not allowed (DNS rebinding guard); allow it with --allowed-host",
        }
        assert "access-control-allow-origin" not in response.headers
        assert client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380"}).json() == before


def test_a_cross_origin_text_plain_post_cannot_reset() -> None:
    """Plain CSRF: a form or `fetch(..., {mode: "no-cors"})` POST from another site carries its Origin."""
    with _client(serve_settings()) as client:
        app = client.app
        state = emulator_state(app)  # type: ignore[arg-type]
        tenants = set(state.backends.tenants)
        response = client.post(
            "/_emulator/reset",
            content="{}",
            headers={"Host": "127.0.0.1:9380", "Origin": "https://evil.example", "Content-Type": "text/plain"},
        )
        assert response.status_code == 403
        assert response.json()["message"].startswith("cross-origin request from 'https://evil.example' refused")
        assert set(state.backends.tenants) == tenants
        preflight = client.options(
            "/_emulator/keys",
            headers={
                "Host": "127.0.0.1:9380",
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "GET",
            },
        )
        assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers


def test_sec_fetch_site_without_origin_is_refused() -> None:
    with _client(serve_settings()) as client:
        response = client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380", "Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403


def test_same_origin_and_configured_origins_pass() -> None:
    with _client(serve_settings(admin_origins=("http://localhost:5173",))) as client:
        same = client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380", "Origin": "http://127.0.0.1:9380"})
        assert same.status_code == 200 and same.json()["code"] == 0
        asked = client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380", "Origin": "http://localhost:5173"})
        assert asked.status_code == 200


def test_remote_peers_are_refused_unless_asked() -> None:
    with _client(serve_settings(), client=("192.168.1.20", 40000)) as client:
        response = client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380"})
        assert response.status_code == 403
        assert "loopback clients only" in response.json()["message"]
        assert client.get("/api/v1/datasets", headers={"Host": "127.0.0.1:9380"}).json()["code"] == 0
    with _client(serve_settings(admin_remote=True), client=("192.168.1.20", 40000)) as client:
        assert client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380"}).status_code == 200


def test_the_admin_key_still_locks_it() -> None:
    with _client(serve_settings(admin_key="s3cret")) as client:
        response = client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380"})
        assert response.status_code == 401
        ok = client.get("/_emulator/keys", headers={"Host": "127.0.0.1:9380", "Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


def test_bound_to_loopback_the_api_checks_host_too() -> None:
    with _client(serve_settings()) as client:
        response = client.get("/api/v1/datasets", headers={"Host": "evil.example"})
        assert response.status_code == 403
        assert client.get("/api/v1/datasets", headers={"Host": "localhost:9380"}).json()["code"] == 0
    with _client(serve_settings(bind_host="0.0.0.0")) as client:  # bound elsewhere: any Host for the API
        assert client.get("/api/v1/datasets", headers={"Host": "mock.lan"}).json()["code"] == 0
        assert client.get("/_emulator/keys", headers={"Host": "mock.lan"}).status_code == 403


def test_the_api_keeps_the_servers_cors() -> None:
    """The real server (flask-cors, supports_credentials) echoes any Origin on the API: kept there, not on /_emulator."""
    with _client(serve_settings()) as client:
        response = client.get("/api/v1/datasets", headers={"Host": "127.0.0.1:9380", "Origin": "http://localhost:3000"})
        assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:3000")


@pytest.mark.slow
def test_over_a_real_socket() -> None:
    app = create_app(serve_settings())
    with ThreadedServer(app) as server, httpx.Client(base_url=server.base_url) as http:
        assert http.get("/_emulator/keys").status_code == 200  # Host: 127.0.0.1:<port>
        assert http.get("/_emulator/keys", headers={"Host": "evil.example"}).status_code == 403
        assert http.get("/_emulator/keys", headers={"Origin": "http://evil.example"}).status_code == 403
