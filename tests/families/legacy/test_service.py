"""`legacy.service` called directly (no HTTP): scopes, keys, stats, conversations and completion rules."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.core.errors import AuthError, DataError, PythonError
from mockserver.families.agents.canvas import default_dsl
from mockserver.families.legacy import service
from mockserver.families.legacy.service import LegacyScope
from mockserver.settings import Settings
from mockserver.state.backend import Backends, TenantBackend


def scope(**settings: Any) -> LegacyScope:
    backends = Backends(Settings.for_tests(api_keys=(), **settings))
    return LegacyScope(backends, backends.create_tenant())


def chat_of(tenant: TenantBackend) -> str:
    return tenant.chats.insert(name="bot", prompt_config={"prologue": "Hi!"}).id


def test_scope_reaches_other_tenants_only_without_isolation() -> None:
    """getLegacyConversation and kin: the server's unscoped lookups, limited under isolation."""
    for strict in (True, False):
        reach = scope(strict_tenant_isolation=strict)
        other = reach.backends.create_tenant()
        conversation = other.agent_sessions.create("chat", "", [], {})
        assert reach.tenants() == ([reach.tenant] if strict else [reach.tenant, other])
        assert reach.conversation(conversation.id) is (None if strict else conversation)
    assert reach.owner_of(conversation) is other


def test_create_token_binds_an_agent_or_a_chat() -> None:
    """createLegacyToken: `canvas_id` wins and marks the key "agent"; otherwise `dialog_id`."""
    reach = scope()
    agent_key = service.create_token(reach, "canvas", "ignored")
    chat_key = service.create_token(reach, None, 5)
    assert (agent_key.dialog_id, agent_key.source) == ("canvas", "agent")
    assert (chat_key.dialog_id, chat_key.source) == ("5", None)


def test_new_and_read_conversation() -> None:
    """createLegacyConversation, getLegacyConversation: the opener; only the dialog's first key reads it."""
    reach = scope()
    key = service.create_token(reach, None, chat_of(reach.tenant))
    second = service.create_token(reach, None, key.dialog_id)
    made = service.new_conversation(reach.tenant, key, "alice")
    assert made["message"] == [{"content": "Hi!", "role": "assistant"}] and "source" not in made
    assert service.read_conversation(reach, made["id"], key)["user_id"] == "alice"
    with pytest.raises(AuthError):
        service.read_conversation(reach, made["id"], second)
    with pytest.raises(DataError, match="Conversation not found!"):
        service.read_conversation(reach, "nope", key)
    with pytest.raises(DataError, match="Dialog not found"):
        service.new_conversation(reach.tenant, service.create_token(reach, None, "nope"), "")


def test_agent_conversations_fail_like_this_commits_legacy_code() -> None:
    """createLegacyConversation, createLegacyCompletion for an agent key."""
    reach = scope()
    agent = reach.tenant.agents.create("flow", default_dsl([]), {})
    made = service.new_conversation(reach.tenant, service.create_token(reach, agent.id, None), "")
    conversation = reach.conversation(made["id"])
    assert conversation is not None and made["source"] == "agent"
    with pytest.raises(PythonError, match=r"Nothing\. Is it over\?"):
        service.dialog_of(reach, conversation, stream=True)
    with pytest.raises(PythonError) as blocking:
        service.dialog_of(reach, conversation, stream=False)
    assert blocking.value.exc_type == "ValueError"
    with pytest.raises(PythonError) as gone:
        service.new_conversation(reach.tenant, service.create_token(reach, "nope", None), "")
    assert gone.value.message == "AttributeError(\"'str' object has no attribute 'args'\")"


def test_client_question_skips_system_and_leading_assistant_messages() -> None:
    """createLegacyCompletion: the last counted message, an id added; none left is Python's IndexError."""
    ids = scope().backends.ids
    messages = [{"role": "system"}, {"role": "assistant"}, {"role": "user", "content": "q"}]
    question = service.client_question(messages, ids)
    assert question["content"] == "q" and len(question["id"]) == 32
    with pytest.raises(PythonError, match="IndexError"):
        service.client_question([{"role": "assistant"}], ids)
    with pytest.raises(PythonError) as text:
        service.client_question("hi", ids)
    assert text.value.message == "TypeError(\"'str' object is not iterable\")"


def test_usage_stats_per_day() -> None:
    """getLegacyStats: the tenant's chat conversations of the last 7 days, per day."""
    reach = scope()
    chat_id = chat_of(reach.tenant)
    row = reach.tenant.agent_sessions.create(chat_id, "u", [], {})
    row.source = None
    stats = service.usage_stats(reach.tenant, None, None, agent=False)
    assert [count for _, count in stats["pv"]] == [1]
    assert service.usage_stats(reach.tenant, None, None, agent=True)["pv"] == []


def test_aibotk_answer_without_markers_and_cited_images() -> None:
    """createLegacyAibotkCompletion: markers removed; a cited chunk's `img_id` is the server's KeyError."""
    assert service.aibotk_data({"answer": "plain", "reference": {}}) == [{"type": 1, "content": "plain"}]
    with pytest.raises(PythonError, match="IndexError"):
        service.aibotk_data({"answer": "x ##0$$", "reference": {"chunks": []}})
    with pytest.raises(PythonError) as image:
        service.aibotk_data({"answer": "x ##0$$", "reference": {"chunks": [{"image_id": ""}]}})
    assert image.value.message == "KeyError('img_id')"
