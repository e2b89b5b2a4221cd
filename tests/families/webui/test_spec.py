"""Static checks of openapi/webui.yaml: valid OpenAPI 3.1, loadable by schemathesis, every operation routed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

from mockserver.families.registry import family_handlers
from mockserver.http.spec import SPEC_FILES

SPEC = Path(__file__).resolve().parents[3] / "openapi" / "webui.yaml"
METHODS = ("get", "put", "post", "delete", "patch")


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return [(p, m, op) for p, item in spec["paths"].items() for m, op in item.items() if m in METHODS]


def test_document_is_valid_openapi_31_and_routed() -> None:
    """The web-UI document is valid OpenAPI 3.1 and part of the routing table."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert spec["openapi"] == "3.1.0"
    validate(spec, cls=OpenAPIV31SpecValidator)
    assert "webui.yaml" in SPEC_FILES


def test_schemathesis_loads_every_operation() -> None:
    """Schemathesis loads every web-UI operation."""
    schema = schemathesis.openapi.from_path(str(SPEC))
    loaded = sorted(result.ok().definition.raw["operationId"] for result in schema.get_all_operations())
    assert loaded == sorted(op["operationId"] for _, _, op in operations())


def test_every_operation_is_documented_and_has_its_handler() -> None:
    """Every web-UI operationId has one handler, a summary, a description and its codes."""
    handlers = family_handlers()
    found = operations()
    assert len(found) == 35
    for _, _, op in found:
        assert op["operationId"] in handlers
        assert op.get("summary") and op.get("description")
        codes = op["x-ragflow-codes"]
        assert codes == sorted(set(codes))
        assert "200" in op["responses"]


def test_only_thumbnails_and_login_channels_skip_the_login_token() -> None:
    """Every route of the slice needs the login token except the thumbnails and the OAuth channel list."""
    unauthenticated = sorted((m, p) for p, m, op in operations() if op.get("security") == [])
    assert unauthenticated == [("get", "/v1/document/thumbnails"), ("get", "/v1/user/login/channels")]
