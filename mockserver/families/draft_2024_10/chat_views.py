"""Profile `2024-10-draft`: how chats and sessions look through the draft, its defaults, its Dialog coercion.

`keywords_similarity_weight` is the stored `vector_similarity_weight` (no `1 − x`), `prompt` keys are the API
names of `prompt_config`, session lists say `chat` and carry each answer's reference chunks.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.core.python_failures import index_out_of_range, no_attribute, not_iterable
from mockserver.families.chats.config import API_NAMES
from mockserver.families.chats.models import Chat, column_value
from mockserver.families.chats.sessions import Conversation

DRAFT_SYSTEM_PROMPT = (
    "你是一个智能助手，请总结知识库的内容来回答问题，请列举知识库中的数据详细回答。当所有知识库内容都与问题无关时，"
    "你的回答必须包括“知识库中未找到您要的答案！”这句话。回答需要考虑聊天历史。\n"
    "            以下是知识库：\n"
    "            {knowledge}\n"
    "            以上是知识库。"
)
DRAFT_PROMPT_DEFAULTS: dict[str, Any] = {
    "system": DRAFT_SYSTEM_PROMPT,
    "prologue": "您好，我是您的助手小樱，长得可爱又善良，can I help you?",
    "parameters": [{"key": "knowledge", "optional": False}],
    "empty_response": "Sorry! 知识库中未找到相关内容！",
}
"""The `prompt_config` keys 6329427ad5 fills when missing or falsy."""
SESSION_GREETING = "Hi! I am your assistant，can I help you?"
"""The fixed first message of a draft session (a full-width comma)."""
COLUMN_KEYS = ("similarity_threshold", "vector_similarity_weight", "top_n", "rerank_id")
_REFERENCE_KEYS = (
    ("id", "chunk_id", "id"),
    ("content", "content_with_weight", "content"),
    ("document_id", "doc_id", "document_id"),
    ("document_name", "docnm_kwd", "document_name"),
    ("knowledgebase_id", "kb_id", "dataset_id"),
    ("image_id", "img_id", "image_id"),
    ("similarity", "similarity", "similarity"),
    ("vector_similarity", "vector_similarity", "vector_similarity"),
    ("term_similarity", "term_similarity", "term_similarity"),
    ("positions", "positions", "positions"),
)
"""T21 reference chunk key ← (stored internal name, current-profile name)."""


def dialog_value(column: str, value: Any) -> Any:
    """What writing `value` into a Dialog column gives (the chats store's coercion); a config that is no object and
    dataset ids that are no list are refused with the crash their first use would raise."""
    if column in ("prompt_config", "llm_setting") and not isinstance(value, dict):
        raise no_attribute(value, "get")
    if column == "kb_ids" and not isinstance(value, list):
        raise not_iterable(value)
    return column_value(column, value)


def chat_view(chat: Chat, knowledgebases: Any, prompt: dict[str, Any] | None = None) -> dict[str, Any]:
    """The 17-key chat object (`knowledgebases` as given: the request's objects, or the stored dataset rows)."""
    llm = copy.deepcopy(chat.llm_setting) if isinstance(chat.llm_setting, dict) else {}
    llm["model_name"] = chat.llm_id
    return {
        "avatar": chat.icon,
        "create_date": chat.create_date,
        "create_time": chat.create_time,
        "description": chat.description,
        "do_refer": chat.do_refer,
        "id": chat.id,
        "knowledgebases": knowledgebases,
        "language": chat.language,
        "llm": llm,
        "name": chat.name,
        "prompt": prompt_view(chat) if prompt is None else prompt,
        "prompt_type": chat.prompt_type,
        "status": chat.status,
        "tenant_id": chat.tenant_id,
        "top_k": chat.top_k,
        "update_date": chat.update_date,
        "update_time": chat.update_time,
    }


def prompt_view(chat: Chat, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `prompt` object: the renamed config plus the four column values (weight as stored)."""
    prompt = {} if into is None else into
    config = chat.prompt_config if isinstance(chat.prompt_config, dict) else {}
    prompt.update({API_NAMES.get(k, k): copy.deepcopy(v) for k, v in config.items()})
    prompt.update(
        {
            "similarity_threshold": chat.similarity_threshold,
            "keywords_similarity_weight": chat.vector_similarity_weight,
            "top_n": chat.top_n,
            "rerank_model": chat.rerank_id,
        }
    )
    return prompt


def session_view(session: Conversation) -> dict[str, Any]:
    """T20: the 8-key session object."""
    return {
        "chat_id": session.dialog_id,
        "create_date": session.create_date,
        "create_time": session.create_time,
        "id": session.id,
        "messages": copy.deepcopy(session.message),
        "name": session.name,
        "update_date": session.update_date,
        "update_time": session.update_time,
    }


def session_item(session: Conversation) -> dict[str, Any]:
    """T21: `chat` instead of `chat_id`; each answer after the opener carries its reference chunks."""
    view = session_view(session)
    view["chat"] = view.pop("chat_id")
    entry = 0
    for message in view["messages"][1:]:
        if message.get("role") == "user":
            continue
        if entry >= len(session.reference):
            raise index_out_of_range()
        stored = session.reference[entry]
        chunks = stored.get("chunks", []) if isinstance(stored, dict) else []
        message["reference"] = [
            {key: chunk.get(internal, chunk.get(api)) for key, internal, api in _REFERENCE_KEYS}
            for chunk in chunks
            if isinstance(chunk, dict)
        ]
        entry += 1
    return dict(sorted(view.items()))
