"""What an agent run needs from the rest of the emulator: the chat retrieval and the answer engine, reused."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from mockserver.core.catalog import split_model_id
from mockserver.families.agents.canvas import CanvasFailure, Generated, RetrievalParams
from mockserver.families.agents.executor import FlowServices
from mockserver.families.chats.answers import AnswerSettings, engine_of, search
from mockserver.state.backend import TenantBackend
from mockserver.state.emulator import EmulatorState

_CITATION_RE = re.compile(r" ?##\d+\$\$")
"""A citation marker with its leading space: what the model's raw stream does not contain yet."""


def answer_settings(params: RetrievalParams | None, quote: bool) -> AnswerSettings:
    """A Retrieval component's parameters as the answer engine's settings (keywords weight = 1 − vector)."""
    if params is None:
        return AnswerSettings(quote=quote)
    return AnswerSettings(
        top_n=params.top_n,
        top_k=params.top_k,
        similarity_threshold=params.similarity_threshold,
        vector_similarity_weight=1 - params.keywords_similarity_weight,
        quote=quote,
    )


class TenantFlowServices:
    """`FlowServices` for one tenant of one app."""

    def __init__(self, state: EmulatorState, tenant: TenantBackend) -> None:
        self.state = state
        self.tenant = tenant

    def retrieve(self, query: str, params: RetrievalParams) -> list[dict[str, Any]] | None:
        """Chunks for `query` over the component's datasets the tenant owns (None: none of them exists)."""
        datasets = [d for d in (self.tenant.datasets.get(i) for i in params.kb_ids) if d is not None]
        if not datasets:
            return None
        if len({split_model_id(d.embd_id)[0] for d in datasets}) > 1:
            raise CanvasFailure("Knowledge bases use different embedding models.", "AssertionError")
        found = search(self.tenant, query, [d.id for d in datasets], answer_settings(params, quote=True))
        chunks: list[dict[str, Any]] = found.get("chunks") or []
        return chunks

    def generate(
        self, question: str, prompt: str, dataset_ids: list[str], params: RetrievalParams | None, cite: bool
    ) -> Generated:
        """The answer engine's answer (scripted rules first); streamed without markers, cited at the end."""
        owned = [i for i in dataset_ids if self.tenant.datasets.get(i) is not None]
        answer = engine_of(self.state).answer(self.tenant, question, owned, answer_settings(params, cite))
        scripted = answer.rule is not None
        plain = answer if scripted or not cite else dataclasses.replace(answer, text=_CITATION_RE.sub("", answer.text))
        pieces, text = [], ""
        for piece in plain.pieces:
            text += piece
            pieces.append(text)
        canned = answer.reference.get("chunks") if scripted and answer.rule and answer.rule.reference else None
        return Generated(
            pieces=pieces,
            cited=answer.full_text if cite else None,
            chunks=canned,
            tokens_per_second=answer.tokens_per_second,
            first_token_delay=answer.first_token_delay,
        )


def flow_services(state: EmulatorState, tenant: TenantBackend) -> FlowServices:
    """The services an agent of `tenant` runs with."""
    return TenantFlowServices(state, tenant)
