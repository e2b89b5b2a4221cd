"""The legacy `/v1/api` rules over the other families' stores: keys, usage stats, conversations, completions.

Legacy conversations are API4Conversation rows, the table agent sessions live in, so they are kept in
`tenant.agent_sessions` (chat conversations with `source` null, agent ones with `source` "agent"). The server
looks rows up by id without checking whose they are; `LegacyScope` says which tenants such a lookup reaches.
"""

from __future__ import annotations

import copy
import re
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from mockserver.core.errors import AuthError, DataError, PythonError
from mockserver.core.ids import IdFactory
from mockserver.core.python_failures import bad_index, item, key_error, no_attribute, not_iterable, python_semantics
from mockserver.core.search import tokenize
from mockserver.families.accounts.tokens import issue_api_token
from mockserver.families.agents.canvas import Canvas
from mockserver.families.agents.sessions import AgentSession
from mockserver.families.chats.engine import ChatEvent
from mockserver.families.chats.models import Chat
from mockserver.state.backend import ApiToken, Backends, TenantBackend

AGENT_STREAM_FAILURE = ("AssertionError", "Nothing. Is it over?")
AGENT_BLOCKING_FAILURE = (
    "ValueError",
    "The truth value of a DataFrame is ambiguous. Use a.empty, a.bool(), a.item(), a.any() or a.all().",
)
"""How this commit's legacy endpoints fail for agent conversations (streamed / not streamed)."""
_AIBOTK_MARKER = re.compile(r"##\d\$\$")
_STAT_KEYS = ("pv", "uv", "speed", "tokens", "round", "thumb_up")


def _no_args() -> PythonError:
    """What the server's legacy code hits for an agent it cannot load (`e.args` on a string)."""
    return no_attribute("", "args")


class LegacyScope:
    """The caller's tenant and whose rows an unscoped server lookup may reach (only its own under isolation)."""

    def __init__(self, backends: Backends, tenant: TenantBackend) -> None:
        self.backends = backends
        self.tenant = tenant

    def tenants(self) -> list[TenantBackend]:
        """The caller's tenant first, then (isolation off) every other tenant."""
        own = self.tenant
        if self.backends.settings.strict_tenant_isolation:
            return [own]
        return [own, *(t for t in self.backends.tenants.values() if t is not own)]

    def conversation(self, conversation_id: Any) -> AgentSession | None:
        """An API4Conversation row by id (the server does not check whose it is)."""
        if not isinstance(conversation_id, str):
            return None
        for tenant in self.tenants():
            found = tenant.agent_sessions.get(conversation_id)
            if found is not None:
                return found
        return None

    def owner_of(self, conversation: AgentSession) -> TenantBackend:
        """The tenant whose store holds a conversation."""
        return next(t for t in self.tenants() if t.agent_sessions.items.get(conversation.id) is conversation)

    def dialog_tokens(self, dialog_id: str) -> list[ApiToken]:
        """The keys bound to a chat or agent, in creation order."""
        rows = self.backends.dialog_tokens(dialog_id)
        own = self.tenant.tenant_id
        if self.backends.settings.strict_tenant_isolation:
            return [row for row in rows if row.tenant_id == own]
        if all(row.tenant_id == own for row in rows):
            return rows
        position = {tenant_id: i for i, tenant_id in enumerate(self.backends.tenants)}
        known = [row for row in rows if row.tenant_id in position]
        return sorted(known, key=lambda row: (row.tenant_id != own, position[row.tenant_id]))


# -- keys and stats (web login) ----------------------------------------------------------------------
def create_token(scope: LegacyScope, canvas_id: Any, dialog_id: Any) -> ApiToken:
    """createLegacyToken: a key bound to the agent `canvas_id` (source "agent") if given, else to `dialog_id`."""
    if canvas_id:
        return issue_api_token(scope.backends, scope.tenant, dialog_id=str(canvas_id), source="agent")
    return issue_api_token(scope.backends, scope.tenant, dialog_id=str(dialog_id), source=None)


