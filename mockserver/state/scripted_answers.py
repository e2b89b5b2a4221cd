"""Scripted answers as data: `AnswerRule`s (shipped fixtures and runtime rules) and the app's `ScriptedAnswers`."""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_RULE_KEYS = frozenset(
    {"name", "match", "answer", "reasoning", "chat", "datasets", "reference", "pacing", "times", "tenant_id"}
)


@dataclass
class AnswerRule:
    """One scripted answer: when it matches and what it answers (format: fixtures/README.md, Answers)."""

    answer: str
    match: str = ".*"
    """Regex searched (case-insensitively) in the question."""
    name: str | None = None
    reasoning: str | None = None
    """Optional thinking text, streamed as `<think>…</think>` before the answer (OpenAI `reasoning_content`)."""
    chat: str | None = None
    """Only for this chat (id or name)."""
    datasets: list[str] = field(default_factory=list)
    """Only when one of these datasets (ids or names) is searched."""
    reference: list[dict[str, Any]] | None = None
    """Canned reference chunks; None cites what retrieval finds."""
    tokens_per_second: float | None = None
    first_token_delay: float | None = None
    times: int | None = None
    """How many more times the rule may answer (None: unlimited)."""
    tenant_id: str | None = None
    """Only for this tenant (rules scripted through the control plane or the pytest plugin)."""
    source: str = "runtime"
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.pattern = re.compile(self.match, re.IGNORECASE)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, source: str = "runtime", tenant_id: str | None = None
    ) -> AnswerRule:
        """Build a rule from its YAML/JSON form; `ValueError` names what is wrong."""
        unknown = sorted(set(data) - _RULE_KEYS)
        if unknown:
            raise ValueError(f"unknown answer rule keys: {', '.join(unknown)}")
        answer = data.get("answer")
        if not isinstance(answer, str):
            raise ValueError("an answer rule needs `answer` (a string)")
        pacing = data.get("pacing") or {}
        if not isinstance(pacing, Mapping):
            raise ValueError("`pacing` must be a mapping with tokens_per_second / first_token_delay")
        reference = data.get("reference")
        if reference is not None and not (
            isinstance(reference, list) and all(isinstance(c, Mapping) and "content" in c for c in reference)
        ):
            raise ValueError("`reference` must be a list of chunks, each with `content`")
        datasets = data.get("datasets") or []
        if isinstance(datasets, str):
            datasets = [datasets]
        try:
            return cls(
                answer=answer,
                match=str(data.get("match", ".*")),
                name=data.get("name"),
                reasoning=data.get("reasoning"),
                chat=data.get("chat"),
                datasets=[str(d) for d in datasets],
                reference=[dict(c) for c in reference] if reference is not None else None,
                tokens_per_second=_optional_float(pacing.get("tokens_per_second")),
                first_token_delay=_optional_float(pacing.get("first_token_delay")),
                times=None if data.get("times") is None else int(data["times"]),
                tenant_id=data.get("tenant_id", tenant_id),
                source=source,
            )
        except re.error as exc:
            raise ValueError(f"`match` is not a valid regex: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        """The rule as the control plane lists it."""
        return {
            "name": self.name,
            "match": self.match,
            "answer": self.answer,
            "reasoning": self.reasoning,
            "chat": self.chat,
            "datasets": list(self.datasets),
            "reference": self.reference,
            "pacing": {"tokens_per_second": self.tokens_per_second, "first_token_delay": self.first_token_delay},
            "times": self.times,
            "tenant_id": self.tenant_id,
            "source": self.source,
        }


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


class ScriptedAnswers:
    """The app's scripted answers: runtime rules (newest first) over the fixture rules it was built with."""

    def __init__(self, fixture_rules: Iterable[AnswerRule] = ()) -> None:
        self.fixture_rules: list[AnswerRule] = [copy.copy(rule) for rule in fixture_rules]
        """Copies: a rule's `times` counts down as it answers, the pristine fixtures stay as loaded."""
        self.rules: list[AnswerRule] = []
        self._lock = threading.Lock()

    def add(self, rule: AnswerRule | Mapping[str, Any], tenant_id: str | None = None) -> AnswerRule:
        """Add a runtime rule (from its JSON form, optionally for one tenant); it wins over older rules."""
        built = rule if isinstance(rule, AnswerRule) else AnswerRule.from_mapping(rule, tenant_id=tenant_id)
        with self._lock:
            self.rules.insert(0, built)
        return built

    def scripted(self) -> list[AnswerRule]:
        """Runtime rules (newest first), then fixture rules."""
        return [*self.rules, *self.fixture_rules]

    def clear(self, tenant_id: str | None = None) -> int:
        """Forget runtime rules (only one tenant's when `tenant_id` is given); returns how many were removed."""
        with self._lock:
            kept = [] if tenant_id is None else [r for r in self.rules if r.tenant_id != tenant_id]
            removed = len(self.rules) - len(kept)
            self.rules[:] = kept
        return removed

    def match(
        self, tenant_id: str, question: str, dataset_keys: set[str], chat_keys: tuple[str | None, str | None]
    ) -> AnswerRule | None:
        """The first rule that applies (consuming one of its `times`).

        `dataset_keys` are the lower-cased ids and names of the datasets searched; `chat_keys` the chat's id
        and name.
        """
        with self._lock:
            for rule in self.scripted():
                if rule.tenant_id is not None and rule.tenant_id != tenant_id:
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.chat is not None and rule.chat not in chat_keys:
                    continue
                if rule.datasets and not dataset_keys & {d.lower() for d in rule.datasets}:
                    continue
                if not rule.pattern.search(question):
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None
