"""`EmulatorState`: all one app owns (settings, tenants, journal, fault rules, answers); reset rebuilds it."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from mockserver.core.clock import Clock
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend
from mockserver.state.faults import FaultRegistry
from mockserver.state.journal import Journal
from mockserver.state.scripted_answers import AnswerRule, ScriptedAnswers
from mockserver.state.unexpected import KEPT, UnexpectedErrors

UNEXPECTED_KEPT = KEPT


class EmulatorState:
    """One app's state. Nothing is module-global: two apps in one process are independent.

    `reset()` rebuilds all of it from the settings (tenants, tokens, clock, ids, journal, fault rules, runtime
    answers); `reset_tenant()` rebuilds one tenant and drops its journal entries, fault rules and answers.
    """

    def __init__(
        self,
        settings: Settings,
        operation_ids: Iterable[str] = (),
        fixture_answers: Iterable[AnswerRule] = (),
    ) -> None:
        self.settings = settings
        self.operation_ids: frozenset[str] = frozenset(operation_ids)
        """Every operationId the app serves (fault rules name them)."""
        self.fixture_answers: tuple[AnswerRule, ...] = tuple(fixture_answers)
        """The scripted answers `Settings.answers` loaded at start (restored by every full reset)."""
        self.unexpected_errors = UnexpectedErrors()
        """Exceptions no handler meant to raise: the newest `UNEXPECTED_KEPT`, frames dropped, and their count."""
        self.backends: Backends
        self.journal: Journal
        self.faults: FaultRegistry
        self.answers: ScriptedAnswers
        self.reset()

    @property
    def clock(self) -> Clock:
        """The app's clock (real or virtual)."""
        return self.backends.clock

    @property
    def unexpected(self) -> deque[BaseException]:
        """The kept unexpected exceptions, newest last."""
        return self.unexpected_errors.kept

    @property
    def unexpected_count(self) -> int:
        """How many unexpected exceptions happened since start (kept or not)."""
        return self.unexpected_errors.count

    def record_unexpected(self, exc: BaseException, where: str = "?") -> None:
        """Remember (bounded, frames dropped) and log an exception no handler meant to raise."""
        self.unexpected_errors.record(exc, where)

    def unexpected_since(self, count: int) -> list[BaseException]:
        """The kept unexpected exceptions that happened after `unexpected_count` was `count`."""
        return self.unexpected_errors.since(count)

    def reset(self) -> None:
        """Forget everything: a fresh state root (clock and ids included), journal, fault rules and answers."""
        self.backends = Backends(self.settings)
        self.journal = Journal()
        self.faults = FaultRegistry()
        self.answers = ScriptedAnswers(self.fixture_answers)

    def reset_tenant(self, tenant: TenantBackend) -> TenantBackend:
        """Replace one tenant by an empty one with the same id, name and keys; drop its journal, faults, answers."""
        self.journal.clear(tenant.tenant_id)
        self.faults.clear(tenant.tenant_id)
        self.answers.clear(tenant.tenant_id)
        return self.backends.rebuild_tenant(tenant)

    def replace_backends(self, backends: Backends) -> None:
        """Swap in a state root built elsewhere (snapshot restore)."""
        self.backends = backends
