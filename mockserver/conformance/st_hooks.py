"""The envelope-aware checks as schemathesis checks, for `st run` (load with `SCHEMATHESIS_HOOKS=<this module>`).

    SCHEMATHESIS_HOOKS=mockserver.conformance.st_hooks st run http://127.0.0.1:9380/openapi.yaml \\
        -H 'Authorization: Bearer ragflow-mock-key' --checks ragflow_envelope

Importing the module registers one schemathesis check per check of `mockserver.conformance.checks`, named
`ragflow_<check>` (e.g. `ragflow_envelope_code_listed`), and `ragflow_envelope`, which runs them all. They look
the operation up by its operationId in the packaged contract (every document `/openapi.yaml` merges), so they
work against the emulator and a live RAGFlow alike; an operation the contract does not know is not checked.
`ragflow-mock conformance` remains the batteries-included command (links walk, streams, cleanup, reports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis

from mockserver.conformance.checks import ALL_CHECKS, Check, Exchange, Failure, run_checks
from mockserver.conformance.contract import Contract, load_contract
from mockserver.conformance.generation import GeneratedCase
from mockserver.http.spec import SPEC_FILES
from mockserver.paths import openapi_dir

PREFIX = "ragflow_"


def packaged_contract() -> Contract:
    """The contract of every shipped routing document (what `/openapi.yaml` serves merged)."""
    return load_contract(*(openapi_dir() / name for name in SPEC_FILES if (openapi_dir() / name).is_file()))


def exchange_of(case: Any, response: Any, contract: Contract | None = None) -> Exchange | None:
    """Our `Exchange` for one schemathesis case and response; None for an operation outside the contract."""
    contract = contract or packaged_contract()
    operation_id = (getattr(case.operation.definition, "raw", None) or {}).get("operationId")
    operation = contract.operations.get(str(operation_id))
    if operation is None:
        return None
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    kind = "negative" if getattr(mode, "is_negative", False) else "positive"
    headers = {name: ", ".join(values) for name, values in response.headers.items()}
    return Exchange(
        contract,
        operation,
        response.status_code,
        headers,
        response.content or b"",
        negative=GeneratedCase(case, kind).negative_path is not None,
    )


def _raise(failures: list[Failure]) -> None:
    if failures:
        raise AssertionError(
            "; ".join(f"{f.check}: {f.message}" + (f" at {f.path}" if f.path else "") for f in failures)
        )


def _as_schemathesis_check(check: Check) -> Callable[[Any, Any, Any], bool | None]:
    def st_check(ctx: Any, response: Any, case: Any) -> bool | None:
        ex = exchange_of(case, response)
        if ex is not None:
            _raise(run_checks(ex, (check,)))
        return None

    st_check.__name__ = st_check.__qualname__ = PREFIX + check.__name__
    st_check.__doc__ = check.__doc__
    return st_check


def ragflow_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every envelope-aware check of mockserver.conformance.checks on one response."""
    ex = exchange_of(case, response)
    if ex is not None:
        _raise(run_checks(ex))
    return None


REGISTERED: dict[str, Callable[[Any, Any, Any], bool | None]] = {
    PREFIX + check.__name__: schemathesis.check(_as_schemathesis_check(check)) for check in ALL_CHECKS
}
REGISTERED["ragflow_envelope"] = schemathesis.check(ragflow_envelope)
"""Check name (as `st run --checks` takes it) → the registered function."""
