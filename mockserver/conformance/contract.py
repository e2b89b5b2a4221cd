"""The contract as the conformance engine sees it: per-operation codes, response schemas, SSE framing, links."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockserver.http.spec import HTTP_METHODS, load_document

SPEC_URI = "urn:ragflow-contract"
ERROR_SCHEMAS = frozenset({"#/components/schemas/ErrorResult", "#/components/schemas/JsonResult"})
"""Envelope schemas that describe failures; every other `anyOf` branch of a 200 reply is a success shape."""
READ_ONLY_POSTS = frozenset({"retrieveChunks", "difyRetrieval"})
"""POST operations that only read (allowed in `--read-only` mode)."""


def escape_pointer(token: str) -> str:
    """Escape one JSON-pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class StreamContract:
    """How one SSE response is framed: prefix before the JSON, the literal terminator event, the frame schema."""

    prefix: str
    terminator: str
    frame_pointer: str | None


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: fire `target` with these path parameters / body fields (only after `code == 0`)."""

    name: str
    target: str
    parameters: dict[str, str]
    request_body: Any = None


@dataclass
class OperationContract:
    """One operation of the spec, with everything the checks need."""

    operation_id: str
    method: str
    path: str
    security: str | None
    codes: frozenset[int]
    documented_statuses: frozenset[str]
    response_media: dict[str, dict[str, str]]
    """status → media type → JSON pointer of that response's schema."""
    success_pointers: dict[str, list[str]]
    """status → pointers of the success branches (the `anyOf` minus the error envelopes)."""
    stream: StreamContract | None
    links: list[Link] = field(default_factory=list)
    required_headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """status → response headers the spec marks `required: true`."""
    path_parameters: tuple[str, ...] = ()
    has_body: bool = False
    body_required: bool = False
    unvalidated: tuple[str, ...] = ()
    """Request locations (`body.model`, `query.desc`, `body`) the real server accepts whatever they hold
    (`x-ragflow-unvalidated`): invalid values there are not negative cases."""

    @property
    def read_only(self) -> bool:
        """Safe in `--read-only` mode: GETs and the pure query POSTs."""
        return self.method == "GET" or self.operation_id in READ_ONLY_POSTS

    @property
    def destructive(self) -> bool:
        """Deletes things (and treats missing ids as "everything")."""
        return self.method == "DELETE"

    @property
    def creates(self) -> bool:
        """A POST without path parameters that returns a new resource (name gets the run prefix)."""
        return self.method == "POST" and not self.path_parameters and self.operation_id.startswith("create")


class Contract:
    """All operations of one or more OpenAPI documents plus schema validators resolving against them."""

    def __init__(self, documents: list[Path]) -> None:
        self.documents = documents
        self.operations: dict[str, OperationContract] = {}
        self._validators: dict[str, Draft202012Validator] = {}
        self._registry = Registry()
        self._uri_of: dict[str, str] = {}
        for index, path in enumerate(documents):
            doc = load_document(path)
            uri = SPEC_URI if index == 0 else f"{SPEC_URI}-{path.stem}"
            self._registry = self._registry.with_resource(uri, Resource.from_contents(doc, DRAFT202012))
            for op in _operations_of(doc):
                self._uri_of[op.operation_id] = uri
                self.operations[op.operation_id] = op

    def validator(self, operation_id: str, pointer: str) -> Draft202012Validator:
        """A (cached) validator for the schema at `pointer` in the document that defines `operation_id`."""
        key = f"{self._uri_of[operation_id]}#{pointer}"
        found = self._validators.get(key)
        if found is None:
            found = Draft202012Validator({"$ref": key}, registry=self._registry)
            self._validators[key] = found
        return found

    def ordered(self) -> list[OperationContract]:
        """Operations in a safe running order: creations, reads, updates and other posts, deletions last."""

        def rank(op: OperationContract) -> tuple[int, int]:
            if op.creates:
                group = 0
            elif op.method == "GET":
                group = 1
            elif op.destructive:
                group = 3
            else:
                group = 2
            return group, list(self.operations).index(op.operation_id)

        ops = list(self.operations.values())
        return sorted(ops, key=rank)


