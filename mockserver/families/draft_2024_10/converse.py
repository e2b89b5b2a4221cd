"""Profile `2024-10-draft`: what a conversation turn shows and stores (raw reference chunks, the debug prompt)."""

from __future__ import annotations

import copy
from typing import Any

from mockserver.core.search import tokenized
from mockserver.families.chats.sessions import Conversation
from mockserver.state.backend import TenantBackend

KNOWLEDGE_SEPARATOR = "\n\n------\n\n"


def draft_reference(tenant: TenantBackend, reference: dict[str, Any]) -> Any:
    """The final event's `reference`: raw retrieval chunks (`chunk_id`, `content_with_weight`, …), or `[]` when
    nothing is cited."""
    chunks = reference.get("chunks") if isinstance(reference, dict) else None
    if not chunks:
        return []
    raw = []
    for chunk in chunks:
        stored = tenant.chunks.get(str(chunk.get("id")))
        content = str(chunk.get("content", ""))
        raw.append(
            {
                "chunk_id": chunk.get("id"),
                "content_ltks": tokenized(content),
                "content_with_weight": content,
                "doc_id": chunk.get("document_id"),
                "docnm_kwd": chunk.get("document_name"),
                "kb_id": chunk.get("dataset_id"),
                "important_kwd": list(stored.important_kwd) if stored is not None else [],
                "img_id": chunk.get("image_id") or "",
                "similarity": chunk.get("similarity"),
                "vector_similarity": chunk.get("vector_similarity"),
                "term_similarity": chunk.get("term_similarity"),
                "positions": chunk.get("positions") or [""],
            }
        )
    aggs = [
        {"doc_name": a.get("doc_name"), "doc_id": a.get("doc_id"), "count": a.get("count")}
        for a in reference.get("doc_aggs") or []
        if isinstance(a, dict)
    ]
    return {"total": reference.get("total", len(raw)), "chunks": raw, "doc_aggs": aggs}


def draft_prompt(system: Any, knowledge: list[str], question: str) -> str:
    """The final event's `prompt`: the system prompt with the knowledge, the query and the elapsed times."""
    text = str(system)
    filled = text.replace("{knowledge}", KNOWLEDGE_SEPARATOR.join(knowledge))
    return f"{filled}\n\n### Query:\n{question}\n\n### Elapsed\n  - Retrieval: 0.0 ms\n  - LLM: 0.0 ms"


def stored_turn(
    session: Conversation, question: Any, qid: str, answer: str, prompt: str, reference: Any
) -> tuple[list[dict[str, Any]], list[Any]]:
    """The session's messages and reference entries after the answer (the question and answer share `qid`)."""
    messages = copy.deepcopy(session.message)
    messages.append({"content": question, "role": "user", "id": qid})
    messages.append({"role": "assistant", "content": answer, "id": qid, "prompt": prompt})
    references = copy.deepcopy(session.reference) if session.reference else []
    references.append(copy.deepcopy(reference))
    return messages, references
