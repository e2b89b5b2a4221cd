"""Chat completions (§3.5, §6.1), `/sessions/ask` and the embedded chatbot (§8): frames, history, errors."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.core import sse
from mockserver.core.errors import WERKZEUG_500_HTML
from tests.conftest import API_KEY
from tests.support.chatkit import chat_ok, parsed_dataset, session_ok, sessions_of
from tests.support.knowledge import API, create_dataset, tenant_of

QUESTION = "Which river is the longest in Africa?"


def error(body: Any) -> tuple[int, str]:
    return body["code"], body["message"]


@pytest.fixture
def kb(client: TestClient) -> str:
    return parsed_dataset(client)


@pytest.fixture
def chat_id(client: TestClient, kb: str) -> str:
    return chat_ok(client, "geo", [kb])


def complete(client: TestClient, chat_id: str, **body: Any) -> Any:
    return client.post(f"{API}/chats/{chat_id}/completions", json=body)


def events(response: Any) -> list[Any]:
    assert response.headers["content-type"].startswith("text/event-stream")
    return sse.payloads(response.content)


# -- without a session ------------------------------------------------------------------------------
def test_without_session_creates_one_and_streams_the_opener(client: TestClient, chat_id: str) -> None:
    """createChatCompletion without a session: a new session and the opener event."""
    response = complete(client, chat_id, question="ignored", user_id="u7", name="Mine")
    session = sessions_of(client, chat_id)[0]
    assert (
        response.content
        == (
            'data:{"code": 0, "message": "", "data": {"answer": "Hi! I\'m your assistant, what can I do for you?", '
            f'"reference": {{}}, "audio_binary": null, "id": null, "session_id": "{session["id"]}"}}}}\n\n'
            'data:{"code": 0, "data": true}\n\n'
        ).encode()
    )
    assert (session["name"], session["user_id"]) == ("Mine", "u7")
    assert session["messages"][0]["created_at"] == tenant_of(client).clock.now()
    assert len(session["messages"]) == 1  # the question was ignored


def test_without_session_non_streaming_returns_the_event_text(client: TestClient, chat_id: str) -> None:
    """createChatCompletion without a session, not streamed: the event's text as `data`."""
    body = complete(client, chat_id, stream=False).json()
    assert body["code"] == 0
    assert body["data"].startswith('data:{"code": 0, "message": "", "data": {"answer": "Hi!')
    assert body["data"].endswith("}}\n\n")
    assert client.post(f"{API}/chats/{chat_id}/completions").content.startswith(b'data:{"code": 0, "message": ""')


def test_completion_errors(client: TestClient, other_client: TestClient, chat_id: str) -> None:
    """createChatCompletion: ownership, argument binding and the empty-name assertion."""
    assert error(complete(other_client, chat_id).json()) == (102, f"You don't own the chat {chat_id}")
    assert error(complete(client, chat_id, session_id="nope").json()) == (102, "You don't own the session nope")
    sid = session_ok(client, chat_id)["id"]
    assert error(complete(client, chat_id, session_id=sid).json()) == (
        100,
        "TypeError(\"completion() missing 1 required positional argument: 'question'\")",
    )
    assert error(complete(client, chat_id, session_id=sid, question="q", tenant_id="t").json()) == (
        100,
        "TypeError(\"completion() got multiple values for argument 'tenant_id'\")",
    )
    html = complete(client, chat_id, name="")
    assert (html.status_code, html.text) == (500, WERKZEUG_500_HTML)
    assert error(complete(client, chat_id, name=None, stream=False).json()) == (
        100,
        "AssertionError('`name` can not be empty.')",
    )


