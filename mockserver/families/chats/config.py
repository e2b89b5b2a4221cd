"""Chat assistant configuration rules: API ⇄ internal field mapping, prompt defaults, model checks, Python semantics."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from mockserver.core.catalog import is_catalog_embedding
from mockserver.core.clock import Clock
from mockserver.core.errors import DataError
from mockserver.core.python_failures import item, iterate, no_attribute, unrecognized_field
from mockserver.core.tenancy import TenantContext

DEFAULT_SYSTEM_PROMPT = (
    "You are an intelligent assistant. Please summarize the content of the knowledge base to answer the question. "
    "Please list the data in the knowledge base and answer in detail. When all knowledge base content is irrelevant "
    'to the question, your answer must include the sentence "The answer you are looking for is not found in the '
    'knowledge base!" Answers need to consider chat history.\n'
    "      Here is the knowledge base:\n"
    "      {knowledge}\n"
    "      The above is the knowledge base."
)
DEFAULT_PROLOGUE = "Hi! I'm your assistant, what can I do for you?"
DEFAULT_EMPTY_RESPONSE = "Sorry! No relevant content was found in the knowledge base!"
DEFAULT_LLM_SETTING: dict[str, Any] = {
    "temperature": 0.1,
    "top_p": 0.3,
    "frequency_penalty": 0.7,
    "presence_penalty": 0.4,
    "max_tokens": 512,
}
PROMPT_DEFAULTS: dict[str, Any] = {
    "system": DEFAULT_SYSTEM_PROMPT,
    "prologue": DEFAULT_PROLOGUE,
    "parameters": [{"key": "knowledge", "optional": False}],
    "empty_response": DEFAULT_EMPTY_RESPONSE,
    "quote": True,
    "tts": False,
    "refine_multiturn": True,
}
"""`prompt_config` defaults, in the order the server fills them."""

INTERNAL_NAMES = {
    "variables": "parameters",
    "opener": "prologue",
    "show_quote": "quote",
    "prompt": "system",
    "rerank_model": "rerank_id",
    "keywords_similarity_weight": "vector_similarity_weight",
}
"""API name → internal name, in the server's renaming order."""
API_NAMES: dict[str, str] = {internal: api for api, internal in INTERNAL_NAMES.items()}
PROMPT_COLUMNS = ("similarity_threshold", "vector_similarity_weight", "top_n", "rerank_id", "top_k")
"""Keys moved out of `prompt` into Dialog columns."""
BUILTIN_RERANKERS = ("BAAI/bge-reranker-v2-m3", "maidalun1020/bce-reranker-base_v1")

CHAT_COLUMNS = (
    "id",
    "tenant_id",
    "name",
    "description",
    "icon",
    "language",
    "llm_id",
    "llm_setting",
    "prompt_type",
    "prompt_config",
    "similarity_threshold",
    "vector_similarity_weight",
    "top_n",
    "top_k",
    "do_refer",
    "rerank_id",
    "kb_ids",
    "status",
    "create_time",
    "create_date",
    "update_time",
    "update_date",
)
"""The Dialog table's columns, in declaration order."""
WRITABLE = frozenset(CHAT_COLUMNS) - {"id", "tenant_id", "create_time", "create_date", "update_time", "update_date"}
"""Columns a request may write (ids and timestamps are the emulator's; see docs/quirks.md)."""


class ModelTenant(TenantContext, Protocol):
    """What the model checks read of a tenant: its default models, configured models and reranker."""

    rerank_id: str
    """The tenant's default rerank model ("" for none)."""


def varchar(value: Any) -> Any:
    """What a VARCHAR/TEXT column gives back for a stored JSON value (peewee coerces scalars to text)."""
    if value is None or isinstance(value, str):
        return value
    return str(value)


def check_update_fields(req: dict[str, Any], columns: Iterable[str], clock: Clock) -> None:
    """peewee's `update(**data)` after `update_by_id` stamped the dict: an unknown key fails, printing it all."""
    now = clock.now()
    local = datetime.fromtimestamp(now, clock.zone).replace(tzinfo=None, microsecond=0)
    data = {**req, "update_time": clock.epoch_ms(now), "update_date": local}
    known = set(columns)
    for key in data:
        if key not in known:
            raise unrecognized_field(key, data)


# -- prompt config -------------------------------------------------------------------------------------
def fill_prompt_defaults(config: dict[str, Any]) -> None:
    """Apply the create defaults: absent keys (and a falsy `system`) get the server's values."""
    for key, default in PROMPT_DEFAULTS.items():
        if key not in config or (key == "system" and not config.get(key)):
            config[key] = copy.deepcopy(default)


def check_parameters(config: dict[str, Any]) -> None:
    """Every non-optional parameter must appear as `{key}` in the system prompt."""
    for parameter in iterate(item(config, "parameters")):
        if item(parameter, "optional"):
            continue
        key = item(parameter, "key")
        system = item(config, "system")
        if not isinstance(system, str):
            raise no_attribute(system, "find")
        if "{" + str(key) + "}" not in system:
            raise DataError(f"Parameter '{key}' is not used")


def api_prompt(chat: Any) -> dict[str, Any]:
    """The `prompt` object of a chat as the API shows it (renamed config plus the four column values)."""
    config = chat.prompt_config if isinstance(chat.prompt_config, dict) else {}
    prompt: dict[str, Any] = {API_NAMES.get(k) or k: copy.deepcopy(v) for k, v in config.items()}
    prompt.update(
        {
            "similarity_threshold": chat.similarity_threshold,
            "keywords_similarity_weight": 1 - chat.vector_similarity_weight,
            "top_n": chat.top_n,
            "rerank_model": chat.rerank_id,
        }
    )
    return prompt


def api_llm(chat: Any) -> dict[str, Any]:
    """The `llm` object: stored `llm_setting` plus `model_name`."""
    setting = copy.deepcopy(chat.llm_setting) if isinstance(chat.llm_setting, dict) else {}
    setting["model_name"] = chat.llm_id
    return setting


# -- models ---------------------------------------------------------------------------------------------
def _names(model_ids: Iterable[str]) -> set[str]:
    """Model ids and their `llm_name` parts (the text before the last `@`)."""
    found: set[str] = set()
    for model_id in model_ids:
        found.add(model_id)
        found.add(model_id.rpartition("@")[0] or model_id)
    return found


def chat_model_exists(tenant: ModelTenant, model_name: Any) -> bool:
    """Whether `model_name` is one of the tenant's chat models (`None` matches any, as the server's query does)."""
    if model_name is None:
        return True
    if not isinstance(model_name, str):
        return False
    configured = {m for m in tenant.configured_models if not is_catalog_embedding(m) and "rerank" not in m.lower()}
    return model_name in _names({tenant.llm_id, *configured})


def rerank_model_exists(tenant: ModelTenant, rerank_id: Any) -> bool:
    """Built-in rerankers, or a rerank model configured for the tenant."""
    if rerank_id in BUILTIN_RERANKERS:
        return True
    if not isinstance(rerank_id, str):
        return False
    configured = {m for m in tenant.configured_models if "rerank" in m.lower()}
    if tenant.rerank_id:
        configured.add(tenant.rerank_id)
    return rerank_id in _names(configured)
