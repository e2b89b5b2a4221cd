"""All emulator state: `Backends` maps API keys to tenants, each tenant's state is one `TenantBackend`."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from mockserver.core.clock import Clock, RealClock, VirtualClock
from mockserver.core.ids import IdFactory
from mockserver.core.lifecycle import Progression, parse_progression
from mockserver.core.search import SearchIndex
from mockserver.families.accounts.models import DEFAULT_CHAT_MODEL, DEFAULT_EMBEDDING_MODEL, AccountStore
from mockserver.families.accounts.profile import TenantProfile
from mockserver.families.agents.models import AgentStore
from mockserver.families.agents.sessions import AgentSessionStore
from mockserver.families.chats.models import Chat, ChatStore
from mockserver.families.chats.sessions import SessionStore
from mockserver.families.chunks.models import ChunkStore
from mockserver.families.datasets.models import DatasetDependent, DatasetStore
from mockserver.families.documents.models import DocumentStore
from mockserver.settings import Settings


@dataclass
class ApiToken:
    """One API-token row: an `/api/v1` key, optionally bound to a chat or agent (legacy keys)."""

    token: str
    tenant_id: str
    beta: str
    create_time: int
    create_date: str
    dialog_id: str | None = None
    source: str | None = None
    update_time: int | None = None
    update_date: str | None = None


def derived_id(name: str) -> str:
    """A stable UUID1-shaped 32-hex id derived from a name (tenant ids for configured keys)."""
    return uuid.UUID(bytes=hashlib.md5(name.encode()).digest(), version=1).hex


class TenantBackend:
    """Everything one tenant owns. Stores hang off it so cascades go through one object."""

    def __init__(self, backends: Backends, tenant_id: str, name: str = "") -> None:
        self.backends = backends
        self.tenant_id = tenant_id
        self.name = name or tenant_id
        self.clock: Clock = backends.clock
        self.ids: IdFactory = backends.ids
        self.settings: Settings = backends.settings
        self.embd_id = DEFAULT_EMBEDDING_MODEL
        self.llm_id = DEFAULT_CHAT_MODEL
        self.rerank_id = ""
        self.asr_id = ""
        self.img2txt_id = ""
        self.configured_models: set[str] = set()
        """`model@factory` ids the tenant has an API key for (besides the built-in embedding models)."""
        self.index: SearchIndex = SearchIndex()
        self.datasets: DatasetStore = DatasetStore(self)
        self.documents: DocumentStore = DocumentStore(self)
        self.chunks: ChunkStore = ChunkStore(self)
        self.chats: ChatStore = ChatStore(self)
        self.sessions: SessionStore = SessionStore(self)
        self.agents: AgentStore = AgentStore(self)
        self.agent_sessions: AgentSessionStore = AgentSessionStore(self)
        self.profile: TenantProfile = TenantProfile(self)
        self.documents.default_progression = backends.default_progression

    def dataset_dependents(self) -> list[DatasetDependent]:
        """The stores holding per-dataset data, in the order a dataset's deletion reaches them."""
        return [self.index, self.documents, self.chunks]

    def settle(self) -> None:
        """Bring time-driven state up to now (finished parses become visible to every operation)."""
        self.documents.settle()