# -- answering ----------------------------------------------------------------------------------------
def test_streamed_answer_frames_and_history(client: TestClient, chat_id: str) -> None:
    """createChatCompletion streamed: frame keys, the final reference and the saved history."""
    sid = session_ok(client, chat_id)["id"]
    response = complete(client, chat_id, session_id=sid, question=QUESTION)
    assert response.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2
    frames = events(response)
    assert frames[-1] == {"code": 0, "data": True}
    *intermediate, final = [f["data"] for f in frames[:-1]]
    assert all(set(f) == {"code", "data"} for f in frames)
    assert intermediate and all(
        list(i) == ["answer", "reference", "audio_binary", "id", "session_id"] for i in intermediate
    )
    assert all(i["reference"] == {"chunks": []} for i in intermediate)
    assert list(final) == ["answer", "reference", "prompt", "created_at", "id", "session_id"]
    assert "Nile" in final["answer"] and "##0$$" in final["answer"]
    reference = final["reference"]
    assert list(reference) == ["total", "chunks", "doc_aggs"]
    assert reference["chunks"][0]["document_name"] == "rivers.txt"
    assert list(reference["chunks"][0]) == [
        "id", "content", "document_id", "document_name", "dataset_id", "image_id",
        "positions", "url", "similarity", "vector_similarity", "term_similarity",
    ]  # fmt: skip
    assert [a["doc_name"] for a in reference["doc_aggs"]] == ["rivers.txt"]
    assert final["id"] == intermediate[0]["id"] and final["session_id"] == sid
    session = tenant_of(client).sessions.items[sid]
    assert session.message[1] == {"content": QUESTION, "role": "user", "id": final["id"]}
    assert session.message[2]["content"] == final["answer"] and session.message[2]["id"] == final["id"]
    assert session.reference == [final["reference"]]


def test_non_streaming_answer(client: TestClient, chat_id: str) -> None:
    """createChatCompletion not streamed: one answer object, the turn saved."""
    sid = session_ok(client, chat_id)["id"]
    body = complete(client, chat_id, session_id=sid, question=QUESTION, stream=False).json()
    assert body["code"] == 0
    assert set(body["data"]) == {"answer", "audio_binary", "created_at", "id", "prompt", "reference", "session_id"}
    assert body["data"]["reference"]["chunks"][0]["document_name"] == "rivers.txt"
    assert len(sessions_of(client, chat_id)[0]["messages"]) == 3


def test_intermediate_events_every_sixteen_tokens(client: TestClient, chat_id: str) -> None:
    """createChatCompletion: intermediate events at the server's 16-token cadence."""
    long_answer = " ".join(f"word{i}" for i in range(40)) + "."
    client.app.state.emulator.answers.add({"match": "long", "answer": long_answer})  # type: ignore[attr-defined]
    sid = session_ok(client, chat_id)["id"]
    answers = [f["data"]["answer"] for f in events(complete(client, chat_id, session_id=sid, question="long"))[:-1]]
    assert len(answers) >= 3
    assert all(b.startswith(a) for a, b in itertools.pairwise(answers))
    assert answers[-1] == long_answer


def test_quote_off_gives_empty_reference_and_no_markers(client: TestClient, chat_id: str) -> None:
    """createChatCompletion with `quote` false: no citations, empty reference."""
    sid = session_ok(client, chat_id)["id"]
    final = events(complete(client, chat_id, session_id=sid, question=QUESTION, quote=False))[-2]["data"]
    assert final["reference"] == {}
    assert "##" not in final["answer"]
    assert tenant_of(client).sessions.items[sid].reference == [{"chunks": []}]


def test_empty_response_when_nothing_is_retrieved(client: TestClient, chat_id: str) -> None:
    """createChatCompletion: the chat's empty response when retrieval finds nothing."""
    sid = session_ok(client, chat_id)["id"]
    frames = events(complete(client, chat_id, session_id=sid, question="xylophone quartz"))
    assert len(frames) == 2
    data = frames[0]["data"]
    assert list(data) == ["answer", "reference", "prompt", "audio_binary", "id", "session_id"]
    assert data["answer"] == "Sorry! No relevant content was found in the knowledge base!"
    assert data["reference"] == {"total": 0, "chunks": [], "doc_aggs": []}
    assert data["prompt"] == "\n\n### Query:\nxylophone quartz"
    empty = events(complete(client, chat_id, session_id=sid, question=""))[0]["data"]
    assert empty["reference"] == {"total": 0, "chunks": [], "doc_aggs": {}}


def test_chat_without_datasets_answers_solo(client: TestClient) -> None:
    """createChatCompletion on a chat without datasets: the solo answer."""
    chat_id = chat_ok(client, "solo")
    sid = session_ok(client, chat_id)["id"]
    frames = events(complete(client, chat_id, session_id=sid, question="Tell me a story"))
    data = frames[-2]["data"]
    assert list(data) == ["answer", "reference", "audio_binary", "prompt", "created_at", "id", "session_id"]
    assert (data["reference"], data["prompt"]) == ({"chunks": []}, "")
    assert "Tell me a story" in data["answer"]


