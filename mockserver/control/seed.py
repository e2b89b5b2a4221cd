"""Loading a world into a tenant through each family's public store API, and reloading it when its file changes."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.responses import Response

from mockserver.control.worlds import World, WorldDataset, WorldError, parse_world, read_world, resolve_world
from mockserver.core.errors import RagflowError
from mockserver.core.lifecycle import Immediate, parse_progression
from mockserver.core.validation import validate_model
from mockserver.families.chats.schemas import parse_chat_create
from mockserver.families.datasets.schemas import CreateDatasetBody
from mockserver.families.retrieval.service import RetrievalQuery, render_reference, retrieve
from mockserver.http.context import RequestContext
from mockserver.http.types import Next
from mockserver.state.backend import Backends, TenantBackend
from mockserver.state.emulator import EmulatorState

log = logging.getLogger("mockserver")


@dataclass
class SeedReport:
    """What a world load created (ids by name), for the control plane and the pytest plugin."""

    world: str
    tenant_id: str
    datasets: dict[str, str] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    chats: dict[str, str] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    web_user: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON view."""
        return dict(vars(self))


def _needs(tenant: TenantBackend, store: str, what: str) -> Any:
    found = getattr(tenant, store, None)
    if found is None:
        raise WorldError(f"world has {what}, but the {store} family is not available in this build")
    return found


def _seed_dataset(tenant: TenantBackend, world: World, index: int, spec: WorldDataset, report: SeedReport) -> None:
    payload: dict[str, Any] = {"name": spec.name, "chunk_method": spec.chunk_method, "permission": spec.permission}
    if spec.description is not None:
        payload["description"] = spec.description
    if spec.embedding_model is not None:
        payload["embedding_model"] = spec.embedding_model
    try:
        dataset = tenant.datasets.create(validate_model(CreateDatasetBody, payload))
    except RagflowError as err:
        raise WorldError(f"{world.name}: datasets[{index}]: {err.message}") from None
    dataset.language = spec.language
    report.datasets[spec.name] = dataset.id
    for j, doc_spec in enumerate(spec.documents):
        where = f"{world.name}: datasets[{index}].documents[{j}]"
        try:
            parse = doc_spec.parse and doc_spec.chunks is None
            doc = add_document(tenant, dataset, doc_spec.name, world.document_bytes(doc_spec), parse=parse)
            if doc_spec.meta_fields:
                doc.meta_fields = dict(doc_spec.meta_fields)
            for chunk in doc_spec.chunks or []:
                add_chunk(tenant, doc, chunk.content, chunk.important_keywords, chunk.questions)
        except RagflowError as err:
            raise WorldError(f"{where}: {err.message}") from None
        except ValueError as err:  # the documents family's upload failures
            raise WorldError(f"{where}: {err}") from None
        report.documents[f"{spec.name}/{doc_spec.name}"] = doc.id


def add_document(tenant: TenantBackend, dataset: Any, name: str, data: bytes, *, parse: bool = True) -> Any:
    """Upload a document through the documents store and (optionally) parse it to DONE right away."""
    documents = _needs(tenant, "documents", "documents")
    try:
        doc = documents.upload(dataset, name, data)
    except Exception as exc:
        if isinstance(exc, RagflowError):
            raise
        raise ValueError(f"{name}: {exc}") from None
    if parse:
        documents.set_progression(doc.id, Immediate())
        documents.parse(doc)
        documents.progressions.pop(doc.id, None)
    return doc


def add_chunk(
    tenant: TenantBackend, doc: Any, content: str, keywords: list[str] | None = None, questions: list[str] | None = None
) -> Any:
    """Add one chunk to a document through the chunks store (counters kept right)."""
    chunks = _needs(tenant, "chunks", "explicit chunks")
    chunk = chunks.add(chunks.build(doc, content, keywords or [], questions or []))
    _needs(tenant, "documents", "documents").adjust(doc, 1, chunks.token_cost(doc, chunk))
    if doc.run != "3":
        doc.run, doc.progress = "3", 1.0
    return chunk


def set_parse_progression(backends: Backends, spec: str, tenant: TenantBackend | None = None) -> None:
    """setParseProgression: how parsing advances for one tenant (or every tenant and new ones): `immediate`, …"""
    backends.set_progression(parse_progression(spec), tenant)


