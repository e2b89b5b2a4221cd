"""Werkzeug's merged-slash retry: 308 to the merged path, its wrong-method body, or NotFound — for every route."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.http.routing import merged_slashes

NOT_FOUND = {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}
NOT_ALLOWED = {"code": 100, "data": None, "message": "<MethodNotAllowed '405: Method Not Allowed'>"}


def redirect_body(location: str) -> str:
    return (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
        "<p>You should be redirected automatically to the target URL: "
        f'<a href="{location}">{location}</a>. If not, click the link.\n'
    )


def test_merge_is_werkzeugs_lazy_pattern() -> None:
    assert merged_slashes("/a//b") == "/a/b"
    assert merged_slashes("/a///b////c//") == "/a//b//c/"


def test_merged_path_matching_only_other_methods_is_method_not_allowed(client: TestClient) -> None:
    """GET /datasets//documents: merged it is PUT /datasets/{dataset_id} (dataset_id="documents")."""
    response = client.get("/api/v1/datasets//documents", follow_redirects=False)
    assert (response.status_code, response.json()) == (200, NOT_ALLOWED)
    response = client.post("/api/v1/datasets/ds1/documents//chunks", follow_redirects=False)
    assert (response.status_code, response.json()) == (200, NOT_ALLOWED)


def test_merged_path_matching_this_method_redirects_with_werkzeugs_body(client: TestClient) -> None:
    response = client.get("/api/v1/datasets/ds1/documents//chunks?page=2", follow_redirects=False)
    location = "http://testserver/api/v1/datasets/ds1/documents/chunks?page=2"
    assert response.status_code == 308
    assert response.headers["location"] == location
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == redirect_body(location)


def test_following_the_redirect_reaches_the_download_route(client: TestClient) -> None:
    dataset_id = client.post("/api/v1/datasets", json={"name": "merged"}).json()["data"]["id"]
    response = client.get(f"/api/v1/datasets/{dataset_id}/documents//chunks")
    assert response.json() == {"code": 102, "message": "The dataset not own the document chunks."}


def test_redirect_keeps_the_trailing_slash_and_quotes_the_path(client: TestClient) -> None:
    response = client.get("/api/v1/datasets//", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (308, "http://testserver/api/v1/datasets/")
    response = client.get("/api/v1/datasets/a%20b//documents", follow_redirects=False)
    assert response.headers["location"] == "http://testserver/api/v1/datasets/a%20b/documents"


def test_three_slashes_merge_to_two_and_then_nothing_matches(client: TestClient) -> None:
    assert client.get("/api/v1///datasets", follow_redirects=False).json() == NOT_FOUND
    assert client.get("/api/v1//nothing", follow_redirects=False).json() == NOT_FOUND


def test_default_port_is_dropped_from_the_location(app: object) -> None:
    with TestClient(app, base_url="http://127.0.0.1:80") as c:  # type: ignore[arg-type]
        response = c.get("/api/v1//datasets", follow_redirects=False)
    assert response.headers["location"] == "http://127.0.0.1/api/v1/datasets"


def _classify_emulator(client: TestClient, method: str, path: str) -> str:
    response = client.request(method, path, follow_redirects=False)
    if response.status_code == 308:
        return "redirect " + response.headers["location"]
    if "<NotFound '404: Not Found'>" in response.text:
        return "404"
    if "<MethodNotAllowed '405: Method Not Allowed'>" in response.text:
        return "405"
    return "served"


def _classify_werkzeug(adapter: object, method: str, path: str) -> str:
    routing = pytest.importorskip("werkzeug.routing")
    exceptions = pytest.importorskip("werkzeug.exceptions")
    try:
        adapter.match(path, method)  # type: ignore[attr-defined]
    except routing.RequestRedirect as redirect:
        return "redirect " + redirect.new_url
    except exceptions.MethodNotAllowed:
        return "405"
    except exceptions.NotFound:
        return "404"
    return "served"


def _variants(concrete: str) -> set[str]:
    cuts = [i for i, ch in enumerate(concrete) if ch == "/" and i > 0]
    return {concrete[:i] + "/" + concrete[i:] for i in cuts} | {concrete + "//", concrete[:-1] + "//", concrete}


@pytest.mark.slow
def test_every_served_route_of_every_profile_agrees_with_werkzeug(app: Starlette, client: TestClient) -> None:
    """A differential test: every served rule (current API and each profile under `/_p/<name>`, rules defined
    with a trailing slash kept so) loaded into Werkzeug's Map with strict_slashes off and merge_slashes on."""
    routing = pytest.importorskip("werkzeug.routing")
    surface = app.state.surface
    methods: dict[str, set[str]] = {}
    for entry in surface.entries:
        path = entry.operation.path
        if not path.startswith("/_emulator"):
            methods.setdefault(path, set()).add(entry.operation.method)
    rules = []
    for path, verbs in methods.items():
        rule = path.replace("{", "<").replace("}", ">") + ("/" if surface.owner_of(path).slash_rule else "")
        rules.append(routing.Rule(rule, methods=sorted(verbs), endpoint=path))
    adapter = routing.Map(rules, strict_slashes=False).bind("testserver", "/")
    checked = 0
    for path in methods:
        for variant in sorted(_variants(path.replace("{", "p").replace("}", ""))):
            for method in ("GET", "POST", "PUT", "DELETE"):
                expected = _classify_werkzeug(adapter, method, variant)
                assert _classify_emulator(client, method, variant) == expected, (method, variant)
                checked += 1
    assert checked > 1000