def test_missing_variable_is_an_error_frame_and_nothing_is_saved(client: TestClient, kb: str) -> None:
    """createChatCompletion: a missing prompt variable is an error frame (KeyError unstreamed)."""
    prompt = {
        "prompt": "{knowledge} Answer in {lang}.",
        "variables": [{"key": "knowledge", "optional": False}, {"key": "lang", "optional": False}],
    }
    chat_id = chat_ok(client, "vars", [kb], prompt=prompt)
    sid = session_ok(client, chat_id)["id"]
    frames = events(complete(client, chat_id, session_id=sid, question=QUESTION))
    assert frames == [
        {
            "code": 500,
            "message": "'Miss parameter: lang'",
            "data": {"answer": "**ERROR**: 'Miss parameter: lang'", "reference": []},
        },
        {"code": 0, "data": True},
    ]
    assert len(tenant_of(client).sessions.items[sid].message) == 1
    body = complete(client, chat_id, session_id=sid, question=QUESTION, stream=False).json()
    assert error(body) == (100, "KeyError('Miss parameter: lang')")
    ok = events(complete(client, chat_id, session_id=sid, question=QUESTION, lang="French"))
    assert "Answer in French." in ok[-2]["data"]["prompt"]


def test_doc_ids_restrict_retrieval(client: TestClient, kb: str, chat_id: str) -> None:
    """createChatCompletion: `doc_ids` restricts retrieval; a non-string crashes in the generator."""
    docs = client.get(f"{API}/datasets/{kb}/documents").json()["data"]["docs"]
    mountains = next(d["id"] for d in docs if d["name"] == "mountains.txt")
    sid = session_ok(client, chat_id)["id"]
    final = events(complete(client, chat_id, session_id=sid, question=QUESTION, doc_ids=mountains))[-2]["data"]
    assert {c["document_name"] for c in final["reference"]["chunks"]} == {"mountains.txt"}
    broken = events(complete(client, chat_id, session_id=sid, question=QUESTION, doc_ids=5))
    assert broken[0]["code"] == 500 and broken[0]["message"] == "'int' object has no attribute 'split'"


def test_datasets_gone_gives_the_embedding_error_answer(client: TestClient, kb: str, chat_id: str) -> None:
    """createChatCompletion after the datasets are deleted: the embedding-models error answer."""
    sid = session_ok(client, chat_id)["id"]
    client.request("DELETE", f"{API}/datasets", json={"ids": [kb]})
    body = complete(client, chat_id, session_id=sid, question=QUESTION, stream=False).json()
    assert body["data"] == {
        "answer": "**ERROR**: Knowledge bases use different embedding models.",
        "id": body["data"]["id"],
        "reference": {},
        "session_id": sid,
    }


def test_scripted_answer_with_canned_reference(client: TestClient, chat_id: str) -> None:
    """createChatCompletion: a scripted answer with its canned reference."""
    client.app.state.emulator.answers.add(  # type: ignore[attr-defined]
        {
            "match": "refund",
            "answer": "Within 30 days. ##0$$",
            "reference": [{"content": "30 days", "document_name": "p.md"}],
        }
    )
    sid = session_ok(client, chat_id)["id"]
    final = complete(client, chat_id, session_id=sid, question="refund?", stream=False).json()["data"]
    assert final["answer"] == "Within 30 days. ##0$$"
    assert final["reference"]["chunks"][0]["document_name"] == "p.md"
    assert final["reference"]["doc_aggs"][0]["doc_name"] == "p.md"


