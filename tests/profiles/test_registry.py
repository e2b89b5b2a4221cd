"""Every registered profile: a valid OpenAPI 3.1 document whose operations and handlers match one to one."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

from mockserver.control.admin import CONTROL_HANDLERS
from mockserver.families.registry import family_handlers
from mockserver.http.spec import load_document, load_operations
from mockserver.paths import openapi_dir
from mockserver.profiles.base import Profile
from mockserver.profiles.mounting import profile_operations
from mockserver.profiles.registry import PROFILES

NAMES = [p.name for p in PROFILES]


@pytest.mark.parametrize("profile", PROFILES, ids=NAMES)
def test_profile_document_is_valid_openapi_31(profile: Profile) -> None:
    spec = load_document(openapi_dir() / profile.spec_file)
    assert spec["openapi"] == "3.1.0"
    validate(spec, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("profile", PROFILES, ids=NAMES)
def test_profile_spec_and_handlers_match(profile: Profile) -> None:
    operations = profile_operations(profile)  # raises RegistryMismatch otherwise
    assert {op.operation_id for op in operations} == set(profile.handlers)
    assert all(not op.path.startswith("/_p/") for op in operations), "documents keep the original paths"


@pytest.mark.parametrize("profile", PROFILES, ids=NAMES)
def test_profile_handlers_name_their_operation(profile: Profile) -> None:
    for operation_id, handler in profile.handlers.items():
        assert (handler.__doc__ or "").startswith(operation_id), f"{handler.__qualname__} docstring"


def test_operation_ids_are_unique_across_all_documents() -> None:
    seen = [op.operation_id for op in load_operations()] + [op.operation_id for p in PROFILES for op in p.operations()]
    assert len(seen) == len(set(seen))
    assert set(family_handlers()) | set(CONTROL_HANDLERS) >= {op.operation_id for op in load_operations()}
