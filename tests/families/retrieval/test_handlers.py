"""`POST /api/v1/retrieval` and `POST /api/v1/dify/retrieval`: every reference §4 case, exact code and message."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mockserver.app import emulator_state
from mockserver.families.datasets.models import Dataset
from mockserver.families.retrieval.service import (
    RetrievalQuery,
    candidate_window,
    render_reference,
    retrieve,
)
from mockserver.state.backend import TenantBackend
from tests.conftest import API_KEY, OTHER_KEY

URL = "/api/v1/retrieval"
DIFY = "/api/v1/dify/retrieval"
GEO = [
    "Paris is the capital of France. The Eiffel Tower stands in Paris.",
    "Berlin is the capital and largest city of Germany.",
    "Rome is the capital of Italy, famous for the Colosseum.",
]
FOOD = ["Bananas are yellow fruits rich in potassium.", "Apples can be red, green or yellow."]


def tenant(app: Starlette, key: str = API_KEY) -> TenantBackend:
    found = emulator_state(app).backends.tenant_for_key(key)
    assert found is not None
    return found


def seed(
    t: TenantBackend, docs: dict[str, list[str]], name: str = "kb", **values: Any
) -> tuple[Dataset, dict[str, str]]:
    """A dataset with one document per entry, its chunks written through the chunk store."""
    dataset = t.datasets.insert(name=name, **values)
    doc_ids = {}
    for doc_name, texts in docs.items():
        doc = t.documents.upload(dataset, doc_name, "\n".join(texts).encode())
        doc_ids[doc_name] = doc.id
        for text in texts:
            t.chunks.add(t.chunks.build(doc, text))
    return dataset, doc_ids


@pytest.fixture
def kb(app: Starlette) -> tuple[Dataset, dict[str, str]]:
    return seed(tenant(app), {"geo.txt": GEO, "food.txt": FOOD})


def post(client: TestClient, body: Any = None, **kwargs: Any) -> Any:
    if body is None and not kwargs:
        return client.post(URL).json()
    return client.post(URL, json=body, **kwargs).json()


def error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


def crash(message: str) -> dict[str, Any]:
    return {"code": 100, "data": None, "message": message}


# -- §4.1 errors, in the server's order ---------------------------------------------------------------------
def test_auth_comes_first(anon_client: TestClient) -> None:
    """retrieveChunks: auth comes first."""
    assert post(anon_client, {}) == {"code": 0, "data": False, "message": "`Authorization` can't be empty"}


def test_missing_or_non_object_body_crashes(client: TestClient) -> None:
    """retrieveChunks: missing or non object body crashes."""
    assert post(client) == crash("AttributeError(\"'NoneType' object has no attribute 'get'\")")
    assert post(client, [1]) == crash("AttributeError(\"'list' object has no attribute 'get'\")")


@pytest.mark.parametrize("value", [None, [], "", 0])
def test_dataset_ids_required(client: TestClient, value: Any) -> None:
    """retrieveChunks: dataset ids required."""
    assert post(client, {"question": "x", "dataset_ids": value}) == error(102, "`dataset_ids` is required.")
    assert post(client, {"question": "x"}) == error(102, "`dataset_ids` is required.")


def test_dataset_ids_must_be_a_list(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: dataset ids must be a list."""
    assert post(client, {"question": "x", "dataset_ids": kb[0].id}) == error(102, "`dataset_ids` should be a list")