# -- /api/v1/sessions/ask -----------------------------------------------------------------------------
def test_ask(client: TestClient, other_client: TestClient, kb: str) -> None:
    """askDatasets: the streamed answer and every argument error."""
    url = f"{API}/sessions/ask"
    response = client.post(url, json={"question": "highest mountain", "dataset_ids": [kb]})
    frames = events(response)
    assert frames[-1] == {"code": 0, "message": "", "data": True}
    steps = [f["data"] for f in frames[:-2]]
    assert all(list(s) == ["answer", "reference"] and s["reference"] == {} for s in steps)
    final = frames[-2]["data"]
    assert final["answer"] == steps[-1]["answer"] and "Everest" in final["answer"]
    assert final["reference"]["chunks"][0]["document_name"] == "mountains.txt"
    assert error(client.post(url, json={"dataset_ids": [kb]}).json()) == (102, "`question` is required.")
    assert error(client.post(url, json={"question": "q"}).json()) == (102, "`dataset_ids` is required.")
    assert error(client.post(url, json={"question": "q", "dataset_ids": kb}).json()) == (
        102,
        "`dataset_ids` should be a list.",
    )
    assert error(other_client.post(url, json={"question": "q", "dataset_ids": [kb]}).json()) == (
        102,
        f"You don't own the dataset {kb}.",
    )
    empty = create_dataset(client, "empty")["id"]
    assert error(client.post(url, json={"question": "q", "dataset_ids": [empty]}).json()) == (
        102,
        f"The dataset {empty} doesn't own parsed file",
    )
    assert error(client.post(url).json()) == (100, "AttributeError(\"'NoneType' object has no attribute 'get'\")")


# -- /api/v1/chatbots/{dialog_id}/completions ------------------------------------------------------------
def beta_headers(client: TestClient) -> dict[str, str]:
    row = client.app.state.emulator.backends.token(API_KEY)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {row.beta}"}


def test_chatbot_auth_errors(client: TestClient, chat_id: str) -> None:
    """createChatbotCompletion: the beta-token authorization errors."""
    url = f"{API}/chatbots/{chat_id}/completions"
    anonymous = TestClient(client.app)
    assert error(anonymous.post(url, json={}).json()) == (
        100,
        "AttributeError(\"'NoneType' object has no attribute 'split'\")",
    )
    assert error(anonymous.post(url, json={}, headers={"Authorization": "a b c"}).json()) == (
        102,
        'Authorization is not valid!"',
    )
    assert error(anonymous.post(url, json={}, headers={"Authorization": "Bearer nope"}).json()) == (
        102,
        'Authentication error: API key is invalid!"',
    )


def test_chatbot_sessions_are_api_conversations(client: TestClient, chat_id: str) -> None:
    """createChatbotCompletion: sessions are API4Conversation rows; quote defaults to false."""
    url = f"{API}/chatbots/{chat_id}/completions"
    headers = beta_headers(client)
    opener = events(client.post(url, json={"question": "hi"}, headers=headers))
    assert opener[-1] == {"code": 0, "message": "", "data": True}
    sid = opener[0]["data"]["session_id"]
    frames = events(client.post(url, json={"question": QUESTION, "session_id": sid}, headers=headers))
    assert all(list(f)[:2] == ["code", "message"] for f in frames)
    final = frames[-2]["data"]
    assert final["reference"] == {}  # quote defaults to false here
    stored = tenant_of(client).agent_sessions.items[sid]
    assert (stored.dialog_id, stored.source, stored.round) == (chat_id, None, 1)
    assert stored.message[-1]["content"] == final["answer"]
    quoted = client.post(
        url, json={"question": QUESTION, "session_id": sid, "quote": True, "stream": False}, headers=headers
    )
    assert quoted.json()["data"]["reference"]["chunks"]
    assert tenant_of(client).agent_sessions.items[sid].round == 2
    text = client.post(url, json={"question": "x", "stream": False}, headers=headers).json()["data"]
    assert json.loads(text[len("data:") :])["data"]["session_id"]


def test_chatbot_errors(client: TestClient, chat_id: str) -> None:
    """createChatbotCompletion: body crashes, argument binding and the not-found assertions."""
    url = f"{API}/chatbots/{chat_id}/completions"
    headers = beta_headers(client)
    assert error(client.post(url, headers=headers).json()) == (
        100,
        "TypeError(\"argument of type 'NoneType' is not iterable\")",
    )
    assert error(client.post(url, json={}, headers=headers).json()) == (
        100,
        "TypeError(\"iframe_completion() missing 1 required positional argument: 'question'\")",
    )
    missing = f"{API}/chatbots/nope/completions"
    assert client.post(missing, json={"question": "q"}, headers=headers).status_code == 500
    assert error(client.post(missing, json={"question": "q", "stream": False}, headers=headers).json()) == (
        100,
        "AssertionError('Dialog not found')",
    )
    assert error(
        client.post(url, json={"question": "q", "session_id": "x", "stream": False}, headers=headers).json()
    ) == (
        100,
        "AssertionError('Session not found!')",
    )
