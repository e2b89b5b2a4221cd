"""The answer engine: scripted answers first (YAML fixtures + runtime rules), else a grounded answer from retrieval.

Used by chat completions, the OpenAI-compatible chat, `/sessions/ask`, agents and the legacy API. Answers are
deterministic: the same question over the same data gives the same text, citations and reference.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.answer_text import (
    NOT_FOUND_SENTENCE,
    canned_reference,
    cited_reference,
    grounded_text,
    pieces_of,
    solo_text,
)
from mockserver.errors import DataError
from mockserver.paths import fixtures_dir

if TYPE_CHECKING:
    from mockserver.backend import TenantBackend

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


@dataclass(frozen=True)
class AnswerSettings:
    """What the caller knows about the assistant: retrieval parameters, quoting, empty response, identity."""

    chat_id: str | None = None
    chat_name: str | None = None
    top_n: int = 6
    top_k: int = 1024
    similarity_threshold: float = 0.2
    vector_similarity_weight: float = 0.3
    rerank_id: str = ""
    document_ids: tuple[str, ...] = ()
    quote: bool = True
    """Cite (markers + reference); False answers without citations and with `reference` `{}`."""
    empty_response: str | None = None
    """Said instead of answering when nothing is retrieved (falsy: the model answers anyway)."""
    use_knowledge: bool = True
    """False when the assistant's variables lack `knowledge` (nothing is retrieved)."""


@dataclass
class Answer:
    """One answer: its text, reasoning, reference and the pieces a model would stream."""

    text: str
    reference: dict[str, Any]
    """`{"total","chunks","doc_aggs"}` (chunks in the §5.1 format) when knowledge was cited, else `{}`."""
    retrieval: dict[str, Any] = field(default_factory=dict)
    """What retrieval found (same shape as `reference`), whether or not it is cited."""
    reasoning: str = ""
    empty: bool = False
    """True when this is the assistant's `empty_response` (nothing retrieved, the model was not asked)."""
    rule: AnswerRule | None = None
    knowledge: list[str] = field(default_factory=list)
    """The chunk texts handed to the model (the prompt's knowledge section)."""

    @property
    def full_text(self) -> str:
        """What the model streams: `<think>reasoning</think>` (if any) then the answer."""
        return f"<think>{self.reasoning}</think>{self.text}" if self.reasoning else self.text

    @property
    def pieces(self) -> list[str]:
        """Token-sized pieces of `full_text` (each word with its leading space); they join back to it."""
        return pieces_of(self.full_text)

    @property
    def tokens_per_second(self) -> float | None:
        """Pacing override of a scripted answer."""
        return None if self.rule is None else self.rule.tokens_per_second

    @property
    def first_token_delay(self) -> float | None:
        """Pacing override of a scripted answer."""
        return None if self.rule is None else self.rule.first_token_delay


class AnswerEngine:
    """Scripted answers (fixtures, then runtime rules newest first) and the deterministic grounded answer."""

    def __init__(self, fixture_rules: Iterable[AnswerRule] = ()) -> None:
        self.fixture_rules: list[AnswerRule] = list(fixture_rules)
        self.rules: list[AnswerRule] = []
        self._lock = threading.Lock()

    @classmethod
    def from_directory(cls, directory: Path | None = None) -> AnswerEngine:
        """An engine with every `*.yaml` of a directory (default `fixtures/answers/`) or one YAML file loaded."""
        base = directory or fixtures_dir() / "answers"
        rules: list[AnswerRule] = []
        paths = sorted(base.glob("*.yaml")) if base.is_dir() else [base] if base.is_file() else []
        for path in paths:
            rules.extend(load_rules(path))
        return cls(rules)

    @classmethod
    def from_setting(cls, source: str | None) -> AnswerEngine:
        """The engine `Settings.answers` asks for: none, the shipped fixtures, or a directory/file."""
        if not source:
            return cls([])
        return cls.from_directory(None if source == "fixtures" else Path(source))

    # -- runtime rules (control plane, pytest plugin) ----------------------------------------------
    def add(self, rule: AnswerRule | Mapping[str, Any]) -> AnswerRule:
        """Add a runtime rule; it wins over older rules and the fixtures."""
        built = rule if isinstance(rule, AnswerRule) else AnswerRule.from_mapping(rule)
        with self._lock:
            self.rules.insert(0, built)
        return built

    def clear(self) -> int:
        """Forget every runtime rule (fixture rules stay); returns how many were removed."""
        with self._lock:
            removed = len(self.rules)
            self.rules.clear()
        return removed

    def script(self, spec: Mapping[str, Any], tenant_id: str | None = None) -> AnswerRule:
        """Control-plane entry: add a rule from its JSON form, optionally only for one tenant."""
        return self.add(AnswerRule.from_mapping(spec, tenant_id=tenant_id))

    def scripted(self) -> list[AnswerRule]:
        """Runtime rules (newest first), then fixture rules."""
        return [*self.rules, *self.fixture_rules]

    def clear_scripted(self, tenant_id: str | None = None) -> int:
        """Forget runtime rules (only one tenant's when `tenant_id` is given)."""
        if tenant_id is None:
            return self.clear()
        with self._lock:
            kept = [r for r in self.rules if r.tenant_id != tenant_id]
            removed = len(self.rules) - len(kept)
            self.rules[:] = kept
        return removed

    # -- answering -----------------------------------------------------------------------------------
    def match(
        self, tenant: TenantBackend, question: str, dataset_ids: Iterable[str], settings: AnswerSettings
    ) -> AnswerRule | None:
        """The first scripted rule that applies (consuming one of its `times`)."""
        wanted = _dataset_keys(tenant, dataset_ids)
        with self._lock:
            for rule in self.scripted():
                if rule.tenant_id is not None and rule.tenant_id != tenant.tenant_id:
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.chat is not None and rule.chat not in (settings.chat_id, settings.chat_name):
                    continue
                if rule.datasets and not wanted & {d.lower() for d in rule.datasets}:
                    continue
                if not rule.pattern.search(question):
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None

    def answer(
        self, tenant: TenantBackend, question: str, dataset_ids: Iterable[str], settings: AnswerSettings
    ) -> Answer:
        """Answer a question over some datasets: a matching scripted rule, else the grounded answer."""
        ids = [d for d in dataset_ids if isinstance(d, str)]
        rule = self.match(tenant, question, ids, settings)
        found = search(tenant, question, ids, settings) if ids and settings.use_knowledge else {}
        if rule is not None:
            return scripted_answer(rule, found, settings)
        if not ids:
            return Answer(text=solo_text(question), reference={})
        chunks = found.get("chunks") or []
        if not chunks:
            if settings.empty_response:
                empty_reference = found or {"total": 0, "chunks": [], "doc_aggs": []}
                return Answer(settings.empty_response, empty_reference, found, empty=True)
            return Answer(NOT_FOUND_SENTENCE, {}, found)
        text = grounded_text(question, [c["content"] for c in chunks], settings.quote)
        reference = cited_reference(found, text) if settings.quote else {}
        return Answer(text, reference, found, knowledge=[c["content"] for c in chunks])


