"""The official ragflow-sdk 0.19.0 chats with the emulator over a real socket: chat → session → ask → history."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from ragflow_sdk import RAGFlow
from ragflow_sdk.modules.chat import Chat

from mockserver import Settings, create_app
from mockserver.server import ThreadedServer
from tests.support.chatkit import MOUNTAINS, RIVERS

KEY = "ragflow-sdk-chat-key"
QUESTION = "Which river is the longest in Africa?"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rag() -> Iterator[RAGFlow]:
    with ThreadedServer(create_app(Settings.for_tests(api_keys=(KEY,)))) as server:
        yield RAGFlow(api_key=KEY, base_url=server.base_url)


@pytest.fixture(scope="module")
def chat(rag: RAGFlow) -> Chat:
    dataset = rag.create_dataset(name="geography")
    docs = dataset.upload_documents(
        [{"display_name": "rivers.txt", "blob": RIVERS}, {"display_name": "mountains.txt", "blob": MOUNTAINS}]
    )
    dataset.async_parse_documents([d.id for d in docs])
    assert all(d.run == "DONE" for d in dataset.list_documents())
    return rag.create_chat("Geography", dataset_ids=[dataset.id])


def test_streamed_answer_grows_and_cites_the_right_document(chat: Chat) -> None:
    """createChatSession, createChatCompletion via ragflow-sdk: a growing streamed answer."""
    session = chat.create_session()
    assert session.messages[0]["content"] == "Hi! I'm your assistant, what can I do for you?"
    messages = list(session.ask(QUESTION, stream=True))
    assert len(messages) >= 2
    contents = [m.content for m in messages]
    assert all(later.startswith(earlier.split(" ##")[0]) for earlier, later in itertools.pairwise(contents))
    final = messages[-1]
    assert "Nile" in final.content and "##0$$" in final.content
    assert final.reference[0]["document_name"] == "rivers.txt"
    listed = chat.list_sessions(id=session.id)[0]
    assert [m["role"] for m in listed.messages] == ["assistant", "user", "assistant"]
    assert listed.messages[1]["content"] == QUESTION
    assert listed.messages[2]["content"] == final.content
    assert listed.messages[2]["reference"][0]["document_name"] == "rivers.txt"


def test_non_streamed_answer(chat: Chat) -> None:
    """createChatSession, createChatCompletion via ragflow-sdk, not streamed."""
    session = chat.create_session(name="quiet")
    # ragflow-sdk 0.19.0's `ask` is a generator function: with stream=False it *returns* the message,
    # so it arrives as the StopIteration value of the first `next()`.
    with pytest.raises(StopIteration) as stop:
        next(session.ask("What is the highest mountain?", stream=False))
    message = stop.value.value
    assert "Everest" in message.content
    assert message.reference[0]["document_name"] == "mountains.txt"
    assert len(chat.list_sessions(name="quiet")[0].messages) == 3


def test_sdk_chat_management(rag: RAGFlow, chat: Chat) -> None:
    """createChat, updateChat, listChats, createChatSession, updateChatSession, listChatSessions, deleteChatSessions,
    deleteChats via ragflow-sdk."""
    assert chat.llm.model_name == "qwen-plus@Tongyi-Qianwen"
    assert chat.prompt.keywords_similarity_weight == pytest.approx(0.3)
    chat.update({"name": "Geography 2"})
    assert rag.list_chats(id=chat.id)[0].name == "Geography 2"
    session = chat.create_session("to delete")
    session.update({"name": "renamed"})
    assert chat.list_sessions(name="renamed")[0].id == session.id
    chat.delete_sessions(ids=[session.id])
    assert chat.list_sessions(id=session.id) == []
    with pytest.raises(Exception, match=r"Duplicated chat name in creating chat\."):
        rag.create_chat("Geography 2")
    spare = rag.create_chat("spare")
    rag.delete_chats(ids=[spare.id])
    assert [c.name for c in rag.list_chats()] == ["Geography 2"]
