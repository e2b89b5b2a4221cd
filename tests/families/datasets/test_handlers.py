"""Datasets family: every case of reference §1 with the exact code and message."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import API_KEY

DATASET_KEYS = {
    "avatar",
    "chunk_count",
    "chunk_method",
    "create_date",
    "create_time",
    "created_by",
    "description",
    "document_count",
    "embedding_model",
    "id",
    "language",
    "name",
    "pagerank",
    "parser_config",
    "permission",
    "similarity_threshold",
    "status",
    "tenant_id",
    "token_num",
    "update_date",
    "update_time",
    "vector_similarity_weight",
}


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/datasets", json=body)
    assert response.status_code == 200
    payload: dict[str, Any] = response.json()
    return payload


def made(client: TestClient, name: str = "kb", **body: Any) -> dict[str, Any]:
    payload = create(client, name=name, **body)
    assert payload["code"] == 0, payload
    data: dict[str, Any] = payload["data"]
    return data


# -- create ----------------------------------------------------------------------------------------
def test_create_dataset_returns_the_22_key_row_with_defaults(client: TestClient) -> None:
    """createDataset: returns the 22 key row with defaults."""
    data = made(client, name="  kb one  ")
    assert set(data) == DATASET_KEYS
    assert data["name"] == "kb one"
    assert data["chunk_method"] == "naive"
    assert data["embedding_model"] == "BAAI/bge-large-zh-v1.5@BAAI"
    assert data["permission"] == "me"
    assert data["parser_config"] == {
        "chunk_token_num": 128,
        "delimiter": "\\n",
        "html4excel": False,
        "layout_recognize": "DeepDOC",
        "raptor": {"use_raptor": False},
    }
    assert data["similarity_threshold"] == 0.2
    assert data["vector_similarity_weight"] == 0.3
    assert (data["document_count"], data["chunk_count"], data["token_num"]) == (0, 0, 0)
    assert data["status"] == "1"
    assert data["language"] == "English"
    assert len(data["id"]) == 32
    assert data["create_date"].endswith(" GMT")
    assert isinstance(data["create_time"], int)


def test_create_dataset_bytes_are_sorted_compact_with_newline(client: TestClient) -> None:
    """createDataset: bytes are sorted compact with newline."""
    response = client.post("/api/v1/datasets", json={"name": "é"})
    assert response.headers["content-type"] == "application/json"
    assert response.content.startswith(b'{"code":0,"data":{"avatar":null,"chunk_count":0,')
    assert b'"name":"\\u00e9"' in response.content
    assert response.content.endswith(b"}}\n")


def test_create_dataset_fills_the_whole_parser_config_when_given(client: TestClient) -> None:
    """createDataset: fills the whole parser config when given."""
    data = made(client, parser_config={"chunk_token_num": 256})
    assert data["parser_config"] == {
        "auto_keywords": 0,
        "auto_questions": 0,
        "chunk_token_num": 256,
        "delimiter": "\\n",
        "filename_embd_weight": None,
        "graphrag": None,
        "html4excel": False,
        "layout_recognize": "DeepDOC",
        "pages": None,
        "raptor": None,
        "tag_kb_ids": [],
        "task_page_size": None,
        "topn_tags": 1,
    }


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("qa", {"raptor": {"use_raptor": False}}),
        ("book", {"raptor": {"use_raptor": False}}),
        ("table", {}),
        ("tag", {}),
        ("picture", {}),
    ],
)
def test_create_dataset_default_parser_config_per_method(
    client: TestClient, method: str, expected: dict[str, Any]
) -> None:
    """createDataset: default parser config per method."""
    assert made(client, chunk_method=method)["parser_config"] == expected


def test_create_dataset_duplicate_name_is_102_case_insensitive(client: TestClient) -> None:
    """createDataset: duplicate name is 102 case insensitive."""
    made(client, name="Kb")
    assert create(client, name="kB ") == {"code": 102, "message": "Dataset name 'kB' already exists"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Field: <name> - Message: <Field required> - Value: <{}>"),
        ({"name": ""}, "Field: <name> - Message: <String should have at least 1 character> - Value: <>"),
        ({"name": 1}, "Field: <name> - Message: <Input should be a valid string> - Value: <1>"),
        (
            {"name": "a" * 129},
            f"Field: <name> - Message: <String should have at most 128 characters> - Value: <{'a' * 125}...>",
        ),
        (
            {"name": "x", "permission": "everyone"},
            "Field: <permission> - Message: <Input should be 'me' or 'team'> - Value: <everyone>",
        ),
        (
            {"name": "x", "chunk_method": "NAIVE"},
            "Field: <chunk_method> - Message: <Input should be 'naive', 'book', 'email', 'laws', 'manual', 'one', "
            "'paper', 'picture', 'presentation', 'qa', 'table' or 'tag'> - Value: <NAIVE>",
        ),
        (
            {"name": "x", "pagerank": 101},
            "Field: <pagerank> - Message: <Input should be less than or equal to 100> - Value: <101>",
        ),
        (
            {"name": "x", "pagerank": 5.5},
            "Field: <pagerank> - Message: <Input should be a valid integer, got a number with a fractional part>"
            " - Value: <5.5>",
        ),
        (
            {"name": "x", "avatar": "abc"},
            "Field: <avatar> - Message: <Value error, Missing MIME prefix. Expected format: "
            "data:<mime>;base64,<data>> - Value: <abc>",
        ),
        (
            {"name": "x", "avatar": "image/png;base64,abc"},
            "Field: <avatar> - Message: <Value error, Invalid MIME prefix format. Must start with 'data:'>"
            " - Value: <image/png;base64,abc>",
        ),
        (
            {"name": "x", "avatar": "data:image/gif;base64,abc"},
            "Field: <avatar> - Message: <Value error, Unsupported MIME type. Allowed: ['image/jpeg', 'image/png']>"
            " - Value: <data:image/gif;base64,abc>",
        ),
        (
            {"name": "x", "embedding_model": ""},
            "Field: <embedding_model> - Message: <Value error, Embedding model identifier must follow "
            "<model_name>@<provider> format> - Value: <>",
        ),
        (
            {"name": "x", "embedding_model": "abc@"},
            "Field: <embedding_model> - Message: <Value error, Both model_name and provider must be non-empty "
            "strings> - Value: <abc@>",
        ),
        (
            {"name": "x", "embedding_model": None},
            "Field: <embedding_model> - Message: <Input should be a valid string> - Value: <None>",
        ),
        (
            {"name": "x", "parser_config": {"raptor": {"max_token": 0}}},
            "Field: <parser_config.raptor.max_token> - Message: <Input should be greater than or equal to 1>"
            " - Value: <0>",
        ),
        (
            {"name": "x", "parser_config": {"foo": 1}},
            "Field: <parser_config.foo> - Message: <Extra inputs are not permitted> - Value: <1>",
        ),
        (
            {"name": "x", "parser_config": "x"},
            "Field: <parser_config> - Message: <Input should be a valid dictionary or instance of ParserConfig>"
            " - Value: <x>",
        ),
        (
            {"name": "x", "tenant_id": "t"},
            "Field: <tenant_id> - Message: <Extra inputs are not permitted> - Value: <t>",
        ),
    ],
)
def test_create_dataset_validation_messages(client: TestClient, body: dict[str, Any], message: str) -> None:
    """createDataset: validation messages."""
    assert create(client, **body) == {"code": 101, "message": message}


def test_create_dataset_reports_errors_in_declaration_order_unknown_last(client: TestClient) -> None:
    """createDataset: reports errors in declaration order unknown last."""
    payload = create(client, zzz=1, pagerank=-1, name="")
    assert payload["code"] == 101
    lines = payload["message"].split("\n")
    assert [line.split(" - ")[0] for line in lines] == ["Field: <name>", "Field: <pagerank>", "Field: <zzz>"]


def test_create_dataset_permission_is_lower_cased(client: TestClient) -> None:
    """createDataset: permission is lower cased."""
    assert made(client, permission="TEAM")["permission"] == "team"


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("text/plain", b'{"name":"x"}', "Unsupported content type: Expected application/json, got text/plain"),
        (None, b'{"name":"x"}', "Unsupported content type: Expected application/json, got None"),
        ("application/json", b'{"name":', "Malformed JSON syntax: Missing commas/brackets or invalid encoding"),
        ("application/json", b"", "Malformed JSON syntax: Missing commas/brackets or invalid encoding"),
        ("application/json", b"[1]", "Invalid request payload: expected object, got list"),
        ("application/json", b'"s"', "Invalid request payload: expected object, got str"),
        ("application/json", b"3.5", "Invalid request payload: expected object, got float"),
        ("application/json", b"true", "Invalid request payload: expected object, got bool"),
        ("application/json", b"null", "Field: <name> - Message: <Field required> - Value: <{}>"),
        ("application/merge-patch+json", b'{"nam":1}', None),
    ],
)
def test_create_dataset_strict_json_pipeline(
    client: TestClient, content_type: str | None, body: bytes, message: str | None
) -> None:
    """createDataset: strict json pipeline."""
    headers = {"Content-Type": content_type} if content_type else {}
    payload = client.post("/api/v1/datasets", content=body, headers=headers).json()
    assert payload["code"] == 101
    if message is not None:
        assert payload["message"] == message


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("text-embedding-3-small@OpenAI", "Unauthorized model: <text-embedding-3-small@OpenAI>"),
        ("no-such-model@OpenAI", "Unsupported model: <no-such-model@OpenAI>"),
        ("BAAI/bge-large-zh-v1.5@Nope", "Unsupported model: <BAAI/bge-large-zh-v1.5@Nope>"),
    ],
)
def test_create_dataset_embedding_model_check(client: TestClient, model: str, message: str) -> None:
    """createDataset: embedding model check."""
    assert create(client, name="x", embedding_model=model) == {"code": 101, "message": message}


def test_create_dataset_builtin_embedding_models_pass(client: TestClient) -> None:
    """createDataset: builtin embedding models pass."""
    data = made(client, embedding_model="maidalun1020/bce-embedding-base_v1@Youdao")
    assert data["embedding_model"] == "maidalun1020/bce-embedding-base_v1@Youdao"


# -- list ------------------------------------------------------------------------------------------
def test_list_datasets_orders_by_create_time_desc_and_pages(client: TestClient) -> None:
    """listDatasets: orders by create time desc and pages."""
    for name in ("a", "b", "c"):
        made(client, name=name)
    assert [d["name"] for d in client.get("/api/v1/datasets").json()["data"]] == ["c", "b", "a"]
    names = [d["name"] for d in client.get("/api/v1/datasets?desc=False&page=2&page_size=2").json()["data"]]
    assert names == ["c"]
    assert client.get("/api/v1/datasets?page=0&page_size=1").json()["data"][0]["name"] == "c"
    assert client.get("/api/v1/datasets?page_size=0").json() == {"code": 0, "data": []}
    assert client.get("/api/v1/datasets?page=9").json() == {"code": 0, "data": []}
    assert len(client.get("/api/v1/datasets?page_size=100000000").json()["data"]) == 3
    assert [d["name"] for d in client.get("/api/v1/datasets?orderby=name&desc=false").json()["data"]] == [
        "a",
        "b",
        "c",
    ]


def test_list_datasets_filters_by_id_and_name(client: TestClient) -> None:
    """listDatasets: filters by id and name."""
    first = made(client, name="Alpha")
    made(client, name="beta")
    assert [d["id"] for d in client.get(f"/api/v1/datasets?id={first['id']}").json()["data"]] == [first["id"]]
    assert [d["name"] for d in client.get("/api/v1/datasets?name=ALPHA").json()["data"]] == ["Alpha"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("id=nope", {"code": 102, "message": "You don't own the dataset nope"}),
        ("name=nope", {"code": 102, "message": "You don't own the dataset nope"}),
        ("desc=yes", {"code": 102, "message": "desc should be true or false"}),
        (
            "page=abc",
            {"code": 100, "data": None, "message": "ValueError(\"invalid literal for int() with base 10: 'abc'\")"},
        ),
        (
            "page_size=",
            {"code": 100, "data": None, "message": "ValueError(\"invalid literal for int() with base 10: ''\")"},
        ),
        (
            "orderby=nope",
            {
                "code": 100,
                "data": None,
                "message": "AttributeError(\"type object 'Knowledgebase' has no attribute 'nope'\")",
            },
        ),
    ],
)
def test_list_datasets_errors(client: TestClient, query: str, expected: dict[str, Any]) -> None:
    """listDatasets: errors."""
    made(client, name="x")
    assert client.get(f"/api/v1/datasets?{query}").json() == expected


def test_list_datasets_negative_page_is_a_mysql_error(client: TestClient) -> None:
    """listDatasets: negative page is a mysql error."""
    payload = client.get("/api/v1/datasets?page=-1").json()
    assert payload["code"] == 100
    assert payload["message"] == "1064"
    assert "SQL syntax" in payload["data"]


# -- update ----------------------------------------------------------------------------------------
def test_update_dataset_applies_only_sent_fields(client: TestClient) -> None:
    """updateDataset: applies only sent fields."""
    data = made(client, name="kb", description="d")
    payload = client.put(f"/api/v1/datasets/{data['id']}", json={"name": "renamed", "pagerank": 5}).json()
    assert payload == {"code": 0}
    row = client.get(f"/api/v1/datasets?id={data['id']}").json()["data"][0]
    assert (row["name"], row["pagerank"], row["description"]) == ("renamed", 5, "d")


def test_update_dataset_parser_config_merges_and_method_resets(client: TestClient) -> None:
    """updateDataset: parser config merges and method resets."""
    data = made(client)
    url = f"/api/v1/datasets/{data['id']}"
    assert client.put(url, json={"parser_config": {"chunk_token_num": 64, "raptor": {"max_token": 9}}}).json() == {
        "code": 0
    }
    row = client.get(f"/api/v1/datasets?id={data['id']}").json()["data"][0]
    assert row["parser_config"]["chunk_token_num"] == 64
    assert row["parser_config"]["raptor"] == {"use_raptor": False, "max_token": 9}
    client.put(url, json={"chunk_method": "table"})
    row = client.get(f"/api/v1/datasets?id={data['id']}").json()["data"][0]
    assert (row["chunk_method"], row["parser_config"]) == ("table", {})
    client.put(url, json={"parser_config": {}})
    assert client.get(f"/api/v1/datasets?id={data['id']}").json()["data"][0]["parser_config"] == {}


@pytest.mark.parametrize(
    ("dataset_id", "message"),
    [
        (
            "abc",
            "Field: <dataset_id> - Message: <Input should be a valid UUID, invalid length: expected length 32 for "
            "simple format, found 3> - Value: <abc>",
        ),
        (
            "0" * 32,
            "Field: <dataset_id> - Message: <UUID version 1 expected> - Value: <00000000000000000000000000000000>",
        ),
        (
            "g" + "0" * 31,
            "Field: <dataset_id> - Message: <Input should be a valid UUID, invalid character: expected an optional "
            "prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `g` at 1> - Value: <g0000000000000000000000000000000>",
        ),
    ],
)
def test_update_dataset_id_must_be_uuid1(client: TestClient, dataset_id: str, message: str) -> None:
    """updateDataset: id must be uuid1."""
    assert client.put(f"/api/v1/datasets/{dataset_id}", json={"name": "x"}).json() == {"code": 101, "message": message}


def test_update_dataset_errors(client: TestClient, other_client: TestClient) -> None:
    """updateDataset: errors."""
    data = made(client, name="kb")
    made(client, name="taken")
    url = f"/api/v1/datasets/{data['id']}"
    assert client.put(url, json={}).json() == {"code": 101, "message": "No properties were modified"}
    assert client.put(url, json={"name": "TAKEN"}).json() == {
        "code": 102,
        "message": "Dataset name 'TAKEN' already exists",
    }
    assert client.put(url, json={"name": "KB"}).json() == {"code": 0}
    tenant = other_client.get("/api/v1/datasets").json()
    assert tenant == {"code": 0, "data": []}
    foreign = other_client.put(url, json={"name": "mine"}).json()
    assert foreign["code"] == 102
    assert foreign["message"].startswith("User '") and foreign["message"].endswith(
        f"lacks permission for dataset '{data['id']}'"
    )
    assert client.put(url, json={"embedding_model": "text-embedding-3-small@OpenAI"}).json() == {
        "code": 101,
        "message": "Unauthorized model: <text-embedding-3-small@OpenAI>",
    }
    extra = client.put(url, json={"tenant_id": "x"}).json()
    assert extra == {
        "code": 101,
        "message": "Field: <tenant_id> - Message: <Extra inputs are not permitted> - Value: <x>",
    }


def test_update_dataset_embedding_model_locked_when_chunks_exist(client: TestClient, app: Any) -> None:
    """updateDataset: embedding model locked when chunks exist."""
    data = made(client)
    tenant = app.state.emulator.backends.tenant_for_key(API_KEY)
    tenant.datasets.get(data["id"]).chunk_num = 3
    payload = client.put(
        f"/api/v1/datasets/{data['id']}", json={"embedding_model": "maidalun1020/bce-embedding-base_v1@Youdao"}
    ).json()
    assert payload == {
        "code": 102,
        "message": "When chunk_num (3) > 0, embedding_model must remain BAAI/bge-large-zh-v1.5@BAAI",
    }


# -- delete ----------------------------------------------------------------------------------------
def test_delete_datasets_by_ids(client: TestClient) -> None:
    """deleteDatasets: by ids."""
    a, b = made(client, name="a"), made(client, name="b")
    assert client.request("DELETE", "/api/v1/datasets", json={"ids": [a["id"]]}).json() == {"code": 0}
    assert [d["id"] for d in client.get("/api/v1/datasets").json()["data"]] == [b["id"]]


@pytest.mark.parametrize("body", [None, {}, {"ids": None}, {"ids": []}, {"ids": ""}])
def test_delete_datasets_without_ids_deletes_all(client: TestClient, body: Any) -> None:
    """deleteDatasets: without ids deletes all."""
    made(client, name="a")
    made(client, name="b")
    assert client.request("DELETE", "/api/v1/datasets", json=body).json() == {"code": 0}
    assert client.get("/api/v1/datasets").json() == {"code": 0, "data": []}


def test_delete_datasets_partial_and_duplicate_results(client: TestClient, other_client: TestClient) -> None:
    """deleteDatasets: partial and duplicate results."""
    a = made(client, name="a")
    b = made(client, name="b")
    foreign = made(other_client, name="theirs")
    partial = client.request("DELETE", "/api/v1/datasets", json={"ids": [a["id"], foreign["id"]]}).json()
    assert partial == {
        "code": 0,
        "data": {"errors": [f"You don't own the dataset {foreign['id']}"], "success_count": 1},
    }
    dup = client.request("DELETE", "/api/v1/datasets", json={"ids": [b["id"], b["id"]]}).json()
    assert dup == {"code": 0, "data": {"errors": [f"Duplicate dataset ids: {b['id']}"], "success_count": 1}}
    failed = client.request("DELETE", "/api/v1/datasets", json={"ids": ["x", "y"]}).json()
    assert failed == {"code": 102, "message": "You don't own the dataset x; You don't own the dataset y"}
    assert len(other_client.get("/api/v1/datasets").json()["data"]) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ids": 5}, "TypeError(\"'int' object is not iterable\")"),
        ({"ids": [{"a": 1}]}, "TypeError(\"unhashable type: 'dict'\")"),
        ([1], "AttributeError(\"'list' object has no attribute 'get'\")"),
    ],
)
def test_delete_datasets_crashes_like_the_server(client: TestClient, body: Any, message: str) -> None:
    """deleteDatasets: crashes like the server."""
    assert client.request("DELETE", "/api/v1/datasets", json=body).json() == {
        "code": 100,
        "data": None,
        "message": message,
    }


def test_delete_datasets_string_ids_iterate_characters(client: TestClient) -> None:
    """deleteDatasets: string ids iterate characters."""
    made(client, name="a")
    payload = client.request("DELETE", "/api/v1/datasets", json={"ids": "ab"}).json()
    assert payload == {"code": 102, "message": "You don't own the dataset a; You don't own the dataset b"}


def test_tenants_are_isolated(client: TestClient, other_client: TestClient) -> None:
    """listDatasets, updateDataset, deleteDatasets: tenants are isolated."""
    mine = made(client, name="shared-name")
    theirs = made(other_client, name="shared-name")
    assert mine["tenant_id"] != theirs["tenant_id"]
    assert [d["id"] for d in client.get("/api/v1/datasets").json()["data"]] == [mine["id"]]
    assert other_client.get(f"/api/v1/datasets?id={mine['id']}").json() == {
        "code": 102,
        "message": f"You don't own the dataset {mine['id']}",
    }
    assert other_client.request("DELETE", "/api/v1/datasets", json={"ids": [mine["id"]]}).json()["code"] == 102
    assert client.get(f"/api/v1/datasets?id={mine['id']}").json()["data"][0]["name"] == "shared-name"


def test_parser_config_and_update_name_are_not_nullable(client: TestClient) -> None:
    """createDataset, updateDataset: `parser_config: null` and update `name: null` fail pydantic's type check."""
    config_null = {
        "code": 101,
        "message": "Field: <parser_config> - Message: <Input should be a valid dictionary or instance of "
        "ParserConfig> - Value: <None>",
    }
    assert create(client, name="kb", parser_config=None) == config_null
    dataset_id = made(client)["id"]
    url = f"/api/v1/datasets/{dataset_id}"
    assert client.put(url, json={"parser_config": None}).json() == config_null
    assert client.put(url, json={"name": None}).json() == {
        "code": 101,
        "message": "Field: <name> - Message: <Input should be a valid string> - Value: <None>",
    }
    assert client.put(url, json={"name": "renamed"}).json() == {"code": 0}
