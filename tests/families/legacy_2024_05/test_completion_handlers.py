"""Profile 2024-05-legacy v07Completion: JSON and SSE bytes of v0.7.0, the guard order, the crash cases."""

from __future__ import annotations

import json
from typing import Any

from tests.families.legacy_2024_05.worldkit import INVALID_KEY, World, new_conversation, stored_conversation, tenant_of

URL = "/v1/api/completion"
SEED_MESSAGES = [{"role": "user", "content": "How are you doing!"}]
QUESTION = [{"role": "user", "content": "What is RAGFlow?"}]
TERMINATOR = b'data:{"retcode": 0, "retmsg": "", "data": true}\n\n'


def flask_json(payload: Any) -> bytes:
    """Flask's default provider: sorted keys, compact, ASCII, one newline."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def event(payload: Any) -> bytes:
    """One SSE event of the legacy generator: `data:` + json.dumps(ensure_ascii=False) + blank line."""
    return b"data:" + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def expected_reference(world: World, answer_reference: dict[str, Any]) -> dict[str, Any]:
    """The v0.7.0 reference of the one parsed chunk (scores as the search computed them)."""
    chunk = next(iter(tenant_of(world).chunks.items.values()))
    sent = answer_reference["chunks"][0]
    return {
        "total": 1,
        "chunks": [
            {
                "chunk_id": chunk.id,
                "content_ltks": sent["content_ltks"],
                "content_with_weight": chunk.content_with_weight,
                "doc_id": world.doc_id,
                "kb_id": world.dataset_id,
                "important_kwd": [],
                "img_id": "",
                "similarity": sent["similarity"],
                "vector_similarity": sent["vector_similarity"],
                "term_similarity": sent["term_similarity"],
                "positions": [""],
                "doc_name": "notes.txt",
            }
        ],
        "doc_aggs": [{"doc_name": "notes.txt", "doc_id": world.doc_id, "count": 1}],
    }


def test_json_answer_carries_the_full_reference_with_quote_off(world: World) -> None:
    """v07Completion, `stream: false`: R3 with `answer` and the whole retrieval (no citation markers)."""
    conversation = new_conversation(world)
    reply = world.web.post(
        URL, headers=world.key, json={"conversation_id": conversation["id"], "messages": QUESTION, "stream": False}
    )
    data = reply.json()["data"]
    assert "##" not in data["answer"]
    expected = {"data": {"answer": data["answer"], "reference": expected_reference(world, data["reference"])}}
    assert reply.content == flask_json({**expected, "retcode": 0, "retmsg": "success"})
    row = stored_conversation(world, conversation["id"])
    assert row.message[1:] == [
        {"role": "user", "content": "What is RAGFlow?"},
        {"role": "assistant", "content": data["answer"]},
    ]
    assert row.round == 1 and row.reference[-1]["chunks"][0]["doc_name"] == "notes.txt"


def test_quote_on_inserts_markers(world: World) -> None:
    """v07Completion with `quote: true`: `##n$$` markers and the cited documents."""
    conversation = new_conversation(world)
    body = {"conversation_id": conversation["id"], "messages": QUESTION, "stream": False, "quote": True}
    data = world.web.post(URL, headers=world.key, json=body).json()["data"]
    assert "##0$$" in data["answer"] and data["reference"]["doc_aggs"][0]["doc_name"] == "notes.txt"


def test_stream_without_the_key_plays_v07_events_byte_for_byte(world: World) -> None:
    """v07Completion, `stream` absent: partial events (`reference` {}), the answer with reference, `data: true`."""
    conversation = new_conversation(world)
    reply = world.web.post(URL, headers=world.key, json={"conversation_id": conversation["id"], "messages": QUESTION})
    assert reply.headers.get_list("content-type") == ["text/event-stream; charset=utf-8"] * 2
    assert reply.headers["cache-control"] == "no-cache" and reply.headers["x-accel-buffering"] == "no"
    frames = reply.content.split(b"\n\n")[:-1]
    final = json.loads(frames[-2][5:])["data"]
    partial = event({"retcode": 0, "retmsg": "", "data": {"answer": final["answer"], "reference": {}}})
    answer = {"answer": final["answer"], "reference": expected_reference(world, final["reference"])}
    assert reply.content == partial + event({"retcode": 0, "retmsg": "", "data": answer}) + TERMINATOR
    assert stored_conversation(world, conversation["id"]).round == 1


def test_an_explicit_stream_true_is_the_multiple_values_error_event(world: World) -> None:
    """v07Completion, `"stream": true`: the flag reaches `chat()` twice; nothing is stored."""
    conversation = new_conversation(world)
    body = {"conversation_id": conversation["id"], "messages": SEED_MESSAGES, "stream": True}
    reply = world.web.post(URL, headers=world.key, json=body)
    message = "chat() got multiple values for argument 'stream'"
    failure = {"retcode": 500, "retmsg": message, "data": {"answer": "**ERROR**: " + message, "reference": []}}
    assert reply.content == event(failure) + TERMINATOR
    assert stored_conversation(world, conversation["id"]).round == 0


def test_guard_then_key_then_conversation(world: World) -> None:
    """v07Completion: the argument guard runs before the key check; the key is checked before the lookup."""
    guard = world.web.post(URL, json={"messages": []})
    assert guard.content == b'{"data":null,"retcode":101,"retmsg":"required argument are missing: conversation_id; "}\n'
    both = world.web.post(URL, json={}).json()
    assert both["retmsg"] == "required argument are missing: conversation_id,messages; "
    body = {"conversation_id": "nope", "messages": SEED_MESSAGES}
    assert world.web.post(URL, headers={"Authorization": "Bearer bad"}, json=body).json() == INVALID_KEY
    missing = world.web.post(URL, headers=world.key, json=body)
    assert missing.content == b'{"retcode":102,"retmsg":"Conversation not found!"}\n'


def test_malformed_messages_crash_like_python(world: World) -> None:
    """v07Completion: messages without `role`, nothing left after filtering, the last one not from the user."""
    conversation_id = new_conversation(world)["id"]

    def ask(messages: Any, **extra: Any) -> Any:
        body = {"conversation_id": conversation_id, "messages": messages, "stream": False, **extra}
        return world.web.post(URL, headers=world.key, json=body).json()

    assert ask([{"content": "x"}]) == {"data": None, "retcode": 100, "retmsg": "KeyError('role')"}
    assert ask([{"role": "system", "content": "x"}])["retmsg"] == "IndexError('list index out of range')"
    last = ask([{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}])
    assert last["retmsg"] == "AssertionError('The last content of this conversation is not from user.')"
    streamed = world.web.post(
        URL,
        headers=world.key,
        json={
            "conversation_id": conversation_id,
            "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
        },
    ).content
    assert streamed.startswith(
        b'data:{"retcode": 500, "retmsg": "The last content of this conversation is not from user."'
    )


def test_a_chat_without_datasets_breaks_the_handler(world: World) -> None:
    """v07Completion on a chat with no dataset: `chat()` answers a list reference the handler cannot `.get`."""
    chat = world.web.post("/api/v1/chats", headers=world.api, json={"name": "solo", "dataset_ids": []}).json()["data"]
    token = world.web.post("/v1/api/new_token", headers=world.login, json={"dialog_id": chat["id"]}).json()
    world.key = {"Authorization": f"Bearer {token['data']['token']}"}
    conversation_id = new_conversation(world)["id"]
    body = {"conversation_id": conversation_id, "messages": QUESTION}
    streamed = world.web.post(URL, headers=world.key, json=body).content
    text = "'list' object has no attribute 'get'"
    failure = {"retcode": 500, "retmsg": text, "data": {"answer": "**ERROR**: " + text, "reference": []}}
    assert streamed == event(failure) + TERMINATOR
    assert stored_conversation(world, conversation_id).round == 0
    blocking = world.web.post(URL, headers=world.key, json={**body, "stream": False}).json()
    assert blocking == {
        "data": None,
        "retcode": 100,
        "retmsg": "AttributeError(\"'list' object has no attribute 'get'\")",
    }
    row = stored_conversation(world, conversation_id)
    assert row.round == 1 and row.reference[-1] == []
    assert world.web.get(f"/v1/api/conversation/{conversation_id}").json()["retcode"] == 100, "L2 breaks on it later"
