"""Dialogs (chat assistants) and conversations (chat sessions) as the web UI manages them: `/v1/dialog/*`,
`/v1/conversation/*` and the turn `conversation/completion` answers."""

from __future__ import annotations

import copy
from typing import Any

from mockserver.core.catalog import split_model_id
from mockserver.core.python_failures import get, index_out_of_range, item, iterate
from mockserver.families.chats.config import CHAT_COLUMNS, check_update_fields, fill_prompt_defaults
from mockserver.families.chats.engine import Turn
from mockserver.families.chats.models import Chat
from mockserver.families.chats.sessions import CONVERSATION_COLUMNS, Conversation
from mockserver.families.webui.errors import data_error, owner_only
from mockserver.families.webui.rows import formatted_references
from mockserver.state.backend import TenantBackend

DIALOG_DEFAULTS: dict[str, Any] = {
    "name": "New Dialog",
    "description": "A helpful dialog",
    "icon": "",
    "top_n": 6,
    "top_k": 1024,
    "rerank_id": "",
    "similarity_threshold": 0.1,
    "vector_similarity_weight": 0.3,
    "llm_setting": {},
}
"""`dialog/set`'s defaults for a new dialog."""
CONVERSATION_OWNER = "conversation"


class WebDialogs:
    """The web dialog and conversation rules over one tenant."""

    def __init__(self, tenant: TenantBackend) -> None:
        self.tenant = tenant

    # -- dialogs ---------------------------------------------------------------------------------
    def any_dialog(self, dialog_id: Any) -> Chat | None:
        """A dialog of the tenant by id, whatever its status (the server's `get_by_id`)."""
        return self.tenant.chats.items.get(dialog_id) if isinstance(dialog_id, str) else None

    def kb_names(self, kb_ids: Any) -> tuple[list[str], list[str]]:
        """The dialog's knowledge bases that still exist: their ids and names, in order."""
        ids: list[str] = []
        names: list[str] = []
        for kb_id in iterate(kb_ids):
            dataset = self.tenant.datasets.get(kb_id) if isinstance(kb_id, str) else None
            if dataset is not None and dataset.status == "1":
                ids.append(dataset.id)
                names.append(dataset.name)
        return ids, names

    def set_dialog(self, body: dict[str, Any]) -> tuple[Chat, bool]:
        """setDialog: create (no `dialog_id`) or update; True when created."""
        config = copy.deepcopy(item(body, "prompt_config"))
        kb_ids = body.get("kb_ids", [])
        parameters = iterate(item(config, "parameters"))
        if not kb_ids:
            parameters = [p for p in parameters if get(p, "key") != "knowledge"]
            config["parameters"] = parameters
        system = str(config.get("system") or "")
        for parameter in parameters:
            if item(parameter, "optional"):
                continue
            key = item(parameter, "key")
            if "{" + str(key) + "}" not in system:
                raise data_error(f"Parameter '{key}' is not used")
        datasets = [self.tenant.datasets.get(k) for k in iterate(kb_ids) if isinstance(k, str)]
        models = {split_model_id(d.embd_id)[0] for d in datasets if d is not None}
        if len(models) > 1:
            embd_ids = [d.embd_id for d in datasets if d is not None]
            raise data_error(f'Datasets use different embedding models: {embd_ids}"')
        dialog_id = body.get("dialog_id")
        if not dialog_id:
            values = {key: copy.deepcopy(body.get(key, default)) for key, default in DIALOG_DEFAULTS.items()}
            values["rerank_id"] = values["rerank_id"] or ""
            fill_prompt_defaults(config)
            chat = self.tenant.chats.insert(
                **values,
                kb_ids=list(kb_ids),
                llm_id=body.get("llm_id", self.tenant.llm_id),
                prompt_config=config,
            )
            return chat, True
        existing = self.any_dialog(dialog_id)
        if existing is None:
            raise data_error("Dialog not found!")
        changes = {k: v for k, v in body.items() if k not in ("dialog_id", "kb_names")}
        changes["prompt_config"] = config
        if not changes.get("rerank_id"):
            changes["rerank_id"] = ""
        clock = self.tenant.clock
        check_update_fields(changes, CHAT_COLUMNS, clock)
        for key, value in changes.items():
            setattr(existing, key, copy.deepcopy(value))
        clock.touch(existing)
        return existing, False

    def dialogs(self) -> list[Chat]:
        """listDialogs: the tenant's valid dialogs, newest first."""
        return list(reversed(self.tenant.chats.valid()))

    def remove_dialogs(self, dialog_ids: Any) -> None:
        """removeDialogs: soft-delete (status "0"); every id must be one of the tenant's dialogs first."""
        targets = iterate(dialog_ids)
        chats = [self.any_dialog(dialog_id) for dialog_id in targets]
        if any(chat is None for chat in chats):
            raise owner_only("dialog")
        for chat in chats:
            if chat is not None:
                chat.status = "0"

    # -- conversations ---------------------------------------------------------------------------
    def conversation(self, conversation_id: Any) -> Conversation | None:
        """A conversation of the tenant by id."""
        if not isinstance(conversation_id, str):
            return None
        return self.tenant.sessions.items.get(conversation_id)

    def owned_conversation(self, conversation_id: Any) -> Conversation:
        """A conversation whose dialog is the caller's (missing: 102; another dialog: owner-only)."""
        found = self.conversation(conversation_id)
        if found is None:
            raise data_error("Conversation not found!")
        if self.any_dialog(found.dialog_id) is None:
            raise owner_only(CONVERSATION_OWNER)
        return found

    def create_conversation(self, body: dict[str, Any], name: Any) -> Conversation:
        """setConversation (is_new): the id the UI chose, the dialog's opener as first message."""
        chat = self.any_dialog(item(body, "dialog_id"))
        if chat is None:
            raise data_error("Dialog not found")
        return self.tenant.sessions.create(
            chat, name, self.tenant.tenant_id, session_id=str(body.get("conversation_id") or "") or None
        )

    def rename_conversation(self, conversation_id: Any, changes: dict[str, Any]) -> Conversation:
        """setConversation (not is_new): every other body key written to the row."""
        found = self.conversation(conversation_id)
        clock = self.tenant.clock
        check_update_fields(changes, CONVERSATION_COLUMNS, clock)
        if found is None:
            raise data_error("Conversation not found!")
        for key, value in changes.items():
            setattr(found, key, copy.deepcopy(value))
        clock.touch(found)
        return found

    def conversations(self, dialog_id: Any) -> list[Conversation]:
        """listConversations: the dialog's conversations, newest first (the dialog must be the caller's)."""
        chat = self.tenant.chats.items.get(dialog_id) if isinstance(dialog_id, str) else None
        if chat is None:
            raise owner_only("dialog")
        return list(reversed(self.tenant.sessions.of_chat(chat.id)))

    def remove_conversations(self, conversation_ids: Any) -> None:
        """removeConversations: each id checked, then deleted, one after the other."""
        for conversation_id in iterate(conversation_ids):
            found = self.owned_conversation(conversation_id)
            self.tenant.sessions.table.pop(found.id)

    def start_turn(self, conversation: Conversation, messages: Any) -> tuple[Turn, str]:
        """completeConversation: the turn the client's full history opens, and the question (the last message).

        System messages and leading assistant messages are dropped from what the model sees; the stored history
        becomes the client's, and a new empty reference entry is appended after the stored ones (reshaped).
        """
        kept: list[Any] = []
        for message in iterate(messages):
            role = item(message, "role")
            if role == "system" or (role == "assistant" and not kept):
                continue
            kept.append(message)
        if not kept:
            raise index_out_of_range()
        last = kept[-1]
        message_id = get(last, "id")
        history = copy.deepcopy(list(iterate(messages)))
        if not history or get(history[-1], "role") != "assistant":
            history.append({"role": "assistant", "content": "", "id": message_id})
        reference = formatted_references(conversation.reference)
        reference.append({"chunks": [], "doc_aggs": []})
        turn = Turn(history, reference, message_id, conversation.id, self.tenant.clock.now())
        question = item(last, "content")
        return turn, question if isinstance(question, str) else str(question)

    def save_turn(self, conversation: Conversation, turn: Turn) -> None:
        """The answered turn becomes the conversation's history and references."""
        conversation.message, conversation.reference = turn.message, turn.reference
        self.tenant.sessions.touch(conversation)