def test_unknown_or_foreign_dataset(app: Starlette, client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: unknown or foreign dataset."""
    theirs, _ = seed(tenant(app, OTHER_KEY), {"t.txt": ["secret capital"]}, name="theirs")
    body = {"question": "capital", "dataset_ids": [kb[0].id, "nope"]}
    assert post(client, body) == error(102, "You don't own the dataset nope.")
    assert post(client, {"question": "capital", "dataset_ids": [theirs.id]}) == error(
        102, f"You don't own the dataset {theirs.id}."
    )
    assert post(client, {"question": "x", "dataset_ids": [5]}) == error(102, "You don't own the dataset 5.")


def test_datasets_with_different_embedding_models(app: Starlette, client: TestClient, kb: Any) -> None:
    """retrieveChunks: datasets with different embedding models."""
    t = tenant(app)
    other = t.datasets.insert(name="other", embd_id="maidalun1020/bce-embedding-base_v1@Youdao")
    same_name = t.datasets.insert(name="same", embd_id="BAAI/bge-large-zh-v1.5@SILICONFLOW")
    body = {"question": "capital", "dataset_ids": [kb[0].id, other.id]}
    assert post(client, body) == error(102, 'Datasets use different embedding models."')
    assert post(client, {"question": "capital", "dataset_ids": [kb[0].id, same_name.id]})["code"] == 0


def test_question_required(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: question required."""
    assert post(client, {"dataset_ids": [kb[0].id]}) == error(102, "`question` is required.")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("page", "abc", "ValueError(\"invalid literal for int() with base 10: 'abc'\")"),
        (
            "page_size",
            None,
            "TypeError(\"int() argument must be a string, a bytes-like object or a number, not 'NoneType'\")",
        ),
        ("similarity_threshold", "abc", "ValueError(\"could not convert string to float: 'abc'\")"),
        (
            "vector_similarity_weight",
            [1],
            "TypeError(\"float() argument must be a string or a number, not 'list'\")",
        ),
        ("top_k", "1.5", "ValueError(\"invalid literal for int() with base 10: '1.5'\")"),
    ],
)
def test_conversion_errors(client: TestClient, kb: Any, field: str, value: Any, message: str) -> None:
    """retrieveChunks: conversion errors."""
    assert post(client, {"question": "capital", "dataset_ids": [kb[0].id], field: value}) == crash(message)


