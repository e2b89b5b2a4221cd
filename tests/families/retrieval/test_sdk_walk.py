"""The knowledge workflow a new user runs with the official ragflow-sdk 0.19.0 over a real socket."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from ragflow_sdk import RAGFlow

from mockserver import Settings, create_app
from mockserver.server import ThreadedServer
from tests.support.knowledge import make_pdf

API_KEY = "ragflow-sdk-key"

pytestmark = pytest.mark.slow


def _docx(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def rag() -> Iterator[RAGFlow]:
    """The SDK against an emulator whose parses finish after two polls."""
    app = create_app(Settings.for_tests(api_keys=(API_KEY,), progression="polls:2"))
    with ThreadedServer(app) as server:
        yield RAGFlow(api_key=API_KEY, base_url=server.base_url)


def test_sdk_knowledge_workflow(rag: RAGFlow) -> None:
    dataset = rag.create_dataset(name="sdk-knowledge")
    docs = dataset.upload_documents(
        [
            {"display_name": "volcanoes.txt", "blob": b"Volcanoes erupt molten basalt lava from deep magma chambers."},
            {"display_name": "tides.md", "blob": b"# Tides\n\nOcean tides follow the gravitational pull of the moon."},
            {"display_name": "bees.pdf", "blob": make_pdf("Honeybees communicate through a waggle dance")},
            {"display_name": "glaciers.docx", "blob": _docx("Glaciers carve U-shaped valleys over millennia.")},
        ]
    )
    assert [d.name for d in docs] == ["volcanoes.txt", "tides.md", "bees.pdf", "glaciers.docx"]
    assert {d.run for d in docs} == {"UNSTART"}
    by_name = {d.name: d for d in docs}

    dataset.async_parse_documents([d.id for d in docs])
    deadline = time.monotonic() + 10
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = {d.name: d.run for d in dataset.list_documents(page_size=10)}
        if set(states.values()) == {"DONE"}:
            break
    assert set(states.values()) == {"DONE"}, states
    done = {d.name: d for d in dataset.list_documents(page_size=10)}
    assert all(d.chunk_count >= 1 and d.token_count > 0 and d.progress == 1.0 for d in done.values())

    pdf_chunks = done["bees.pdf"].list_chunks()
    assert "waggle dance" in pdf_chunks[0].content
    assert "U-shaped valleys" in done["glaciers.docx"].list_chunks()[0].content
    tides = done["tides.md"]
    added = tides.add_chunk(content="Spring tides happen at new and full moon.", important_keywords=["spring"])
    assert added.document_id == tides.id
    added.update({"content": "Neap tides happen at the quarter moons.", "questions": ["When are neap tides?"]})
    contents = [c.content for c in tides.list_chunks()]
    assert "Neap tides happen at the quarter moons." in contents
    tides.delete_chunks([added.id])
    assert "Neap tides happen at the quarter moons." not in [c.content for c in tides.list_chunks()]
    assert by_name["volcanoes.txt"].download() == b"Volcanoes erupt molten basalt lava from deep magma chambers."

    found = rag.retrieve(dataset_ids=[dataset.id], question="How do honeybees communicate?")
    assert found, "retrieval returned nothing"
    assert found[0].document_id == by_name["bees.pdf"].id


def test_sdk_cancel_and_errors(rag: RAGFlow) -> None:
    dataset = rag.create_dataset(name="sdk-cancel")
    [doc] = dataset.upload_documents([{"display_name": "slow.txt", "blob": b"Some text to parse."}])
    dataset.async_parse_documents([doc.id])
    dataset.async_cancel_parse_documents([doc.id])
    [cancelled] = dataset.list_documents(id=doc.id)
    assert (cancelled.run, cancelled.progress) == ("CANCEL", 0.0)
    with pytest.raises(Exception, match="Documents not found: \\['nope'\\]"):
        dataset.async_parse_documents(["nope"])
    with pytest.raises(Exception, match="This type of file has not been supported yet!"):
        dataset.upload_documents([{"display_name": "tool.exe", "blob": b"MZ"}])
    dataset.delete_documents()
    assert dataset.list_documents() == []