def _security_of(op: dict[str, Any], doc: dict[str, Any]) -> str | None:
    for requirement in op.get("security", doc.get("security", [])) or []:
        for name in requirement:
            return str(name)
    return None


def _success_pointers(schema: dict[str, Any], pointer: str) -> list[str]:
    branches = schema.get("anyOf") or schema.get("oneOf")
    if not isinstance(branches, list):
        return [pointer]
    key = "anyOf" if "anyOf" in schema else "oneOf"
    return [
        f"{pointer}/{key}/{index}"
        for index, branch in enumerate(branches)
        if not (isinstance(branch, dict) and branch.get("$ref") in ERROR_SCHEMAS)
    ]


def _operations_of(doc: dict[str, Any]) -> list[OperationContract]:
    found: list[OperationContract] = []
    components = doc.get("components", {}).get("parameters", {})
    for url, item in (doc.get("paths") or {}).items():
        shared_params = item.get("parameters", [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            base = f"/paths/{escape_pointer(url)}/{method}"
            media: dict[str, dict[str, str]] = {}
            success: dict[str, list[str]] = {}
            stream: StreamContract | None = None
            links: list[Link] = []
            headers: dict[str, tuple[str, ...]] = {}
            for status, response in (op.get("responses") or {}).items():
                status = str(status)
                headers[status] = tuple(
                    str(name) for name, spec in (response.get("headers") or {}).items() if spec.get("required")
                )
                for media_type, body in (response.get("content") or {}).items():
                    pointer = f"{base}/responses/{status}/content/{escape_pointer(media_type)}/schema"
                    media.setdefault(status, {})[media_type] = pointer
                    if media_type == "application/json" and isinstance(body.get("schema"), dict):
                        success[status] = _success_pointers(body["schema"], pointer)
                    if media_type == "text/event-stream":
                        frame = body.get("x-ragflow-sse-frame")
                        stream = StreamContract(
                            prefix=str(body.get("x-ragflow-sse-prefix", "data:")),
                            terminator=str(body.get("x-ragflow-sse-terminator", "")),
                            frame_pointer=(
                                f"{base}/responses/{status}/content/text~1event-stream/x-ragflow-sse-frame"
                                if isinstance(frame, dict)
                                else None
                            ),
                        )
                for name, link in (response.get("links") or {}).items():
                    if isinstance(link, dict) and "operationId" in link:
                        links.append(
                            Link(
                                name=str(name),
                                target=str(link["operationId"]),
                                parameters={str(k): str(v) for k, v in (link.get("parameters") or {}).items()},
                                request_body=link.get("requestBody"),
                            )
                        )
            params = [_resolve_param(p, components) for p in [*shared_params, *op.get("parameters", [])]]
            found.append(
                OperationContract(
                    operation_id=str(op["operationId"]),
                    method=method.upper(),
                    path=str(url),
                    security=_security_of(op, doc),
                    codes=frozenset(int(c) for c in op.get("x-ragflow-codes", [])),
                    documented_statuses=frozenset(str(s) for s in (op.get("responses") or {})),
                    response_media=media,
                    success_pointers=success,
                    stream=stream,
                    links=links,
                    required_headers=headers,
                    path_parameters=tuple(str(p["name"]) for p in params if p.get("in") == "path"),
                    has_body="requestBody" in op,
                    body_required=bool((op.get("requestBody") or {}).get("required", False)),
                    unvalidated=tuple(str(u) for u in op.get("x-ragflow-unvalidated", [])),
                )
            )
    return found


def _resolve_param(param: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = param.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
        resolved: dict[str, Any] = components.get(ref.rsplit("/", 1)[1], {})
        return resolved
    return param


@functools.cache
def load_contract(*documents: Path) -> Contract:
    """The contract of these documents (cached: the spec does not change during a run)."""
    return Contract(list(documents))