def test_document_ids_checks(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: document ids checks."""
    base = {"question": "capital", "dataset_ids": [kb[0].id]}
    assert post(client, {**base, "document_ids": "x"}) == error(102, "`documents` should be a list")
    assert post(client, {**base, "document_ids": None}) == error(102, "`documents` should be a list")
    assert post(client, {**base, "document_ids": ["ghost"]}) == error(102, "The datasets don't own the document ghost")


def test_no_index_yet(app: Starlette, client: TestClient) -> None:
    """retrieveChunks: no index yet."""
    dataset = tenant(app).datasets.insert(name="empty")
    assert post(client, {"question": "capital", "dataset_ids": [dataset.id]}) == error(
        102, "No chunk found! Check the chunk status please!"
    )
    empty = {"code": 0, "data": {"chunks": [], "doc_aggs": {}, "total": 0}}
    assert post(client, {"question": "", "dataset_ids": [dataset.id]}) == empty


@pytest.mark.parametrize(
    ("page", "page_size", "message"),
    [
        (1, 129, "ZeroDivisionError('division by zero')"),
        (0, 30, "ValueError('Search does not support negative slicing.')"),
        (-1, 10, "ValueError('Search does not support negative slicing.')"),
        (1, 0, "ValueError('Search does not support negative slicing.')"),
        (1, -5, "ValueError('Search does not support negative slicing.')"),
    ],
)
def test_window_and_slicing_errors(client: TestClient, kb: Any, page: int, page_size: int, message: str) -> None:
    """retrieveChunks: window and slicing errors."""
    body = {"question": "capital", "dataset_ids": [kb[0].id], "page": page, "page_size": page_size}
    assert post(client, body) == crash(message)
    assert post(client, {**body, "question": ""})["code"] == 0  # an empty question returns before


def test_rerank_model_must_be_authorised(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: rerank model must be authorised."""
    base = {"question": "capital", "dataset_ids": [kb[0].id]}
    assert post(client, {**base, "rerank_id": "foo"}) == crash("LookupError('Model(foo) not authorized')")
    assert post(client, {**base, "rerank_id": "gte-rerank@Tongyi-Qianwen"}) == crash(
        "LookupError('Model(gte-rerank) not authorized')"
    )
    assert post(client, {**base, "rerank_id": "BAAI/bge-reranker-v2-m3@BAAI"})["code"] == 0
    assert post(client, {**base, "rerank_id": None})["code"] == 0


def test_non_string_question(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: non string question."""
    body = {"question": 5, "dataset_ids": [kb[0].id]}
    assert post(client, body) == crash("TypeError('expected string or bytes-like object')")


# -- §4.1 results ---------------------------------------------------------------------------------------------
def test_answer_ranks_first_with_server_chunk_shape(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: answer ranks first with server chunk shape."""
    dataset, docs = kb
    body = post(client, {"question": "What is the capital of France?", "dataset_ids": [dataset.id]})
    assert body["code"] == 0
    data = body["data"]
    first = data["chunks"][0]
    assert first["content"] == GEO[0]
    assert sorted(first) == [
        "content",
        "content_ltks",
        "dataset_id",
        "document_id",
        "document_keyword",
        "highlight",
        "id",
        "image_id",
        "important_keywords",
        "positions",
        "similarity",
        "term_similarity",
        "vector_similarity",
    ]
    assert first["dataset_id"] == dataset.id
    assert first["document_id"] == docs["geo.txt"]
    assert first["document_keyword"] == "geo.txt"
    assert first["highlight"] == "Paris is the <em>capital</em> of France"
    assert first["content_ltks"].startswith("pari is the capit of franc")  # stemmed, as the server's tokenizer
    assert (first["image_id"], first["important_keywords"], first["positions"]) == ("", [], [])
    assert data["total"] == len(data["chunks"])
    assert data["doc_aggs"] == [{"count": len(data["chunks"]), "doc_id": docs["geo.txt"], "doc_name": "geo.txt"}]
    again = post(client, {"question": "What is the capital of France?", "dataset_ids": [dataset.id]})
    assert again == body


def test_highlight_switch(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: highlight switch."""
    base = {"question": "capital", "dataset_ids": [kb[0].id]}
    assert all("highlight" in c for c in post(client, {**base, "highlight": False})["data"]["chunks"])
    for off in ("false", "False"):
        assert not any("highlight" in c for c in post(client, {**base, "highlight": off})["data"]["chunks"])


def test_doc_aggs_count_returned_chunks_per_document(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: doc aggs count returned chunks per document."""
    dataset, docs = kb
    assert set(docs) == {"geo.txt", "food.txt"}
    data = post(client, {"question": "yellow capital", "dataset_ids": [dataset.id], "similarity_threshold": 0})["data"]
    counts = {a["doc_name"]: a["count"] for a in data["doc_aggs"]}
    assert counts == {"geo.txt": 3, "food.txt": 2}
    assert [a["doc_name"] for a in data["doc_aggs"]] == ["geo.txt", "food.txt"]


def test_threshold_and_availability(app: Starlette, client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: threshold and availability."""
    dataset, _ = kb
    body = {"question": "capital of France", "dataset_ids": [dataset.id], "similarity_threshold": 1.01}
    assert post(client, body)["data"] == {"chunks": [], "doc_aggs": [], "total": 0}
    paris = next(c for c in tenant(app).chunks.items.values() if c.content_with_weight == GEO[0])
    tenant(app).index.set_available(paris.id, False)
    found = post(client, {"question": "capital of France", "dataset_ids": [dataset.id]})["data"]["chunks"]
    assert paris.id not in [c["id"] for c in found]


def test_paging_uses_absolute_offsets_in_the_candidate_block(app: Starlette, client: TestClient) -> None:
    """retrieveChunks: paging uses absolute offsets in the candidate block."""
    dataset, _ = seed(tenant(app), {"many.txt": [f"capital note number {i}" for i in range(7)]})
    base = {"question": "capital note", "dataset_ids": [dataset.id], "similarity_threshold": 0}
    first = post(client, {**base, "page": 1, "page_size": 3})["data"]
    second = post(client, {**base, "page": 2, "page_size": 3})["data"]
    assert len(first["chunks"]) == 3 and len(second["chunks"]) == 3
    assert first["total"] == second["total"] == 7
    assert not {c["id"] for c in first["chunks"]} & {c["id"] for c in second["chunks"]}
    # page_size 30 → block of 60: page 3 is block 2, sliced at [60, 90) of it → nothing
    assert post(client, {**base, "page": 3, "page_size": 30})["data"] == {"chunks": [], "doc_aggs": [], "total": 0}
    assert [candidate_window(n) for n in (1, 2, 5, 10, 30, 50, 64, 100, 128, 129)] == [
        1,
        64,
        65,
        60,
        60,
        50,
        64,
        100,
        128,
        0,
    ]


def test_document_ids_force_threshold_zero_and_fall_back(
    client: TestClient, kb: tuple[Dataset, dict[str, str]]
) -> None:
    """retrieveChunks: document ids force threshold zero and fall back."""
    dataset, docs = kb
    body = {"question": "zebra", "dataset_ids": [dataset.id], "document_ids": [docs["food.txt"]]}
    data = post(client, {**body, "similarity_threshold": 0.9})["data"]
    assert [c["content"] for c in data["chunks"]] == FOOD
    assert [c["similarity"] for c in data["chunks"]] == [0.0, 0.0]
    assert data["total"] == 2
    assert post(client, {**body, "question": "zebra"})["data"]["doc_aggs"][0]["doc_name"] == "food.txt"


def test_pagerank_is_added_to_similarity(app: Starlette, client: TestClient) -> None:
    """retrieveChunks: pagerank is added to similarity."""
    dataset, _ = seed(tenant(app), {"p.txt": ["ranked capital text"]}, name="ranked", pagerank=50)
    chunk = post(client, {"question": "capital", "dataset_ids": [dataset.id]})["data"]["chunks"][0]
    assert chunk["similarity"] > 50


def test_keyword_extension_keeps_working(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: keyword extension keeps working."""
    data = post(client, {"question": "capital of France", "dataset_ids": [kb[0].id], "keyword": True})["data"]
    assert data["chunks"][0]["content"] == GEO[0]


def test_retrieve_service_and_reference_renderer(app: Starlette, kb: tuple[Dataset, dict[str, str]]) -> None:
    """retrieveChunks: the `retrieve` service and the chat reference renderer other families reuse."""
    found = retrieve(tenant(app), RetrievalQuery("capital of Italy", [kb[0].id], page_size=2))
    reference = render_reference(found)
    assert list(reference) == ["total", "chunks", "doc_aggs"]
    assert list(reference["chunks"][0]) == [
        "id",
        "content",
        "document_id",
        "document_name",
        "dataset_id",
        "image_id",
        "positions",
        "url",
        "similarity",
        "vector_similarity",
        "term_similarity",
    ]
    assert reference["chunks"][0]["content"] == GEO[2]
    assert list(reference["doc_aggs"][0]) == ["doc_name", "doc_id", "count"]
    assert render_reference(retrieve(tenant(app), RetrievalQuery("", [kb[0].id])))["doc_aggs"] == {}


# -- §4.2 Dify ----------------------------------------------------------------------------------------------------
def dify(client: TestClient, body: Any, **headers: str) -> tuple[int, Any]:
    response = client.post(DIFY, json=body, headers=headers or None)
    return response.status_code, response.json()


def test_dify_success_has_no_envelope(client: TestClient, kb: tuple[Dataset, dict[str, str]]) -> None:
    """difyRetrieval: success has no envelope."""
    body = {"knowledge_id": kb[0].id, "query": "capital of France", "retrieval_setting": {"top_k": 2}}
    status, data = dify(client, body)
    assert status == 200
    assert data["records"][0]["content"] == GEO[0]
    assert data["records"][0]["title"] == "geo.txt"
    assert data["records"][0]["metadata"] == {}
    assert sorted(data["records"][0]) == ["content", "metadata", "score", "title"]
    assert len(data["records"]) <= 2
    assert dify(client, {**body, "query": ""}) == (200, {"records": []})


def test_dify_auth_errors(app: Starlette, kb: tuple[Dataset, dict[str, str]]) -> None:
    """difyRetrieval: auth errors."""
    with TestClient(app) as anon:
        assert dify(anon, {}) == (200, crash("AttributeError(\"'NoneType' object has no attribute 'split'\")"))
        assert dify(anon, {}, Authorization="Bearer") == (200, crash("IndexError('list index out of range')"))
        assert dify(anon, {}, Authorization="Bearer nope") == (403, error(403, "API-KEY is invalid!"))


def test_dify_argument_and_lookup_errors(app: Starlette, client: TestClient, kb: Any) -> None:
    """difyRetrieval: argument and lookup errors."""
    missing = {"code": 101, "data": None, "message": "required argument are missing: knowledge_id,query; "}
    assert dify(client, {}) == (200, missing)
    assert dify(client, {"query": "x"})[1]["message"] == "required argument are missing: knowledge_id; "
    theirs, _ = seed(tenant(app, OTHER_KEY), {"t.txt": ["capital"]}, name="theirs")
    assert dify(client, {"knowledge_id": theirs.id, "query": "x"}) == (404, error(404, "Knowledgebase not found!"))
    assert dify(client, {"knowledge_id": "nope", "query": "x"}) == (404, error(404, "Knowledgebase not found!"))
    bad_setting = {"knowledge_id": kb[0].id, "query": "x", "retrieval_setting": "s"}
    assert dify(client, bad_setting) == (200, crash("AttributeError(\"'str' object has no attribute 'get'\")"))
    bad_threshold = {**bad_setting, "retrieval_setting": {"score_threshold": "abc"}}
    assert dify(client, bad_threshold) == (200, crash("ValueError(\"could not convert string to float: 'abc'\")"))


def test_dify_default_top_k_divides_by_zero_and_missing_index(app: Starlette, client: TestClient, kb: Any) -> None:
    """difyRetrieval: default top k divides by zero and missing index."""
    assert dify(client, {"knowledge_id": kb[0].id, "query": "capital"}) == (500, error(500, "division by zero"))
    t = tenant(app, OTHER_KEY)
    empty = t.datasets.insert(name="empty")
    with TestClient(app, headers={"Authorization": f"Bearer {OTHER_KEY}"}) as other:
        body = {"knowledge_id": empty.id, "query": "capital", "retrieval_setting": {"top_k": 5}}
        assert dify(other, body) == (404, error(404, "No chunk found! Check the chunk status please!"))


# -- the official SDK over a real socket ---------------------------------------------------------------------
def test_sdk_upload_parse_retrieve_ranks_the_answer_first() -> None:
    """uploadDocuments, parseDocuments, retrieveChunks: through the official SDK the answer ranks first."""
    from ragflow_sdk import RAGFlow

    from mockserver import Settings, create_app
    from mockserver.server import ThreadedServer

    with ThreadedServer(create_app(Settings.for_tests(api_keys=("sdk-key",)))) as server:
        rag = RAGFlow(api_key="sdk-key", base_url=server.base_url)
        dataset = rag.create_dataset(name="sdk-retrieval")
        dataset.upload_documents(
            [
                {"display_name": "geo.txt", "blob": "\n\n".join(GEO).encode()},
                {"display_name": "food.md", "blob": "\n\n".join(FOOD).encode()},
            ]
        )
        docs = dataset.list_documents()
        dataset.async_parse_documents([d.id for d in docs])
        chunks = rag.retrieve(dataset_ids=[dataset.id], question="Which fruits are yellow and rich in potassium?")
        assert chunks, "nothing retrieved"
        assert chunks[0].document_id == next(d.id for d in docs if d.name == "food.md")
        assert "Bananas" in chunks[0].content
        with pytest.raises(Exception, match=r"`dataset_ids` is required\."):
            rag.retrieve(dataset_ids=[], question="x")


# -- malformed input never crashes -----------------------------------------------------------------------------
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-300, 300)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
RETRIEVAL_KEYS = [
    "question",
    "dataset_ids",
    "document_ids",
    "page",
    "page_size",
    "similarity_threshold",
    "vector_similarity_weight",
    "top_k",
    "rerank_id",
    "keyword",
    "highlight",
]
DIFY_KEYS = ["knowledge_id", "query", "retrieval_setting"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_bodies_get_server_envelopes(app: Starlette, client: TestClient, data: st.DataObject) -> None:
    """retrieveChunks, difyRetrieval: random bodies get server envelopes."""
    dataset, docs = seed(tenant(app), {"g.txt": GEO}, name=f"kb-{len(tenant(app).datasets.items)}")
    real = {"dataset_ids": [dataset.id], "document_ids": list(docs.values()), "knowledge_id": dataset.id}
    keys = data.draw(st.lists(st.sampled_from(RETRIEVAL_KEYS + DIFY_KEYS), unique=True))
    body = {k: data.draw(st.sampled_from([real[k]]) | JSON if k in real else JSON) for k in keys}
    for url in (URL, DIFY):
        response = client.post(url, json=body)
        assert response.status_code in (200, 403, 404, 500)
        payload = response.json()
        assert isinstance(payload, dict)
        assert "records" in payload or isinstance(payload.get("code"), int)
    assert list(emulator_state(app).unexpected) == []
