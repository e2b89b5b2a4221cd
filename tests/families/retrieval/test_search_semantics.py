"""Elasticsearch-flavoured search semantics: title tokens, top_k bounding only kNN candidates, raw weights."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.knowledge import chunks_url, create_dataset, parse, upload_ok

RETRIEVAL = "/api/v1/retrieval"
NAME = "ragflow_test_upload_0.txt"


@pytest.fixture
def parsed(client: TestClient) -> dict[str, Any]:
    """A dataset with one parsed document (`ragflow_test_upload_0.txt`) and one API-added chunk in it."""
    dataset = create_dataset(client)
    doc = upload_ok(client, dataset["id"], (NAME, b"Saturn has bright rings of ice."))[0]
    assert parse(client, dataset["id"], doc["id"])["code"] == 0
    added = client.post(chunks_url(dataset["id"], doc["id"]), json={"content": "Jupiter has faint rings."})
    return {"dataset": dataset["id"], "doc": doc["id"], "added": added.json()["data"]["chunk"]["id"]}


def _listed(client: TestClient, parsed: dict[str, Any], keywords: str) -> list[str]:
    body = client.get(chunks_url(parsed["dataset"], parsed["doc"]), params={"keywords": keywords}).json()
    return sorted(c["id"] for c in body["data"]["chunks"])


def _retrieve(client: TestClient, parsed: dict[str, Any], **body: Any) -> Any:
    return client.post(RETRIEVAL, json={"dataset_ids": [parsed["dataset"]], **body}).json()


def test_title_tokens_are_searched_for_parser_made_chunks_only(client: TestClient, parsed: dict[str, Any]) -> None:
    """listChunks, retrieveChunks: `ragflow test upload 0 txt` matches the parsed chunk, not the added one."""
    listed = client.get(chunks_url(parsed["dataset"], parsed["doc"])).json()["data"]["chunks"]
    made = next(c["id"] for c in listed if c["id"] != parsed["added"])
    assert _listed(client, parsed, "upload") == [made]
    assert _listed(client, parsed, "rings") == sorted([made, parsed["added"]])
    found = _retrieve(client, parsed, question="ragflow upload")["data"]
    assert [c["content"] for c in found["chunks"]] == ["Saturn has bright rings of ice."]
    assert found["chunks"][0]["term_similarity"] == 1.0


def test_top_k_bounds_only_the_vector_candidates(client: TestClient, parsed: dict[str, Any]) -> None:
    """retrieveChunks: `top_k: 1` still returns every text match."""
    found = _retrieve(client, parsed, question="rings", top_k=1)["data"]
    assert len(found["chunks"]) == 2 and found["total"] == 2


@pytest.mark.parametrize("top_k", [0, -1])
def test_top_k_below_one_is_refused_by_the_engine(client: TestClient, parsed: dict[str, Any], top_k: int) -> None:
    """retrieveChunks: Elasticsearch refuses a kNN `k` below 1 (code 100)."""
    assert _retrieve(client, parsed, question="rings", top_k=top_k) == {
        "code": 100,
        "data": None,
        "message": "BadRequestError(400, 'illegal_argument_exception', '[k] must be greater than 0')",
    }


def test_top_k_is_not_checked_for_an_empty_question(client: TestClient, parsed: dict[str, Any]) -> None:
    """retrieveChunks: an empty question answers before any search."""
    assert _retrieve(client, parsed, question="", top_k=0)["data"] == {"chunks": [], "doc_aggs": {}, "total": 0}


@pytest.mark.parametrize("weight", [0, 0.3, 0.5, 1, 1.5, 2, 5, 10])
def test_weight_is_used_as_given_and_a_full_match_stays_above_the_default_threshold(
    client: TestClient, parsed: dict[str, Any], weight: float
) -> None:
    """retrieveChunks: `sim = (1 - w)·term + w·vector`, no clamping; a chunk with every query term survives.

    (Above 1 the weight rewards a low term similarity, so a partial match can rank first, as on the server.)
    """
    found = _retrieve(client, parsed, question="bright rings of ice", vector_similarity_weight=weight)["data"]
    top = next(c for c in found["chunks"] if c["content"] == "Saturn has bright rings of ice.")
    assert top["term_similarity"] == 1.0
    assert top["similarity"] == pytest.approx((1 - weight) * top["term_similarity"] + weight * top["vector_similarity"])
    assert top["similarity"] >= 0.2


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (None, "TypeError(\"unsupported operand type(s) for +=: 'NoneType' and 'str'\")"),
        (5, "TypeError(\"unsupported operand type(s) for +=: 'int' and 'str'\")"),
        (True, "TypeError(\"unsupported operand type(s) for +=: 'bool' and 'str'\")"),
        (["a"], "TypeError('expected string or bytes-like object')"),
    ],
)
def test_keyword_appends_to_the_question_as_python_does(
    client: TestClient, parsed: dict[str, Any], question: Any, message: str
) -> None:
    """retrieveChunks with `keyword`: the server's `question += keywords` runs before the empty-question check."""
    assert _retrieve(client, parsed, question=question, keyword=True) == {"code": 100, "data": None, "message": message}
    assert _retrieve(client, parsed, question=[], keyword=True)["data"] == {"chunks": [], "doc_aggs": {}, "total": 0}