def _history(messages: list[Any]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _seed_chats(tenant: TenantBackend, world: World, report: SeedReport) -> None:
    for i, spec in enumerate(world.chats):
        body: dict[str, Any] = {
            "name": spec.name,
            "dataset_ids": [report.datasets[_dataset_name(world, ref)] for ref in spec.datasets],
        }
        for key in ("description", "llm", "prompt"):
            if getattr(spec, key) is not None:
                body[key] = getattr(spec, key)
        try:
            chat = _needs(tenant, "chats", "chats").create(parse_chat_create(body))
            for session in spec.sessions:
                seed_chat_session(tenant, chat, session.name, _history(session.messages))
        except RagflowError as err:
            raise WorldError(f"{world.name}: chats[{i}]: {err.message}") from None
        report.chats[spec.name] = chat.id


def seed_chat_session(tenant: TenantBackend, chat: Any, name: str, messages: list[dict[str, str]]) -> Any:
    """A chat session with history; each assistant turn gets the reference retrieval finds for its question."""
    session = _needs(tenant, "sessions", "chat sessions").create(chat, name)
    question = ""
    for turn in messages:
        session.message.append({**turn, "id": tenant.ids.message()})
        if turn["role"] == "user":
            question = turn["content"]
            continue
        query = RetrievalQuery(
            question=question,
            dataset_ids=list(chat.kb_ids),
            page_size=chat.top_n,
            similarity_threshold=chat.similarity_threshold,
            vector_similarity_weight=chat.vector_similarity_weight,
        )
        found = retrieve(tenant, query) if chat.kb_ids and question else None
        session.reference.append(render_reference(found) if found else {"chunks": [], "doc_aggs": [], "total": 0})
    return session


def _seed_agents(tenant: TenantBackend, world: World, report: SeedReport) -> None:
    if not world.agents:
        return
    agents = _needs(tenant, "agents", "agents")
    for i, spec in enumerate(world.agents):
        try:
            agent = agents.seed(
                title=spec.title,
                description=spec.description,
                dsl=spec.dsl,
                dataset_ids=[report.datasets[_dataset_name(world, ref)] for ref in spec.datasets],
            )
            for session in spec.sessions:
                tenant.agent_sessions.seed(agent, messages=_history(session.messages))
        except RagflowError as err:
            raise WorldError(f"{world.name}: agents[{i}]: {err.message}") from None
        report.agents[spec.title] = agent.id


def _dataset_name(world: World, ref: str) -> str:
    key = ref.strip().lower()
    return next(d.name for d in world.datasets if d.name.strip().lower() == key)


def load_world(backends: Backends, tenant: TenantBackend, world: World) -> SeedReport:
    """Create everything a world describes in `tenant` (which keeps what it already has)."""
    report = SeedReport(world=world.name, tenant_id=tenant.tenant_id)
    if world.tenant.name:
        tenant.name = world.tenant.name
    if world.tenant.llm_id:
        tenant.llm_id = world.tenant.llm_id
    if world.tenant.embd_id:
        tenant.embd_id = world.tenant.embd_id
    for key in world.keys:
        owner = backends.token(key)
        if owner is not None and owner.tenant_id != tenant.tenant_id:
            raise WorldError(f"{world.name}: keys: {key!r} already belongs to another tenant")
        if owner is None:
            backends.add_token(tenant, key)
        report.keys.append(key)
    if world.web_user is not None:
        spec = world.web_user
        try:
            backends.accounts.add_user(tenant, spec.email, spec.password, spec.nickname)
        except RagflowError as err:
            raise WorldError(f"{world.name}: web_user: {err.message}") from None
        report.web_user = spec.email
    for i, dataset in enumerate(world.datasets):
        _seed_dataset(tenant, world, i, dataset, report)
    _seed_chats(tenant, world, report)
    _seed_agents(tenant, world, report)
    return report


def coerce_world(source: str | Path | dict[str, Any] | World) -> World:
    """A world from a shipped name, a path, an inline mapping or a `World`."""
    if isinstance(source, World):
        return source
    if isinstance(source, dict):
        return parse_world(source, "<inline world>")
    return read_world(source)


def seed_tenant(backends: Backends, tenant: TenantBackend, source: str | Path | dict[str, Any] | World) -> SeedReport:
    """Load a world (name, path, mapping) into one tenant."""
    return load_world(backends, tenant, coerce_world(source))


def seed_configured_tenants(backends: Backends, source: str | Path | dict[str, Any] | World) -> list[SeedReport]:
    """Load a world into the tenant of every configured API key (what `serve --world` does)."""
    world = coerce_world(source)
    reports = []
    for index, key in enumerate(backends.settings.api_keys):
        tenant = backends.tenant_for_key(key)
        if tenant is not None:
            # extra keys of the world only go to the first tenant: one key, one tenant
            reports.append(
                load_world(
                    backends, tenant, world if index == 0 else world.model_copy(update={"keys": [], "web_user": None})
                )
            )
    return reports


class WorldReloader:
    """Interceptor that rebuilds the configured tenants from the world file when the file changes."""

    def __init__(self, world: str, check_every: float = 0.5) -> None:
        self.path = resolve_world(world)
        self.check_every = check_every
        self._mtime = self.path.stat().st_mtime_ns
        self._checked = time.monotonic()
        self.reloads = 0
        self.last_error: str | None = None

    def changed(self) -> bool:
        """Whether the file changed since the last (re)load (checked at most every `check_every` s)."""
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return False
        self._checked = now
        try:
            mtime = self.path.stat().st_mtime_ns
        except OSError:
            return False
        return mtime != self._mtime

    def reload(self, state: EmulatorState) -> None:
        """Validate the new file first; only a valid world replaces the current state."""
        self._mtime = self.path.stat().st_mtime_ns
        try:
            world = read_world(self.path)
        except WorldError as err:
            self.last_error = str(err)
            log.error("world not reloaded: %s", err)
            return
        fresh = Backends(state.settings)
        seed_configured_tenants(fresh, world)
        state.replace_backends(fresh)
        self.reloads += 1
        self.last_error = None

    async def __call__(self, ctx: RequestContext, call_next: Next) -> Response:
        if self.changed():
            self.reload(ctx.state)
        return await call_next(ctx)
