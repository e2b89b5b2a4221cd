"""Stateful phase: the spec's links as a state machine (a link fires only on `code == 0`), then stream scenarios."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from mockserver.conformance.checks import Exchange
from mockserver.conformance.contract import Link, OperationContract
from mockserver.conformance.generation import GeneratedCase, GenerationError, generate
from mockserver.conformance.session import RunSession

MAX_DEPTH = 6
MAX_VISITS = 1
PARSE_WAIT_SECONDS = 30.0
_MISSING: Any = object()


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901 lookup; `_MISSING` when absent."""
    current = document
    for raw in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        elif isinstance(current, dict) and token in current:
            current = current[token]
        else:
            return _MISSING
    return current


def evaluate(expression: Any, ex: Exchange, path: dict[str, str], request_body: Any) -> Any:
    """An OpenAPI runtime expression (or a structure of them) against one exchange."""
    if isinstance(expression, list):
        return [evaluate(e, ex, path, request_body) for e in expression]
    if isinstance(expression, dict):
        return {k: evaluate(v, ex, path, request_body) for k, v in expression.items()}
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    if expression.startswith("$response.body#"):
        return resolve_pointer(ex.json, expression.split("#", 1)[1])
    if expression.startswith("$request.body#"):
        return resolve_pointer(request_body, expression.split("#", 1)[1])
    if expression.startswith("$request.path."):
        return path.get(expression.removeprefix("$request.path."), _MISSING)
    if expression.startswith("$request.query."):
        query = dict(
            pair.split("=", 1)
            for pair in urlsplit(ex.request.url if ex.request else "").query.split("&")
            if "=" in pair
        )
        value = query.get(expression.removeprefix("$request.query."))
        return _MISSING if value is None else unquote(value)
    return _MISSING


