"""The demo world's answers read well: whole sentences of the cited documents, and every citation resolves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import Settings, create_app
from mockserver.control.worlds import read_world
from mockserver.core.sentences import sentences_of

KEY = "ragflow-mock-key"
CITED = re.compile(r"(.+?)\s*##(\d+)\$\$\s*", re.DOTALL)
THINK = re.compile(r"^<think>.*?</think>", re.DOTALL)
EXTRA_QUESTIONS = {
    "Literature Guide": ["What did Alice see?", "Who is Mr. Bingley?"],
    "Science Tutor": [
        "How long does Saturn take to go round the Sun?",
        "What is evaporation?",
        "Why does a candle need air?",
    ],
    "Support Bot": [
        "How long does standard delivery take?",
        "Can I get a refund?",
        "How should I store tea?",
        "Is delivery free?",
    ],
}
"""Besides the world's own session questions: the examples of issue 14 and one per scripted rule."""


def demo_questions() -> list[tuple[str, str]]:
    """(chat, question) for every user turn of the demo world's chat sessions and the extra questions."""
    world = read_world("demo")
    asked = [(c.name, m.content) for c in world.chats for s in c.sessions for m in s.messages if m.role == "user"]
    asked += [(chat, q) for chat, questions in EXTRA_QUESTIONS.items() for q in questions]
    return asked


@pytest.fixture(scope="module")
def demo() -> Iterator[TestClient]:
    """The emulator as `serve` starts it: the demo world and the shipped scripted answers."""
    with TestClient(create_app(Settings.for_tests(world="demo", answers="fixtures")), headers=_auth()) as client:
        yield client


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def _document_text(client: TestClient, dataset_id: str, document_id: str) -> str:
    response = client.get(f"/api/v1/datasets/{dataset_id}/documents/{document_id}")
    assert response.status_code == 200 and response.headers["content-type"] != "application/json", response.text
    return response.content.decode("utf-8")


def _is_whole_sentences(said: str, document: str) -> bool:
    """Each sentence said is one of the document's sentences (as a reader splits it), said in full."""
    known = {s.text for s in sentences_of(document)}
    return all(s.text in known for s in sentences_of(said)) and " ".join(said.split()) in " ".join(document.split())


def _ask(client: TestClient, chat_id: str, question: str) -> dict[str, Any]:
    session_id = client.post(f"/api/v1/chats/{chat_id}/sessions", json={"name": "demo"}).json()["data"]["id"]
    body = {"question": question, "stream": False, "session_id": session_id}
    data: dict[str, Any] = client.post(f"/api/v1/chats/{chat_id}/completions", json=body).json()["data"]
    return data


@pytest.mark.parametrize(("chat", "question"), demo_questions())
def test_every_demo_answer_is_whole_cited_sentences(demo: TestClient, chat: str, question: str) -> None:
    """Chat completions over the demo world: every sentence is cited, whole, and from the cited document."""
    chat_id = next(c["id"] for c in demo.get("/api/v1/chats").json()["data"] if c["name"] == chat)
    data = _ask(demo, chat_id, question)
    answer = THINK.sub("", data["answer"])
    chunks = data["reference"]["chunks"]
    segments = CITED.findall(answer)
    assert segments and "".join(m.group(0) for m in CITED.finditer(answer)) == answer, answer
    for said, marker in segments:
        chunk = chunks[int(marker)]
        document = _document_text(demo, chunk["dataset_id"], chunk["document_id"])
        assert _is_whole_sentences(said, document), (question, said)
    for agg in data["reference"]["doc_aggs"]:
        assert any(c["document_id"] == agg["doc_id"] for c in chunks)


def test_every_world_reference_resolves(demo: TestClient) -> None:
    """Seeded sessions: each reference chunk's document downloads; the history is whole cited sentences."""
    for chat in demo.get("/api/v1/chats").json()["data"]:
        for session in demo.get(f"/api/v1/chats/{chat['id']}/sessions").json()["data"]:
            for message in session["messages"]:
                for chunk in message.get("reference", []):
                    _document_text(demo, chunk["dataset_id"], chunk["document_id"])
                for said, marker in CITED.findall(THINK.sub("", message["content"])):
                    chunk = message["reference"][int(marker)]
                    document = _document_text(demo, chunk["dataset_id"], chunk["document_id"])
                    assert _is_whole_sentences(said, document), said


def test_the_demo_agent_answers_with_a_whole_sentence(demo: TestClient) -> None:
    """The Research Assistant's answer to the world's question is a whole sentence of a document it searches."""
    agent = demo.get("/api/v1/agents").json()["data"][0]
    session_id = demo.post(f"/api/v1/agents/{agent['id']}/sessions", json={}).json()["data"]["id"]
    question = next(
        m.content for a in read_world("demo").agents for s in a.sessions for m in s.messages if m.role == "user"
    )
    body = {"question": question, "stream": False, "session_id": session_id}
    answer = demo.post(f"/api/v1/agents/{agent['id']}/completions", json=body).json()["data"]["answer"]
    said = "".join(s for s, _ in CITED.findall(answer)) or answer
    documents = [
        _document_text(demo, d["id"], doc["id"])
        for d in demo.get("/api/v1/datasets").json()["data"]
        for doc in demo.get(f"/api/v1/datasets/{d['id']}/documents").json()["data"]["docs"]
    ]
    assert "Saturn" in said and any(_is_whole_sentences(said, text) for text in documents), said