@functools.lru_cache(maxsize=64)
def _parsed_yaml(path: Path, mtime_ns: int) -> Any:
    """A YAML file's data, parsed once per version of the file (apps in one process share it; read-only)."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_bytes(), Loader=loader)


def load_rules(path: Path) -> list[AnswerRule]:
    """Rules of one answers YAML file (`answers:` list); errors name the file and the rule."""
    data = _parsed_yaml(path, path.stat().st_mtime_ns) or {}
    items = data.get("answers", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected `answers:` to be a list")
    rules = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ValueError(f"{path}: answers[{index}] must be a mapping")
        try:
            rules.append(AnswerRule.from_mapping(item, source=path.name))
        except ValueError as exc:
            raise ValueError(f"{path}: answers[{index}]: {exc}") from None
    return rules


def _dataset_keys(tenant: TenantBackend, dataset_ids: Iterable[str]) -> set[str]:
    keys: set[str] = set()
    for dataset_id in dataset_ids:
        keys.add(dataset_id.lower())
        dataset = tenant.datasets.get(dataset_id)
        if dataset is not None:
            keys.add(dataset.name.lower())
    return keys


def search(tenant: TenantBackend, question: str, dataset_ids: list[str], settings: AnswerSettings) -> dict[str, Any]:
    """Retrieval over the datasets as the chat does it: page 1 of `top_n`, rendered as a chat reference."""
    from mockserver.resources.retrieval import RetrievalQuery, render_reference, retrieve

    query = RetrievalQuery(
        question=question,
        dataset_ids=dataset_ids,
        document_ids=list(settings.document_ids),
        page=1,
        page_size=settings.top_n,
        similarity_threshold=settings.similarity_threshold,
        vector_similarity_weight=settings.vector_similarity_weight,
        top_k=settings.top_k,
        rerank_id=settings.rerank_id or None,
    )
    try:
        return render_reference(retrieve(tenant, query))
    except DataError:  # no chunk indexed at all: nothing retrieved
        return {"total": 0, "chunks": [], "doc_aggs": []}


def scripted_answer(rule: AnswerRule, found: dict[str, Any], settings: AnswerSettings) -> Answer:
    """A scripted rule's answer, citing its canned chunks or (without them) what retrieval found."""
    reference = canned_reference(rule.reference) if rule.reference is not None else found
    cited = cited_reference(reference, rule.answer) if settings.quote and reference.get("chunks") else {}
    knowledge = [c["content"] for c in reference.get("chunks") or []]
    return Answer(rule.answer, cited, found, reasoning=rule.reasoning or "", rule=rule, knowledge=knowledge)


def engine_of(state: Any) -> AnswerEngine:
    """The app's answer engine (`state.extensions["answers"]`), created with the fixture rules on first use."""
    engine: AnswerEngine | None = state.extensions.get("answers")
    if engine is None:
        engine = state.extensions.setdefault("answers", AnswerEngine.from_setting(state.settings.answers))
    return engine