def _contains_missing(value: Any) -> bool:
    if value is _MISSING:
        return True
    if isinstance(value, list):
        return any(_contains_missing(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_missing(v) for v in value.values())
    return False


def succeeded(ex: Exchange | None) -> bool:
    """A link may fire: the reply is an envelope with `code == 0` (HTTP 200 alone means nothing here)."""
    return ex is not None and ex.status < 400 and ex.code == 0


class LinkWalker:
    """Depth-first walk over links from every create operation, filling the runner's pool of existing ids."""

    def __init__(self, runner: RunSession) -> None:
        self.runner = runner
        self.visits: dict[str, int] = {}

    def walk(self) -> None:
        """Start at each create operation (no path parameters), in spec order."""
        ordered = self.runner.contract.ordered()
        for op in ordered:
            if op.creates:
                self.step(op, {}, {}, {}, 0)
        # Second pass: creations under a parent no link leads to (e.g. an agent found by listing agents).
        for op in ordered:
            if op.method == "POST" and op.operation_id.startswith("create") and op.path_parameters:
                pinned = self.runner.pinned(op)
                if pinned and not self.visits.get(op.operation_id):
                    self.step(op, pinned, {}, {}, 1)

    def _case(self, op: OperationContract, path: dict[str, str], query: dict[str, Any], body: dict[str, Any]) -> Any:
        operation = self.runner.schemathesis_operation(op)
        cases: list[GeneratedCase] = []
        try:
            cases = generate(operation, "example", 1, seed=self.runner.options.seed)
            if not cases:
                cases = generate(operation, "positive", 1, seed=self.runner.options.seed, path_parameters=path)
        except GenerationError:
            return None
        if not cases:
            return None
        case = cases[0].case
        case.path_parameters.update(path)
        if query:
            case.query = {**(case.query or {}), **query}
        if isinstance(case.body, dict):
            self._fill_known_ids(case.body)
            case.body.update(body)
        return case

    def _fill_known_ids(self, body: dict[str, Any]) -> None:
        """Point `dataset_ids`-style fields at resources that exist (examples carry made-up ids)."""
        known = {name: value for (_, name), value in self.runner.pool.items()}
        for key in list(body):
            if key.endswith("_ids") and key[:-1] in known and isinstance(body[key], list) and body[key]:
                body[key] = [known[key[:-1]]]
            elif key.endswith("_id") and key in known and isinstance(body[key], str):
                body[key] = known[key]

    def step(
        self, op: OperationContract, path: dict[str, str], query: dict[str, Any], body: dict[str, Any], depth: int
    ) -> Exchange | None:
        """Run one operation and, on `code == 0`, follow its links."""
        runner = self.runner
        if depth > MAX_DEPTH or self.visits.get(op.operation_id, 0) >= MAX_VISITS:
            return None
        if runner.guard.skip_reason(op) or runner.credentials.headers_for(op.security) is None:
            return None
        self.visits[op.operation_id] = self.visits.get(op.operation_id, 0) + 1
        case = self._case(op, path, query, body)
        if case is None:
            return None
        ex = runner.send(op, GeneratedCase(case, "stateful"))
        if not succeeded(ex) or ex is None:
            return ex
        if op.operation_id == "parseDocuments" and runner.target.live:
            self._wait_for_parsing(path)
        sent_path = runner.path_values(op, ex.request) if ex.request else dict(path)
        if op.method == "GET":
            self._collect_items(op, ex)
        if not runner.guard.may_use(op, sent_path):
            return ex
        for link in op.links:
            self._follow(link, ex, sent_path, case.body, depth)
        return ex

    def _collect_items(self, op: OperationContract, ex: Exchange) -> None:
        """A listed collection names items of `<path>/{param}` operations (REST shape); on a live server only
        items carrying the run prefix (created by this run) are taken."""
        runner = self.runner
        data = ex.envelope.get("data") if ex.envelope else None
        items = data if isinstance(data, list) else []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            label = item.get("name") or item.get("title")
            if runner.target.live and not (isinstance(label, str) and label.startswith(runner.guard.prefix)):
                continue
            for other in runner.contract.operations.values():
                rest = other.path[len(op.path) :] if other.path.startswith(op.path + "/{") else ""
                param = rest[2 : rest.index("}")] if rest else ""
                if param and (other.operation_id, param) not in runner.pool:
                    runner.pool[(other.operation_id, param)] = item["id"]
                    if runner.target.live:
                        runner.guard.owned.add(item["id"])
            return

    def _follow(self, link: Link, ex: Exchange, path: dict[str, str], request_body: Any, depth: int) -> None:
        runner = self.runner
        target = runner.contract.operations.get(link.target)
        if target is None:
            return
        values = {name: evaluate(expr, ex, path, request_body) for name, expr in link.parameters.items()}
        link_body = evaluate(link.request_body, ex, path, request_body) if link.request_body is not None else {}
        if _contains_missing(values) or _contains_missing(link_body):
            return
        target_path = {k: str(v) for k, v in values.items() if k in target.path_parameters}
        target_query = {k: v for k, v in values.items() if k not in target.path_parameters}
        for name, value in target_path.items():
            runner.pool[(target.operation_id, name)] = value
            if runner.target.live:
                runner.guard.owned.add(value)
        self.step(target, target_path, target_query, link_body if isinstance(link_body, dict) else {}, depth + 1)

    def _wait_for_parsing(self, path: dict[str, str]) -> None:
        """On a live server parsing takes time; later steps (chats) need parsed documents."""
        dataset_id = path.get("dataset_id")
        if not dataset_id or "listDocuments" not in self.runner.contract.operations:
            return
        deadline = time.monotonic() + PARSE_WAIT_SECONDS
        while time.monotonic() < deadline:
            listed = self.runner.call("listDocuments", {"dataset_id": dataset_id}, None, {})
            docs = resolve_pointer(listed, "/data/docs")
            if not isinstance(docs, list) or not any(d.get("run") == "RUNNING" for d in docs if isinstance(d, dict)):
                return
            time.sleep(1.0)

    def streams(self) -> list[Exchange]:
        """Every SSE operation once with `stream: true` on existing resources (as far as the pool allows)."""
        runner = self.runner
        seen: list[Exchange] = []
        for op in runner.contract.ordered():
            if op.stream is None or not runner.options.selects(op.operation_id):
                continue
            if runner.guard.skip_reason(op) or runner.credentials.headers_for(op.security) is None:
                continue
            pinned = runner.pinned(op) if op.path_parameters else {}
            case = self._case(op, pinned or {}, {}, {})
            if case is None:
                continue
            if isinstance(case.body, dict):
                case.body["stream"] = True
                # An example's session id belongs to no one here: start a fresh conversation instead,
                # unless a link that fired on this very resource supplied one.
                case.body.pop("session_id", None)
                for link_body in self._link_bodies(op.operation_id, pinned or {}):
                    case.body.update({k: v for k, v in link_body.items() if k != "stream"})
            ex = runner.send(op, GeneratedCase(case, "stream"))
            if ex is not None:
                seen.append(ex)
        return seen

    def _link_bodies(self, operation_id: str, pinned: dict[str, str]) -> list[dict[str, Any]]:
        """Bodies recorded for an operation by links that fired on the same path values (e.g. `session_id`)."""
        bodies: list[dict[str, Any]] = []
        for ex in self.runner.exchanges:
            if ex.operation.operation_id != operation_id or not succeeded(ex) or ex.request is None:
                continue
            if pinned and self.runner.path_values(ex.operation, ex.request) != pinned:
                continue
            try:
                sent = json.loads(ex.request.body or b"null")
            except ValueError:
                continue
            if isinstance(sent, dict):
                bodies.append({k: v for k, v in sent.items() if k.endswith("_id")})
        return bodies[:1]
