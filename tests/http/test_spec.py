"""Static checks of the hand-written RAGFlow contract in openapi/ragflow.yaml."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "ragflow.yaml"
SPEC_URI = "urn:ragflow-spec"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# The fixed routing contract: operationId -> (method, path, security scheme).
CONTRACT: dict[str, tuple[str, str, str]] = {
    "createOpenaiChatCompletion": ("post", "/api/v1/chats_openai/{chat_id}/chat/completions", "ApiKey"),
    "createOpenaiAgentCompletion": ("post", "/api/v1/agents_openai/{agent_id}/chat/completions", "ApiKey"),
    "createDataset": ("post", "/api/v1/datasets", "ApiKey"),
    "deleteDatasets": ("delete", "/api/v1/datasets", "ApiKey"),
    "listDatasets": ("get", "/api/v1/datasets", "ApiKey"),
    "updateDataset": ("put", "/api/v1/datasets/{dataset_id}", "ApiKey"),
    "uploadDocuments": ("post", "/api/v1/datasets/{dataset_id}/documents", "ApiKey"),
    "listDocuments": ("get", "/api/v1/datasets/{dataset_id}/documents", "ApiKey"),
    "deleteDocuments": ("delete", "/api/v1/datasets/{dataset_id}/documents", "ApiKey"),
    "updateDocument": ("put", "/api/v1/datasets/{dataset_id}/documents/{document_id}", "ApiKey"),
    "downloadDocument": ("get", "/api/v1/datasets/{dataset_id}/documents/{document_id}", "ApiKey"),
    "parseDocuments": ("post", "/api/v1/datasets/{dataset_id}/chunks", "ApiKey"),
    "stopParsingDocuments": ("delete", "/api/v1/datasets/{dataset_id}/chunks", "ApiKey"),
    "addChunk": ("post", "/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks", "ApiKey"),
    "listChunks": ("get", "/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks", "ApiKey"),
    "deleteChunks": ("delete", "/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks", "ApiKey"),
    "updateChunk": (
        "put",
        "/api/v1/datasets/{dataset_id}/documents/{document_id}/chunks/{chunk_id}",
        "ApiKey",
    ),
    "retrieveChunks": ("post", "/api/v1/retrieval", "ApiKey"),
    "difyRetrieval": ("post", "/api/v1/dify/retrieval", "DifyApiKey"),
    "createChat": ("post", "/api/v1/chats", "ApiKey"),
    "deleteChats": ("delete", "/api/v1/chats", "ApiKey"),
    "listChats": ("get", "/api/v1/chats", "ApiKey"),
    "updateChat": ("put", "/api/v1/chats/{chat_id}", "ApiKey"),
    "createChatSession": ("post", "/api/v1/chats/{chat_id}/sessions", "ApiKey"),
    "listChatSessions": ("get", "/api/v1/chats/{chat_id}/sessions", "ApiKey"),
    "deleteChatSessions": ("delete", "/api/v1/chats/{chat_id}/sessions", "ApiKey"),
    "updateChatSession": ("put", "/api/v1/chats/{chat_id}/sessions/{session_id}", "ApiKey"),
    "createChatCompletion": ("post", "/api/v1/chats/{chat_id}/completions", "ApiKey"),
    "listAgents": ("get", "/api/v1/agents", "ApiKey"),
    "createAgent": ("post", "/api/v1/agents", "ApiKey"),
    "updateAgent": ("put", "/api/v1/agents/{agent_id}", "ApiKey"),
    "deleteAgent": ("delete", "/api/v1/agents/{agent_id}", "ApiKey"),
    "createAgentSession": ("post", "/api/v1/agents/{agent_id}/sessions", "ApiKey"),
    "listAgentSessions": ("get", "/api/v1/agents/{agent_id}/sessions", "ApiKey"),
    "deleteAgentSessions": ("delete", "/api/v1/agents/{agent_id}/sessions", "ApiKey"),
    "createAgentCompletion": ("post", "/api/v1/agents/{agent_id}/completions", "ApiKey"),
    "askDatasets": ("post", "/api/v1/sessions/ask", "ApiKey"),
    "generateSessionRelatedQuestions": ("post", "/api/v1/sessions/related_questions", "ApiKey"),
    "createChatbotCompletion": ("post", "/api/v1/chatbots/{dialog_id}/completions", "BetaToken"),
    "createAgentbotCompletion": ("post", "/api/v1/agentbots/{agent_id}/completions", "BetaToken"),
    "generateRelatedQuestions": ("post", "/v1/conversation/related_questions", "LoginToken"),
}

SSE_OPERATIONS = {
    "createOpenaiChatCompletion",
    "createOpenaiAgentCompletion",
    "createChatCompletion",
    "createAgentCompletion",
    "askDatasets",
    "createChatbotCompletion",
    "createAgentbotCompletion",
}

TAGS = {
    "Datasets",
    "Documents",
    "Chunks",
    "Retrieval",
    "Chat assistants",
    "Sessions",
    "Agents",
    "OpenAI-compatible",
    "Related questions",
}

API_KEY_AUTH_FAILURES = [
    {"code": 0, "data": False, "message": "`Authorization` can't be empty"},
    {"code": 0, "data": False, "message": "Please check your authorization format."},
    {"code": 109, "data": False, "message": "Authentication error: API key is invalid!"},
    {"code": 100, "data": None, "message": "<NotFound '404: Not Found'>"},
]


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.safe_load(fh)
    return spec


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    spec = load_spec()
    return [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items() if method in METHODS
    ]


def by_operation_id() -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {op["operationId"]: (path, method, op) for path, method, op in operations()}


@cache
def registry() -> Registry:
    resource = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def validator_for(pointer: str) -> Draft202012Validator:
    """A validator for the schema at a JSON pointer into the spec (refs resolve against the spec)."""
    return Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry())


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def json_200_pointer(operation_id: str) -> str:
    path, method, _ = by_operation_id()[operation_id]
    return f"/paths/{escape(path)}/{method}/responses/200/content/application~1json/schema"


def test_spec_is_valid_openapi_31() -> None:
    spec = load_spec()
    assert spec["openapi"] == "3.1.0"
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_schemathesis_loads_every_operation() -> None:
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    loaded = []
    for result in schema.get_all_operations():
        operation = result.ok()
        loaded.append(operation.definition.raw["operationId"])
    assert sorted(loaded) == sorted(CONTRACT)


def test_links_form_a_valid_state_machine() -> None:
    schema = schemathesis.openapi.from_path(str(SPEC_PATH))
    schema.as_state_machine()  # raises InvalidStateMachine if a link is broken
    linked = {
        op["operationId"]: sorted(
            link["operationId"] for response in op["responses"].values() for link in response.get("links", {}).values()
        )
        for _, _, op in operations()
    }
    assert {"uploadDocuments", "updateDataset"} <= set(linked["createDataset"])
    assert {"parseDocuments", "listChunks"} <= set(linked["uploadDocuments"])
    assert "createChatSession" in linked["createChat"]
    assert "createChatCompletion" in linked["createChatSession"]
    assert "createAgentCompletion" in linked["createAgentSession"]


def test_routing_contract_is_exact() -> None:
    found = by_operation_id()
    assert len(found) == len(operations()), "operationIds must be unique"
    assert set(found) == set(CONTRACT)
    for operation_id, (method, path, scheme) in CONTRACT.items():
        got_path, got_method, op = found[operation_id]
        assert (got_method, got_path) == (method, path), operation_id
        assert op["security"] == [{scheme: []}], operation_id
    schemes = load_spec()["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {**schemes["ApiKey"], "type": "http", "scheme": "bearer"}
    assert schemes["DifyApiKey"]["scheme"] == "bearer"
    assert schemes["BetaToken"]["scheme"] == "bearer"
    assert schemes["LoginToken"]["type"] == "apiKey"
    assert schemes["LoginToken"]["in"] == "header"
    assert schemes["LoginToken"]["name"] == "Authorization"


@pytest.mark.parametrize("operation_id", sorted(CONTRACT))
def test_operation_metadata(operation_id: str) -> None:
    _, _, op = by_operation_id()[operation_id]
    assert op.get("summary")
    assert op.get("description")
    assert op.get("tags")
    assert set(op["tags"]) <= TAGS
    codes = op.get("x-ragflow-codes")
    assert isinstance(codes, list)
    assert codes
    assert all(isinstance(code, int) for code in codes)
    assert codes == sorted(set(codes))
    assert "200" in op["responses"]
    if op["security"] == [{"ApiKey": []}]:
        assert {0, 100, 109} <= set(codes), operation_id


@pytest.mark.parametrize("operation_id", sorted(SSE_OPERATIONS))
def test_sse_operations_describe_frames(operation_id: str) -> None:
    path, method, op = by_operation_id()[operation_id]
    content = op["responses"]["200"]["content"]
    assert "application/json" in content
    media = content["text/event-stream"]
    assert media["schema"]["type"] == "string"
    frame = media["x-ragflow-sse-frame"]
    assert isinstance(frame, dict)
    pointer = f"/paths/{escape(path)}/{method}/responses/200/content/text~1event-stream/x-ragflow-sse-frame"
    validator_for(pointer).check_schema(frame)
    # Every $ref inside the frame schema must resolve against the document.
    validator_for(pointer).is_valid({})


def test_deferred_auth_marks_only_openai_operations() -> None:
    marked = {oid for oid, (_, _, op) in by_operation_id().items() if op.get("x-ragflow-deferred-auth")}
    assert marked == {"createOpenaiChatCompletion", "createOpenaiAgentCompletion"}


@pytest.mark.parametrize(
    "operation_id",
    sorted(oid for oid, (_, _, scheme) in CONTRACT.items() if scheme == "ApiKey"),
)
def test_api_key_failures_validate_against_200_schema(operation_id: str) -> None:
    validator = validator_for(json_200_pointer(operation_id))
    for body in API_KEY_AUTH_FAILURES:
        validator.validate(body)


def iter_media_examples() -> list[tuple[str, str, str, Any]]:
    found = []
    for path, method, op in operations():
        base = f"/paths/{escape(path)}/{method}"
        bodies = [("requestBody", op.get("requestBody", {}))]
        bodies += [(f"responses/{status}", resp) for status, resp in op["responses"].items()]
        for where, holder in bodies:
            for media_type, media in holder.get("content", {}).items():
                if not media_type.endswith("json"):
                    continue
                pointer = f"{base}/{where}/content/{escape(media_type)}/schema"
                for name, example in media.get("examples", {}).items():
                    found.append((op["operationId"], name, pointer, example["value"]))
    return found


@pytest.mark.parametrize(
    ("operation_id", "name", "pointer", "value"),
    iter_media_examples(),
    ids=lambda value: value if isinstance(value, str) and not value.startswith("/") else "",
)
def test_examples_match_their_schemas(operation_id: str, name: str, pointer: str, value: Any) -> None:
    validator_for(pointer).validate(value)


def sse_media(operation_id: str) -> tuple[str, dict[str, Any]]:
    path, method, op = by_operation_id()[operation_id]
    pointer = f"/paths/{escape(path)}/{method}/responses/200/content/text~1event-stream/x-ragflow-sse-frame"
    return pointer, op["responses"]["200"]["content"]["text/event-stream"]


def parse_events(text: str, prefix: str) -> list[str]:
    events = [block for block in text.split("\n\n") if block.strip()]
    assert all(event.startswith(prefix) for event in events), events
    return [event[len(prefix) :] for event in events]


@pytest.mark.parametrize(
    "operation_id",
    sorted(oid for oid in SSE_OPERATIONS if "example" in sse_media(oid)[1]),
)
def test_sse_examples_match_frame_schema(operation_id: str) -> None:
    pointer, media = sse_media(operation_id)
    prefix = media["x-ragflow-sse-prefix"]
    terminator = media["x-ragflow-sse-terminator"]
    assert media["example"].endswith("\n\n")
    events = parse_events(media["example"], prefix)
    assert prefix + events[-1] == terminator
    validator = validator_for(pointer)
    for payload in events[:-1] if events[-1].startswith("[DONE]") else events:
        validator.validate(json.loads(payload))


# Frames quoted from the behaviour reference (one per shape).
REFERENCE_FRAMES: dict[str, list[dict[str, Any]]] = {
    "createChatCompletion": [
        {
            "code": 0,
            "message": "",
            "data": {
                "answer": "Hi! I'm your assistant, what can I do for you?",
                "reference": {},
                "audio_binary": None,
                "id": None,
                "session_id": "b01eed84b85611efa0e90242ac120005",
            },
        },
        {
            "code": 0,
            "data": {
                "answer": "I am",
                "reference": {"chunks": []},
                "audio_binary": None,
                "id": "a84c5dd4-97b4-4624-8c3b-974012c8000d",
                "session_id": "82b0ab2a9c1911ef9d870242ac120006",
            },
        },
        {
            "code": 0,
            "data": {
                "answer": "Sorry! No relevant content was found in the knowledge base!",
                "reference": {"total": 0, "chunks": [], "doc_aggs": {}},
                "prompt": "\n\n### Query:\n",
                "audio_binary": None,
                "id": "a84c5dd4-97b4-4624-8c3b-974012c8000d",
                "session_id": "82b0ab2a9c1911ef9d870242ac120006",
            },
        },
        {
            "code": 500,
            "message": "'Miss parameter: lang'",
            "data": {"answer": "**ERROR**: 'Miss parameter: lang'", "reference": []},
        },
        {"code": 0, "data": True},
        {"code": 0, "message": "", "data": True},
    ],
    "createAgentCompletion": [
        {
            "code": 0,
            "message": "",
            "data": {"answer": "*'Retrieval 0'* is running...🕞", "running_status": True},
        },
        {
            "code": 0,
            "message": "",
            "data": {
                "answer": "Hi! I'm your smart assistant. What can I do for you?",
                "reference": {},
                "param": [{"key": "lang", "name": "Target Language", "optional": False, "type": "line"}],
                "id": "31e6091d-88d4-441b-ac65-eae1c055be7b",
                "session_id": "2987ad3eb85f11efb2a70242ac120005",
            },
        },
        {"code": 500, "message": "boom", "data": {"answer": "**ERROR**: boom", "reference": []}},
        {"code": 0, "message": "", "data": True},
    ],
    "askDatasets": [
        {"code": 0, "message": "", "data": {"answer": "RAG", "reference": {}}},
        {"code": 0, "message": "", "data": True},
    ],
    "createOpenaiChatCompletion": [
        {
            "id": "chatcmpl-3a9c3572f29311efa69751e139332ced",
            "choices": [
                {
                    "delta": {
                        "content": "**ERROR**: boom",
                        "role": "assistant",
                        "function_call": None,
                        "tool_calls": None,
                        "reasoning_content": None,
                    },
                    "finish_reason": None,
                    "index": 0,
                    "logprobs": None,
                }
            ],
            "created": 1740543996,
            "model": "model",
            "object": "chat.completion.chunk",
            "system_fingerprint": "",
            "usage": None,
        }
    ],
}


@pytest.mark.parametrize(
    ("operation_id", "frame"),
    [(oid, frame) for oid, frames in REFERENCE_FRAMES.items() for frame in frames],
)
def test_reference_frames_validate(operation_id: str, frame: dict[str, Any]) -> None:
    pointer, _ = sse_media(operation_id)
    validator_for(pointer).validate(frame)


@pytest.mark.parametrize(
    "frame",
    [
        {"code": 0, "data": {"answer": "x"}},
        {"code": 0, "data": False},
        {"code": 500, "message": "x", "data": {"answer": "no marker", "reference": []}},
    ],
)
def test_malformed_chat_frames_are_rejected(frame: dict[str, Any]) -> None:
    pointer, _ = sse_media("createChatCompletion")
    assert not validator_for(pointer).is_valid(frame)


@pytest.mark.parametrize(
    ("operation_id", "body"),
    [
        ("updateDataset", {"code": 0, "data": None}),
        ("listDatasets", {"code": 0, "data": [{"id": "x"}]}),
        ("createDataset", {"code": 0, "data": {}}),
        ("deleteDatasets", {"code": 102}),
    ],
)
def test_wrong_bodies_are_rejected(operation_id: str, body: dict[str, Any]) -> None:
    assert not validator_for(json_200_pointer(operation_id)).is_valid(body)


def _walk_schema(node: Any, seen: set[str], found: list[str]) -> None:
    spec = load_spec()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            target: Any = spec
            for token in ref.removeprefix("#/").split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            _walk_schema(target, seen, found)
        if node.get("additionalProperties") is False:
            found.append(str(sorted(node.get("properties", {}))))
        for value in node.values():
            _walk_schema(value, seen, found)
    elif isinstance(node, list):
        for value in node:
            _walk_schema(value, seen, found)


@pytest.mark.parametrize("operation_id", sorted(CONTRACT))
def test_response_schemas_allow_extra_fields(operation_id: str) -> None:
    _, _, op = by_operation_id()[operation_id]
    found: list[str] = []
    for response in op["responses"].values():
        for media in response.get("content", {}).values():
            _walk_schema(media.get("schema"), set(), found)
            _walk_schema(media.get("x-ragflow-sse-frame"), set(), found)
    assert found == []
