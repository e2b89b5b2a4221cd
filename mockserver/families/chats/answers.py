"""The answer engine: scripted answers first (YAML fixtures + runtime rules), else a grounded answer from retrieval.

Used by chat completions, the OpenAI-compatible chat, `/sessions/ask`, agents and the legacy API. Answers are
deterministic: the same question over the same data gives the same text, citations and reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mockserver.core.answer_text import (
    NOT_FOUND_SENTENCE,
    canned_reference,
    cited_reference,
    grounded_text,
    pieces_of,
    solo_text,
)
from mockserver.core.errors import DataError
from mockserver.families.retrieval.service import RetrievalQuery, render_reference, retrieve
from mockserver.state.backend import TenantBackend
from mockserver.state.emulator import EmulatorState
from mockserver.state.scripted_answers import AnswerRule, ScriptedAnswers


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
    """Answers a question: a matching scripted rule of the app, else the deterministic grounded answer."""

    def __init__(self, scripted: ScriptedAnswers) -> None:
        self.scripted = scripted

    def answer(
        self, tenant: TenantBackend, question: str, dataset_ids: Iterable[str], settings: AnswerSettings
    ) -> Answer:
        """Answer a question over some datasets: a matching scripted rule, else the grounded answer."""
        ids = [d for d in dataset_ids if isinstance(d, str)]
        rule = self.scripted.match(
            tenant.tenant_id, question, _dataset_keys(tenant, ids), (settings.chat_id, settings.chat_name)
        )
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
        contents = [c["content"] for c in chunks]
        text = grounded_text(question, contents, settings.quote, lambda term: tenant.index.idf(term, ids))
        reference = cited_reference(found, text) if settings.quote else {}
        return Answer(text, reference, found, knowledge=[c["content"] for c in chunks])


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


def engine_of(state: EmulatorState) -> AnswerEngine:
    """The answer engine over the app's scripted answers."""
    return AnswerEngine(state.answers)