def token_view(row: ApiToken) -> dict[str, Any]:
    """A new key's row as `new_token` answers it (the row as inserted: no update columns yet)."""
    return {
        "create_date": row.create_date,
        "create_time": row.create_time,
        "dialog_id": row.dialog_id,
        "tenant_id": row.tenant_id,
        "token": row.token,
        "update_date": None,
        "update_time": None,
    }


def usage_stats(tenant: TenantBackend, from_date: str | None, to_date: str | None, *, agent: bool) -> dict[str, Any]:
    """getLegacyStats: per-day pv, uv, speed, tokens, round, thumb_up of the tenant's conversations.

    The range defaults to the last 7 days up to now; a bare `YYYY-MM-DD` end date covers that whole day.
    """
    clock = tenant.clock
    now = datetime.fromtimestamp(clock.now(), clock.zone).replace(tzinfo=None)
    start = from_date if from_date is not None else (now - timedelta(days=7)).strftime("%Y-%m-%d 00:00:00")
    end = to_date if to_date is not None else now.strftime("%Y-%m-%d %H:%M:%S")
    if len(end) == 10:
        end += " 23:59:59"
    source = "agent" if agent else None
    chats = tenant.chats.items
    days: dict[str, list[AgentSession]] = {}
    for row in tenant.agent_sessions.items.values():
        stamp = clock.local_datetime(row.create_time / 1000)
        if row.dialog_id in chats and row.source == source and start <= stamp <= end:
            days.setdefault(stamp[:10], []).append(row)
    stats = []
    for day, rows in sorted(days.items()):
        tokens, duration = sum(r.tokens for r in rows), sum(r.duration for r in rows)
        stats.append(
            {
                "dt": day,
                "pv": len(rows),
                "uv": len({r.user_id for r in rows}),
                "speed": float(tokens) / (float(duration) + 0.1),
                "tokens": float(tokens) / 1000.0,
                "round": f"{sum(r.round for r in rows) / len(rows):.4f}",
                "thumb_up": str(sum(r.thumb_up for r in rows)),
            }
        )
    return {key: [[s["dt"], s[key]] for s in stats] for key in _STAT_KEYS}


# -- conversations (chatbot key) ---------------------------------------------------------------------
def new_conversation(tenant: TenantBackend, key: ApiToken, user_id: str) -> dict[str, Any]:
    """createLegacyConversation: a conversation of the key's chat (or agent) holding its opener."""
    dialog_id = key.dialog_id or ""
    if key.source == "agent":
        agent = tenant.agents.get(dialog_id)
        if agent is None:
            raise _no_args()
        canvas = Canvas(agent.dsl)
        canvas.reset()
        message = [{"role": "assistant", "content": canvas.prologue()}]
        conversation = tenant.agent_sessions.create(agent.id, user_id, message, canvas.to_dsl())
        data = {"id": conversation.id, "dialog_id": agent.id, "user_id": user_id, "message": message}
        return {**data, "source": "agent"}
    chat = tenant.chats.items.get(dialog_id)
    if chat is None:
        raise DataError("Dialog not found")
    message = [{"content": chat.prologue, "role": "assistant"}]
    conversation = tenant.agent_sessions.create(chat.id, user_id, message, {})
    conversation.source = None
    return {"dialog_id": chat.id, "id": conversation.id, "message": message, "user_id": user_id}


def read_conversation(scope: LegacyScope, conversation_id: Any, key: ApiToken) -> dict[str, Any]:
    """getLegacyConversation: the row, readable by the dialog's first key only; chunks' `docnm_kwd` → `doc_name`."""
    conversation = scope.conversation(conversation_id)
    if conversation is None:
        raise DataError("Conversation not found!")
    keys = scope.dialog_tokens(conversation.dialog_id)
    with python_semantics():
        first = keys[0]
    if first.token != key.token:
        raise AuthError('Authentication error: API key is invalid for this conversation_id!"')
    data = copy.deepcopy(asdict(conversation))
    for entry in data["reference"]:
        if not entry:
            continue
        if not isinstance(entry, dict):
            raise key_error("chunks")
        for chunk in item(entry, "chunks"):
            if isinstance(chunk, dict) and "docnm_kwd" in chunk:
                chunk["doc_name"] = chunk.pop("docnm_kwd")
    return data


