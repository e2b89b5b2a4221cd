"""Test-case generation with schemathesis (imported lazily): spec examples, positive and negative cases."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.conformance.target import SentRequest

PLACEHOLDER_BASE = "http://conformance.invalid"
DROPPED_HEADERS = frozenset(
    {"content-length", "user-agent", "x-schemathesis-testcaseid", "accept-encoding", "connection", "accept"}
)
USER_AGENT = "ragflow-mock-conformance"


@dataclass
class GeneratedCase:
    """A schemathesis `Case` plus how it was made (`example`, `positive`, `negative`)."""

    case: Any
    kind: str

    @property
    def negative_path(self) -> str | None:
        """Where the case is invalid (`body.x.y`, `query.page`, `body`), or None if the server must accept it.

        Mutations the server cannot see as errors do not count: headers (the suite sets Authorization itself),
        path values (strings either way) and unknown query parameters (ignored by every web framework).
        """
        if self.kind != "negative" or self.case.meta is None:
            return None
        from schemathesis.core.parameters import ParameterLocation

        meta = self.case.meta
        mutations = getattr(meta.phase.data, "mutations", ()) or ()
        for mutation in mutations:
            location = mutation.parameter_location
            if location not in (ParameterLocation.BODY, ParameterLocation.QUERY):
                continue
            if location == ParameterLocation.QUERY and "additionalProperties" in mutation.keywords:
                continue
            steps = [str(step) for step in mutation.path]
            if location == ParameterLocation.QUERY and mutation.parameter and not steps:
                steps = [str(mutation.parameter)]
            return ".".join([location.value, *steps])
        if not mutations and meta.is_negative_at(ParameterLocation.BODY):
            return "body"
        return None

    @property
    def description(self) -> str:
        """What schemathesis did to make the case (e.g. which constraint a negative case violates)."""
        meta = self.case.meta
        text = getattr(getattr(meta, "phase", None), "data", None)
        return str(getattr(text, "description", "") or "")


def read_budget(config_path: Path | None) -> dict[str, Any]:
    """The `[generation]` table of a schemathesis.toml (documented example budget), or {}."""
    if config_path is None or not config_path.is_file():
        return {}
    with config_path.open("rb") as fh:
        data = tomllib.load(fh)
    generation = data.get("generation", {})
    return generation if isinstance(generation, dict) else {}


@functools.cache
def load_schema(spec_path: Path, config_path: Path | None = None) -> Any:
    """The schemathesis schema of one document (config from `schemathesis.toml` when given)."""
    import schemathesis

    config = schemathesis.Config.from_path(str(config_path)) if config_path and config_path.is_file() else None
    return schemathesis.openapi.from_path(str(spec_path), config=config)


@functools.cache
def operations_by_id(spec_path: Path, config_path: Path | None = None) -> dict[str, Any]:
    """operationId → schemathesis `APIOperation`."""
    schema = load_schema(spec_path, config_path)
    found: dict[str, Any] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        found[str(operation.definition.raw["operationId"])] = operation
    return found


def _collect(strategy: Any, count: int, seed: int | None) -> list[Any]:
    """Draw up to `count` distinct cases from a strategy (no shrinking, no database, no deadline)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=seed is None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate,),
        report_multiple_bugs=False,
    )
    @given(strategy)
    def collect(case: Any) -> None:
        drawn.append(case)

    test = hypothesis_seed(seed)(collect) if seed is not None else collect
    try:
        test()
    except Exception as exc:  # unsatisfiable schemas etc.: keep what was drawn
        if not drawn:
            raise GenerationError(str(exc)) from exc
    return drawn[:count]


class GenerationError(RuntimeError):
    """The spec gives schemathesis nothing to generate for an operation."""


def generate(
    operation: Any,
    kind: str,
    count: int,
    *,
    seed: int | None = None,
    path_parameters: dict[str, Any] | None = None,
) -> list[GeneratedCase]:
    """`count` cases of one kind; `path_parameters` pins path values (pool ids, link outputs)."""
    from schemathesis import GenerationMode

    if count <= 0:
        return []
    if kind == "example":
        cases: list[Any] = []
        for strategy in operation.get_strategies_from_examples():
            cases.extend(_collect(strategy, 1, seed))
        return [GeneratedCase(case, "example") for case in cases[:count]]
    mode = GenerationMode.NEGATIVE if kind == "negative" else GenerationMode.POSITIVE
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)
    return [GeneratedCase(case, kind) for case in _collect(strategy, count, seed)]


def to_request(case: Any, headers: dict[str, str]) -> SentRequest:
    """Serialize a case into the exact bytes to send (path + query relative to the target's base URL)."""
    import requests

    kwargs = case.as_transport_kwargs(base_url=PLACEHOLDER_BASE)
    kwargs.pop("cookies", None)
    prepared = requests.Request(**kwargs).prepare()
    split = urlsplit(str(prepared.url))
    url = split.path[len(urlsplit(PLACEHOLDER_BASE).path) :] or "/"
    if split.query:
        url += "?" + split.query
    sent_headers = {k: str(v) for k, v in prepared.headers.items() if k.lower() not in DROPPED_HEADERS}
    sent_headers.pop("Authorization", None)
    sent_headers.pop("authorization", None)
    sent_headers["User-Agent"] = USER_AGENT
    sent_headers.update(headers)
    body: Any = prepared.body
    raw = body.encode() if isinstance(body, str) else bytes(body or b"")
    return SentRequest(method=str(prepared.method), url=url, headers=sent_headers, body=raw)
