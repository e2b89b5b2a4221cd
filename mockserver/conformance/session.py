"""One conformance run's plumbing: credentials, options, sending and checking exchanges, the pool of existing ids."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from mockserver.conformance.checks import Exchange, run_checks
from mockserver.conformance.contract import Contract, OperationContract, load_contract
from mockserver.conformance.generation import GeneratedCase, operations_by_id, to_request
from mockserver.conformance.results import Deviation, OperationResult, load_deviations
from mockserver.conformance.safety import ID_LIST_KEYS, RunGuard
from mockserver.conformance.target import SentRequest, Target
from mockserver.paths import openapi_dir

Progress = Callable[[str], None]


def default_spec() -> Path:
    """The `/api/v1` contract shipped with the package."""
    return openapi_dir() / "ragflow.yaml"


@dataclass
class Credentials:
    """Secrets per security scheme; an operation whose scheme has none is skipped."""

    api_key: str
    beta_token: str | None = None
    login_token: str | None = None

    def headers_for(self, scheme: str | None) -> dict[str, str] | None:
        """The Authorization header for a scheme, or None when that secret is unknown."""
        if scheme in (None, "ApiKey", "DifyApiKey", "LegacyApiKey", "DatasetApiKey", "DraftApiKey"):
            return {"Authorization": f"Bearer {self.api_key}"}
        if scheme == "BetaToken":
            return None if self.beta_token is None else {"Authorization": f"Bearer {self.beta_token}"}
        if scheme == "LoginToken":
            return None if self.login_token is None else {"Authorization": self.login_token}
        return None


@dataclass
class RunOptions:
    """Budget and scope of a run."""

    max_examples: int = 20
    """Generated cases per operation and mode (positive, negative); spec examples come on top."""
    read_only: bool = False
    operations: str | None = None
    """Comma-separated globs of operationIds to include (default: all)."""
    seed: int | None = None
    stateful: bool = True
    fail_on_not_implemented: bool = False
    spec: Path = field(default_factory=default_spec)
    config: Path | None = None
    deviations: Path | None = None

    def selects(self, operation_id: str) -> bool:
        """Does `--operations` include this operation?"""
        if not self.operations:
            return True
        return any(fnmatch.fnmatchcase(operation_id, p.strip()) for p in self.operations.split(",") if p.strip())


class RunSession:
    """One run's plumbing: send and check exchanges, collect results, keep the pool of ids that exist."""

    def __init__(
        self, target: Target, credentials: Credentials, options: RunOptions, progress: Progress | None = None
    ) -> None:
        self.target = target
        self.credentials = credentials
        self.options = options
        self.progress = progress or (lambda _line: None)
        self.on_phase: Callable[[str, int | None], None] = lambda _name, _total: None
        """Called when a phase begins (its name and operation count, if known): the progress display."""
        self.on_request: Callable[[str], None] = lambda _operation_id: None
        """Called after every answered request, with its operationId: the progress display."""
        self.contract: Contract = load_contract(options.spec)
        self.guard = RunGuard(live=target.live, read_only=options.read_only)
        self.deviations: list[Deviation] = load_deviations(options.deviations)
        self.pool: dict[tuple[str, str], str] = {}
        """(target operationId, path parameter) → a value that exists (filled by links firing on code 0)."""
        self.results: dict[str, OperationResult] = {}
        self.exchanges: list[Exchange] = []
        """Every exchange of the run (kept for the stream and drift tests)."""

    # -- plumbing --------------------------------------------------------------------------------
    def result(self, op: OperationContract) -> OperationResult:
        """The (created on demand) result row of an operation."""
        if op.operation_id not in self.results:
            self.results[op.operation_id] = OperationResult(op.operation_id, op.method, op.path)
        return self.results[op.operation_id]

    def schemathesis_operation(self, op: OperationContract) -> Any:
        """The schemathesis `APIOperation` of a contract operation."""
        return operations_by_id(self.options.spec, self.options.config)[op.operation_id]

    def send(self, op: OperationContract, generated: GeneratedCase) -> Exchange | None:
        """Sanitize, send and check one case; None when the operation has no credential on this target."""
        headers = self.credentials.headers_for(op.security)
        if headers is None:
            return None
        notes = self.guard.sanitize(op, generated.case)
        request = to_request(generated.case, headers)
        where = generated.negative_path
        negative = where is not None and not self._reads_as_no_body(op, request)
        if negative and where is not None and _unvalidated(op, where):
            negative = False
        if negative and notes and where is not None:
            # Prefixing a name keeps a case invalid unless the name itself was the invalid part.
            rewritten = ("name", "title", *ID_LIST_KEYS)
            touched = where == "body" or any(where.startswith(f"body.{key}") for key in rewritten)
            negative = not (touched or any("prefixed" not in note for note in notes))
        return self.exchange(op, request, negative=negative, kind=generated.kind, why=where or "")

    @staticmethod
    def _reads_as_no_body(op: OperationContract, request: SentRequest) -> bool:
        """An optional body that is not JSON, or is falsy JSON, is for the server no body (which is valid)."""
        if op.body_required or not request.body:
            return False
        try:
            return not json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return True

    def exchange(
        self, op: OperationContract, request: SentRequest, *, negative: bool, kind: str, why: str = ""
    ) -> Exchange:
        """Send a prepared request, run every check, record failures and created ids."""
        raw = self.target.send(request)
        self.on_request(op.operation_id)
        ex = Exchange(self.contract, op, raw.status, raw.headers, raw.body, negative=negative, request=request)
        self.exchanges.append(ex)
        result = self.result(op)
        result.cases += 1
        result.by_kind[kind] = result.by_kind.get(kind, 0) + 1
        curl = request.curl(self.target.base_url)
        for failure in run_checks(ex):
            path = why if why and failure.check == "negative_input_rejected" else failure.path
            result.add_failure(failure.check, failure.message, path, curl)
            if failure.check == "no_server_error":
                result.server_errors += 1
        self.guard.record(op, ex.envelope, self.path_values(op, request))
        return ex

    def path_values(self, op: OperationContract, request: SentRequest) -> dict[str, str]:
        """Path parameter values of a sent request (by matching the template)."""
        template = op.path.strip("/").split("/")
        actual = request.url.split("?", 1)[0].strip("/").split("/")[-len(template) :] if template else []
        return {
            t[1:-1]: unquote(a) for t, a in zip(template, actual, strict=False) if t.startswith("{") and t.endswith("}")
        }

    def call(self, operation_id: str, path: dict[str, str], body: Any, query: dict[str, str]) -> Any:
        """A plain JSON call outside generation (cleanup, fixtures); returns the parsed body."""
        op = self.contract.operations[operation_id]
        url = op.path
        for name, value in path.items():
            url = url.replace("{" + name + "}", quote(value, safe=""))
        if query:
            url += "?" + urlencode(query)
        headers = dict(self.credentials.headers_for(op.security) or {})
        payload = b""
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body).encode()
        raw = self.target.send(SentRequest(op.method, url, headers, payload))
        try:
            return json.loads(raw.body)
        except ValueError:
            return None

    def pinned(self, op: OperationContract) -> dict[str, str] | None:
        """Path values known to exist for this operation, if every parameter has one."""
        found: dict[str, str] = {}
        for name in op.path_parameters:
            value = self.pool.get((op.operation_id, name))
            if value is None:
                alias = PARAMETER_ALIASES.get(name, name)
                value = next((v for (_, p), v in self.pool.items() if p in (name, alias)), None)
            if value is None:
                return None
            found[name] = value
        return found


PARAMETER_ALIASES = {"dialog_id": "chat_id"}
"""Path parameters that name the same kind of resource under another name (a chatbot's dialog is a chat)."""


def _unvalidated(op: OperationContract, where: str) -> bool:
    """Whether a mutated request location is one the spec marks as not validated by the server."""
    return any(where == u or where.startswith((f"{u}.", f"{u}[")) for u in op.unvalidated)