# -- completions -------------------------------------------------------------------------------------
def legacy_reference(tenant: TenantBackend, reference: Any) -> Any:
    """A chat reference with raw retrieval chunks (`docnm_kwd` already renamed `doc_name`, moved last)."""
    if not isinstance(reference, dict) or not reference.get("chunks"):
        return reference
    chunks = []
    for chunk in reference["chunks"]:
        stored = tenant.chunks.get(chunk["id"])
        chunks.append(
            {
                "chunk_id": chunk["id"],
                "content_ltks": " ".join(tokenize(chunk["content"])),
                "content_with_weight": chunk["content"],
                "doc_id": chunk["document_id"],
                "kb_id": chunk["dataset_id"],
                "important_kwd": list(stored.important_kwd) if stored is not None else [],
                "image_id": chunk["image_id"],
                "similarity": chunk["similarity"],
                "vector_similarity": chunk["vector_similarity"],
                "term_similarity": chunk["term_similarity"],
                "positions": chunk["positions"],
                "doc_name": chunk["document_name"],
            }
        )
    return {**reference, "chunks": chunks}


def client_question(messages: Any, ids: IdFactory) -> dict[str, Any]:
    """createLegacyCompletion: the client's last message (an id given when it has none).

    System messages and leading assistant messages do not count; nothing left is Python's IndexError.
    """
    if not isinstance(messages, list):
        raise not_iterable(messages)
    kept: list[dict[str, Any]] = []
    for message in messages:
        role = item(message, "role")
        if role == "system" or (role == "assistant" and not kept):
            continue
        kept.append(message)
    with python_semantics():
        question = kept[-1]
    if not question.get("id"):
        question["id"] = ids.entity()
    return question


def dialog_of(scope: LegacyScope, conversation: AgentSession, *, stream: bool) -> tuple[TenantBackend, Chat]:
    """createLegacyCompletion, createLegacyAibotkCompletion: the conversation's chat and its owner.

    Agent conversations fail the way this commit's legacy code does.
    """
    owner = scope.owner_of(conversation)
    if conversation.source == "agent":
        if owner.agents.get(conversation.dialog_id) is None:
            raise _no_args()
        raise PythonError(*(AGENT_STREAM_FAILURE if stream else AGENT_BLOCKING_FAILURE))
    chat = owner.chats.items.get(conversation.dialog_id)
    if chat is None:
        raise DataError("Dialog not found!")
    return owner, chat


class LegacyTurn:
    """A question being answered in a legacy conversation; writes the answer back like `fillin_conv`."""

    def __init__(self, tenant: TenantBackend, conversation: AgentSession, question: dict[str, Any]) -> None:
        self.tenant, self.conversation = tenant, conversation
        self.message_id: str = question["id"]
        self.message = [*conversation.message, question, {"role": "assistant", "content": "", "id": self.message_id}]
        self.reference = [*conversation.reference, {"chunks": [], "doc_aggs": []}]

    def fill(self, event: ChatEvent) -> dict[str, Any]:
        """One answer event as the client sees it (`id` added, raw reference chunks)."""
        data = dict(event.data)
        data["reference"] = legacy_reference(self.tenant, data.get("reference"))
        self.reference[-1] = data["reference"]
        self.message[-1] = {"role": "assistant", "content": data["answer"], "id": self.message_id}
        data["id"] = self.message_id
        return data

    def save(self) -> None:
        """`append_message`: store the lists and count one round."""
        self.conversation.message, self.conversation.reference = self.message, self.reference
        self.tenant.agent_sessions.append_message(self.conversation)


def aibotk_data(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """createLegacyAibotkCompletion's `data`: the answer without citation markers (a cited image crashes)."""
    data: list[dict[str, Any]] = [{"type": 1, "content": _AIBOTK_MARKER.sub("", answer["answer"])}]
    for marker in _AIBOTK_MARKER.findall(answer["answer"])[:1]:
        reference = answer["reference"]
        if not isinstance(reference, dict):
            raise bad_index(reference, "chunks")
        chunks = reference.get("chunks", [])
        with python_semantics():
            chunks[int(marker[2])]
        raise key_error("img_id")  # raw chunks carry `image_id`: the server's `chunk["img_id"]` always fails
    return data