class Backends:
    """The root of all state for one app: tenants, API tokens, clock and id factory.

    `Backends(settings)` is a fresh start with a tenant per configured key; a snapshot restore passes the
    `clock` and `ids` it resumes and `provision=False`, then adds its tenants and `restore_tokens`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        provision: bool = True,
    ) -> None:
        self.settings = settings
        if clock is None:
            clock = VirtualClock(zone=settings.timezone) if settings.virtual_clock else RealClock(settings.timezone)
        self.clock: Clock = clock
        self.ids = IdFactory(settings.id_seed) if ids is None else ids
        self.default_progression: Progression = parse_progression(settings.progression)
        """How parsing advances in tenants without their own choice (`set_progression` changes it)."""
        self.lock = threading.RLock()
        self.tenants: dict[str, TenantBackend] = {}
        self._tokens: dict[str, ApiToken] = {}
        self._betas: dict[str, ApiToken] = {}
        self._of_tenant: dict[str, dict[str, None]] = {}
        """Tenant id → the (lower-cased) keys of its tokens, in registration order."""
        self._of_dialog: dict[str, dict[str, None]] = {}
        """Dialog (chat or agent) id → the (lower-cased) keys bound to it, in registration order."""
        self.accounts: AccountStore = AccountStore(self)
        if provision:
            for key in settings.api_keys:
                self.add_token(self.create_tenant(derived_id(key), name=key), key)

    # -- tenants ---------------------------------------------------------------------------------

    def create_tenant(self, tenant_id: str | None = None, name: str = "") -> TenantBackend:
        """Create (or return the existing) tenant with this id."""
        with self.lock:
            tid = tenant_id or self.ids.entity()
            if tid not in self.tenants:
                self.tenants[tid] = TenantBackend(self, tid, name)
            return self.tenants[tid]

    def rebuild_tenant(self, tenant: TenantBackend) -> TenantBackend:
        """Replace a tenant by an empty one with the same id and name (its keys keep working)."""
        with self.lock:
            fresh = TenantBackend(self, tenant.tenant_id, tenant.name)
            self.tenants[tenant.tenant_id] = fresh
        return fresh

    def set_progression(self, progression: Progression, tenant: TenantBackend | None = None) -> None:
        """setParseProgression: how parsing advances for one tenant, or for every tenant and those created later."""
        with self.lock:
            if tenant is None:
                self.default_progression = progression
            for target in [tenant] if tenant is not None else list(self.tenants.values()):
                target.documents.default_progression = progression

    def drop_tenant(self, tenant_id: str) -> None:
        """Remove a tenant and every token that points at it."""
        with self.lock:
            self.tenants.pop(tenant_id, None)
            for key in list(self._of_tenant.get(tenant_id, ())):
                self.remove_token(key)

    # -- API tokens ----------------------------------------------------------------------------
    def add_token(
        self,
        tenant: TenantBackend,
        token: str | None = None,
        *,
        dialog_id: str | None = None,
        source: str | None = None,
        beta: str | None = None,
    ) -> ApiToken:
        """Register an API key for a tenant (generated in the server's `ragflow-…` shape if not given)."""
        now = self.clock.now()
        row = ApiToken(
            token=token or self.ids.token(),
            tenant_id=tenant.tenant_id,
            beta=beta or self.ids.token("")[:32],
            create_time=self.clock.epoch_ms(now),
            create_date=self.clock.http_date(now),
            dialog_id=dialog_id,
            source=source,
        )
        with self.lock:
            self._register(row)
        return row

    def restore_tokens(self, rows: Iterable[ApiToken]) -> None:
        """Register token rows exactly as given (a snapshot restore keeps their secrets and dates)."""
        with self.lock:
            for row in rows:
                self._register(row)

    def _register(self, row: ApiToken) -> None:
        key = row.token.lower()
        old = self._tokens.get(key)
        if old is not None and old.tenant_id != row.tenant_id:
            self._of_tenant.get(old.tenant_id, {}).pop(key, None)
        if old is not None and old.dialog_id != row.dialog_id:
            self._unbind(old.dialog_id, key)
        self._tokens[key] = row
        self._betas[row.beta.lower()] = row
        self._of_tenant.setdefault(row.tenant_id, {})[key] = None
        if row.dialog_id is not None:
            self._of_dialog.setdefault(row.dialog_id, {})[key] = None

    def _unbind(self, dialog_id: str | None, key: str) -> None:
        bucket = self._of_dialog.get(dialog_id) if dialog_id is not None else None
        if bucket is not None:
            bucket.pop(key, None)
            if not bucket:
                del self._of_dialog[dialog_id]  # type: ignore[arg-type]

    def all_tokens(self) -> list[ApiToken]:
        """Every token row, in registration order."""
        with self.lock:
            return list(self._tokens.values())

    def remove_token(self, token: str) -> bool:
        """Delete a key; it gets code 109 afterwards."""
        with self.lock:
            row = self._tokens.pop(token.lower(), None)
            if row is not None:
                self._betas.pop(row.beta.lower(), None)
                self._of_tenant.get(row.tenant_id, {}).pop(row.token.lower(), None)
                self._unbind(row.dialog_id, row.token.lower())
            return row is not None

    def token(self, key: str) -> ApiToken | None:
        """Look a key up; comparison is case-insensitive like the server's MySQL collation."""
        return self._tokens.get(key.lower())

    def beta_token(self, beta: str) -> ApiToken | None:
        """Look up the embedded-chat ("beta") secret that comes with each key."""
        return self._betas.get(beta.lower())

    def tokens_of(self, tenant_id: str) -> list[ApiToken]:
        """All token rows of a tenant."""
        return [self._tokens[k] for k in self._of_tenant.get(tenant_id, ())]

    def dialog_tokens(self, dialog_id: str) -> list[ApiToken]:
        """All token rows bound to a chat or agent (any tenant), in registration order."""
        return [self._tokens[k] for k in self._of_dialog.get(dialog_id, ())]

    def tenant(self, tenant_id: str) -> TenantBackend | None:
        """The tenant with this id, if any."""
        return self.tenants.get(tenant_id)

    def tenant_for_key(self, key: str) -> TenantBackend | None:
        """The tenant an API key belongs to, if the key is known."""
        row = self.token(key)
        return None if row is None else self.tenants.get(row.tenant_id)

    def chat_for_chatbot(self, chat_id: str, caller: TenantBackend) -> tuple[TenantBackend, Chat] | None:
        """createChatbotCompletion: the chat behind an embedded chatbot (any status, as the server's `get_by_id`),
        looked up in the caller's tenant, then in the others unless `strict_tenant_isolation`."""
        tenants = [caller]
        if not self.settings.strict_tenant_isolation:
            tenants += [t for t in self.tenants.values() if t is not caller]
        for tenant in tenants:
            chat = tenant.chats.items.get(chat_id)
            if chat is not None:
                return tenant, chat
        return None

    def tenant_for_login_token(self, token: str) -> TenantBackend | None:
        """The tenant of the user holding this web-login token, if any."""
        user = self.accounts.user_for_login_token(token)
        return None if user is None else self.tenants.get(user.id)
