"""`Backends`: tenants, tokens and the lookups that cross tenants (embedded chatbots, login tokens)."""

from __future__ import annotations

from mockserver.settings import Settings
from mockserver.state.backend import Backends


def test_chat_for_chatbot_stays_in_the_callers_tenant_unless_isolation_is_off() -> None:
    """createChatbotCompletion: the chatbot's chat is found in the caller's tenant, others' only when allowed."""
    for strict in (True, False):
        backends = Backends(Settings.for_tests(api_keys=(), strict_tenant_isolation=strict))
        owner, caller = backends.create_tenant(), backends.create_tenant()
        chat = owner.chats.insert(name="bot")
        assert backends.chat_for_chatbot(chat.id, owner) == (owner, chat)
        found = backends.chat_for_chatbot(chat.id, caller)
        assert found == (None if strict else (owner, chat))
        assert backends.chat_for_chatbot("nope", caller) is None
