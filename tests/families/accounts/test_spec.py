"""Static checks of openapi/accounts.yaml and openapi/legacy.yaml: valid OpenAPI 3.1, loadable, routed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

from mockserver.control.admin import CONTROL_HANDLERS
from mockserver.families.registry import family_handlers

OPENAPI = Path(__file__).resolve().parents[3] / "openapi"
METHODS = ("get", "put", "post", "delete", "patch")
DOCUMENTS = ("accounts.yaml", "legacy.yaml")


def load(name: str) -> dict[str, Any]:
    with (OPENAPI / name).open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.safe_load(fh)
    return spec


def operations(name: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(p, m, op) for p, item in load(name)["paths"].items() for m, op in item.items() if m in METHODS]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_is_valid_openapi_31(name: str) -> None:
    """The accounts and legacy documents are valid OpenAPI 3.1."""
    spec = load(name)
    assert spec["openapi"] == "3.1.0"
    validate(spec, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_schemathesis_loads_every_operation(name: str) -> None:
    """Schemathesis loads every accounts and legacy operation."""
    schema = schemathesis.openapi.from_path(str(OPENAPI / name))
    loaded = sorted(result.ok().definition.raw["operationId"] for result in schema.get_all_operations())
    assert loaded == sorted(op["operationId"] for _, _, op in operations(name))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_operation_is_documented_and_routed(name: str) -> None:
    """Every accounts and legacy operationId has exactly one handler."""
    handlers = {**family_handlers(), **CONTROL_HANDLERS}
    for _, _, op in operations(name):
        assert op["operationId"][0].islower(), op["operationId"]
        assert op["operationId"] in handlers
        assert op.get("summary")
        assert op.get("description")
        codes = op["x-ragflow-codes"]
        assert codes == sorted(set(codes))
        assert "200" in op["responses"]


def test_accounts_routes_and_security() -> None:
    """registerUser, loginUser, …: the accounts routes and their security schemes."""
    found = {
        op["operationId"]: (m, p, op.get("security", [{"LoginToken": []}])) for p, m, op in operations("accounts.yaml")
    }
    assert found["registerUser"] == ("post", "/v1/user/register", [])
    assert found["loginUser"][2] == []
    assert found["loginUserGet"][:2] == ("get", "/v1/user/login")
    assert found["getSystemConfig"][2] == []
    assert found["deleteSystemToken"][:2] == ("delete", "/v1/system/token/{token}")
    assert len(found) == 17
    scheme = load("accounts.yaml")["components"]["securitySchemes"]["LoginToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_legacy_routes_and_security() -> None:
    """createLegacyToken, createLegacyCompletion, …: the legacy routes and their security schemes."""
    found = {op["operationId"]: (m, p, op.get("security")) for p, m, op in operations("legacy.yaml")}
    paths = {(m, p) for m, p, _ in found.values()}
    assert ("post", "/v1/api/list_chunks") in paths
    assert ("delete", "/v1/api/document") in paths
    assert ("get", "/v1/document/get/{doc_id}") in paths
    assert ("get", "/v1/document/image/{image_id}") in paths
    assert len(found) == 18
    login = {"createLegacyToken", "listLegacyTokens", "removeLegacyTokens", "getLegacyStats"}
    for op_id, (_, _, security) in found.items():
        if op_id in login:
            assert security == [{"LoginToken": []}]
        elif op_id in {"createLegacyAibotkCompletion", "getDocumentFile", "getDocumentImage"}:
            assert security == []
        else:
            assert security == [{"LegacyApiKey": []}]
    scheme = load("legacy.yaml")["components"]["securitySchemes"]["LegacyApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
