"""The `/v1/llm/*` routes (`llm_handlers`): model keys per tenant and the provider catalog, with negative cases."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.families.accounts.webkit import auth


def test_set_llm_api_key_and_list_my_llms(web: TestClient, token: str) -> None:
    """setLlmApiKey, listMyLlms: a factory's key adds its catalog models."""
    assert web.get("/v1/llm/my_llms", headers=auth(token)).json() == {"code": 0, "data": {}, "message": "success"}
    reply = web.post(
        "/v1/llm/set_api_key", headers=auth(token), json={"llm_factory": "ZHIPU-AI", "api_key": "id.secret"}
    )
    assert reply.json() == {"code": 0, "data": True, "message": "success"}
    mine = web.get("/v1/llm/my_llms", headers=auth(token)).json()["data"]
    assert list(mine) == ["ZHIPU-AI"]
    assert mine["ZHIPU-AI"]["tags"] == "LLM,TEXT EMBEDDING,SPEECH2TEXT,MODERATION"
    assert len(mine["ZHIPU-AI"]["llm"]) == 13
    assert {"name": "embedding-2", "type": "embedding", "used_token": 0} in mine["ZHIPU-AI"]["llm"]
    assert {"name": "glm-4v", "type": "image2text", "used_token": 0} in mine["ZHIPU-AI"]["llm"]


def test_set_llm_api_key_unknown_factory_is_silent_success(web: TestClient, token: str) -> None:
    """setLlmApiKey: an unknown factory is a silent success."""
    reply = web.post("/v1/llm/set_api_key", headers=auth(token), json={"llm_factory": "NoSuch", "api_key": ""})
    assert reply.json() == {"code": 0, "data": True, "message": "success"}
    assert web.get("/v1/llm/my_llms", headers=auth(token)).json()["data"] == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "required argument are missing: llm_factory,api_key; "),
        ({"llm_factory": "ZHIPU-AI"}, "required argument are missing: api_key; "),
    ],
)
def test_set_llm_api_key_missing_arguments(web: TestClient, token: str, body: dict[str, Any], message: str) -> None:
    """setLlmApiKey: missing arguments are a 101."""
    assert web.post("/v1/llm/set_api_key", headers=auth(token), json=body).json() == {
        "code": 101,
        "data": None,
        "message": message,
    }


def test_configured_embedding_model_works_on_api_v1(web: TestClient, token: str) -> None:
    """setLlmApiKey, createDataset: a keyed embedding model becomes usable on `/api/v1`."""
    key = web.post("/v1/system/new_token", headers=auth(token)).json()["data"]["token"]
    api = {"Authorization": f"Bearer {key}"}
    body = {"name": "kb", "embedding_model": "embedding-2@ZHIPU-AI"}
    assert web.post("/api/v1/datasets", headers=api, json=body).json() == {
        "code": 101,
        "message": "Unauthorized model: <embedding-2@ZHIPU-AI>",
    }
    web.post("/v1/llm/set_api_key", headers=auth(token), json={"llm_factory": "ZHIPU-AI", "api_key": "k"})
    created = web.post("/api/v1/datasets", headers=api, json=body).json()
    assert created["code"] == 0
    assert created["data"]["embedding_model"] == "embedding-2@ZHIPU-AI"


def test_list_llm_factories(web: TestClient, token: str) -> None:
    """listLlmFactories: every catalog factory but the built-in local ones."""
    data = web.get("/v1/llm/factories", headers=auth(token)).json()["data"]
    names = [f["name"] for f in data]
    assert len(names) == 44
    assert not {"Youdao", "FastEmbed", "BAAI"} & set(names)
    zhipu = next(f for f in data if f["name"] == "ZHIPU-AI")
    assert sorted(zhipu["model_types"]) == ["chat", "embedding", "image2text"]
    assert zhipu["logo"] == ""
    assert zhipu["status"] == "1"
    ollama = next(f for f in data if f["name"] == "Ollama")
    assert ollama["model_types"] == ["chat", "embedding", "rerank", "image2text", "speech2text", "tts"]


def test_list_llms(web: TestClient, token: str) -> None:
    """listLlms: `available` follows the tenant's keys; `model_type` filters."""
    data = web.get("/v1/llm/list", headers=auth(token)).json()["data"]
    assert all(not row["available"] for row in data["ZHIPU-AI"])
    assert all(row["available"] for row in data["BAAI"])
    web.post("/v1/llm/set_api_key", headers=auth(token), json={"llm_factory": "ZHIPU-AI", "api_key": "k"})
    embeddings = web.get("/v1/llm/list", headers=auth(token), params={"model_type": "embed"}).json()["data"]
    assert [r["llm_name"] for r in embeddings["ZHIPU-AI"]] == ["embedding-2", "embedding-3"]
    assert all(r["available"] for r in embeddings["ZHIPU-AI"])
    assert all(r["model_type"] == "embedding" for rows in embeddings.values() for r in rows)
