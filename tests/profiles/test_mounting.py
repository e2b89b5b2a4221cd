"""Profile mounting: `/_p/<name>` always, the selected profile in place, errors in the envelope of the path's owner."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.responses import Response
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.core.errors import DataError
from mockserver.http.context import RequestContext
from mockserver.http.envelope import retcode_result
from mockserver.profiles.base import LEGACY, Profile, retcode_everywhere, retcode_for
from mockserver.profiles.registry import UnknownProfile
from mockserver.settings import Settings

SPEC = """\
openapi: 3.1.0
info: {title: test profile, version: '0'}
paths:
  /v1/api/ping:
    get:
      operationId: testPing
      responses: {'200': {description: ok}}
  /v1/api/fail:
    post:
      operationId: testFail
      responses: {'200': {description: ok}}
"""
NOT_FOUND_OLD = {"data": None, "retcode": 100, "retmsg": "<NotFound '404: Not Found'>"}
NOT_ALLOWED_OLD = {"data": None, "retcode": 100, "retmsg": "<MethodNotAllowed '405: Method Not Allowed'>"}
NOT_FOUND_NOW = {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"}


async def ping(ctx: RequestContext) -> Response:
    """testPing."""
    return retcode_result(data="pong")


async def fail(ctx: RequestContext) -> Response:
    """testFail."""
    raise DataError("Dialog not found")


@pytest.fixture
def fake(tmp_path: Path) -> Profile:
    spec = tmp_path / "profile-test.yaml"
    spec.write_text(SPEC)
    return Profile(
        name="2099-01-test",
        namespace=LEGACY,
        spec_file=str(spec),  # an absolute path wins over openapi/
        handlers={"testPing": ping, "testFail": fail},
        error_style=retcode_everywhere,
        owns=("/v1/api",),
        release="none",
        seed="none",
        summary="a test profile",
        slash_rules=frozenset({"/v1/api/ping"}),
    )


def client_for(fake: Profile, **settings: object) -> TestClient:
    return TestClient(create_app(Settings.for_tests(**settings), profiles=[fake]))


def test_a_profile_is_always_under_its_prefix_in_its_own_envelope(fake: Profile) -> None:
    with client_for(fake) as client:
        assert client.get("/_p/2099-01-test/v1/api/ping").content == b'{"data":"pong","retcode":0,"retmsg":"success"}\n'
        assert client.post("/_p/2099-01-test/v1/api/fail").json() == {"retcode": 102, "retmsg": "Dialog not found"}
        assert client.get("/_p/2099-01-test/v1/api/nothing").json() == NOT_FOUND_OLD
        assert client.get("/_p/2099-01-test").json() == NOT_FOUND_OLD
        assert client.get("/v1/api/ping").json() == NOT_FOUND_NOW, "not selected: the current profile owns /v1/api"
        auth = client.get("/v1/api/new_conversation").json()
        assert auth["code"] == 100 and "split" in auth["message"], "the current legacy routes stay"


def test_the_selected_profile_replaces_the_current_routes_under_what_it_owns(fake: Profile) -> None:
    with client_for(fake, legacy_profile="2099-01-test") as client:
        assert client.get("/v1/api/ping").json() == {"data": "pong", "retcode": 0, "retmsg": "success"}
        assert client.get("/v1/api/new_conversation").json() == NOT_FOUND_OLD
        assert client.get("/api/v1/nothing").json() == NOT_FOUND_NOW
        assert client.get("/_p/2099-01-test/v1/api/ping").json()["data"] == "pong"
        assert client.get("/v1/document/get/x").json()["code"] == 102, "outside /v1/api: still current"


def test_wrong_methods_follow_the_owner_and_werkzeugs_slash_rule(fake: Profile) -> None:
    with client_for(fake, legacy_profile="2099-01-test") as client:
        assert client.post("/v1/api/fail/", content=b"").json()["retcode"] == 102
        assert client.get("/v1/api/fail").json() == NOT_ALLOWED_OLD
        assert client.delete("/v1/api/ping").json() == NOT_FOUND_OLD, "rule defined with a slash: 404"
        assert client.delete("/v1/api/ping/").json() == NOT_ALLOWED_OLD
        assert client.delete("/_p/2099-01-test/v1/api/ping").json() == NOT_FOUND_OLD


def test_unknown_or_misplaced_selections_are_refused(fake: Profile) -> None:
    with pytest.raises(UnknownProfile, match="choose one of current, 2099-01-test"):
        create_app(Settings.for_tests(legacy_profile="2024-99-nothing"), profiles=[fake])
    with pytest.raises(UnknownProfile, match=r"Settings\.profile"):
        create_app(Settings.for_tests(profile="2099-01-test"), profiles=[fake])


def test_operation_ids_must_be_unique_across_documents(fake: Profile) -> None:
    clash = Profile(**{**fake.__dict__, "handlers": {"testPing": ping, "createDataset": fail}})
    spec = Path(fake.spec_file)
    spec.write_text(SPEC.replace("testFail", "createDataset"))
    with pytest.raises(RuntimeError, match="createDataset"):
        create_app(Settings.for_tests(), profiles=[clash])


def test_retcode_for_keeps_other_errors_in_the_current_keys() -> None:
    style = retcode_for(DataError)
    assert style(DataError("x"), {"code": 102, "message": "x"}) == {"retcode": 102, "retmsg": "x"}
    assert style(None, {"code": 100, "data": None, "message": "m"}) == {"data": None, "retcode": 100, "retmsg": "m"}
    assert style(ValueError("y"), {"code": 101, "message": "y"}) == {"code": 101, "message": "y"}


def test_docs_offer_each_profiles_document(fake: Profile) -> None:
    with client_for(fake, legacy_profile="2099-01-test") as client:
        assert 'href="/docs/2099-01-test"' in client.get("/docs").text
        assert 'url: "/openapi/2099-01-test.yaml"' in client.get("/docs/2099-01-test").text
        text = client.get("/openapi/2099-01-test.yaml").text
        assert "testPing" in text and "url: /_p/2099-01-test" in text
        assert client.get("/openapi/nothing.yaml").status_code == 404


def test_a_retcode_envelope_reports_its_code_to_the_request_log() -> None:
    assert retcode_result(data=True, code=102).code == 102
