"""The agent executor (`executor.run`): walking the DSL with fake retrieval/answer services (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.families.agents.canvas import (
    Canvas,
    CanvasFailure,
    Generated,
    Notice,
    RetrievalParams,
    Step,
    default_dsl,
)
from mockserver.families.agents.executor import OfflineServices, run

CHUNK = {"id": "c1", "content": "Blue sky.", "document_id": "d1", "document_name": "sky.txt"}


class FakeServices:
    def __init__(self, chunks: list[dict[str, Any]] | None = None) -> None:
        self.chunks = chunks
        self.retrieved: list[tuple[str, RetrievalParams]] = []
        self.asked: list[tuple[str, str, list[str]]] = []

    def retrieve(self, query: str, params: RetrievalParams) -> list[dict[str, Any]] | None:
        self.retrieved.append((query, params))
        return self.chunks

    def generate(
        self, question: str, prompt: str, dataset_ids: list[str], params: RetrievalParams | None, cite: bool
    ) -> Generated:
        self.asked.append((question, prompt, dataset_ids))
        return Generated(pieces=["Blue", "Blue sky."], cited="Blue sky. ##0$$" if cite else None)


def test_first_run_stops_at_the_interact_answer_with_the_prologue() -> None:
    """createAgentSession: the first run stops at the Interact answer with the prologue."""
    canvas = Canvas(default_dsl(["kb"], prologue="Hello."))
    events = list(run(canvas, FakeServices(), stream=True))
    assert [e.content for e in events if isinstance(e, Step)] == ["Hello."]
    assert canvas.path == [["begin"], ["Answer:Interact"]]


def test_second_run_retrieves_generates_and_cites() -> None:
    """createAgentCompletion: the next run retrieves, generates and cites."""
    services = FakeServices([CHUNK])
    canvas = Canvas(default_dsl(["kb"]))
    list(run(canvas, services, stream=True))
    canvas.add_user_input("why blue?")
    events = list(run(canvas, services, stream=True))
    assert [e.text for e in events if isinstance(e, Notice)] == [
        "*'Retrieval_0'* is running...🕞",
        "*'Generate_0'* is running...🕞",
    ]
    steps = [e for e in events if isinstance(e, Step)]
    assert [s.content for s in steps] == ["Blue", "Blue sky.", "Blue sky. ##0$$"]
    assert steps[-1].reference == {"chunks": [CHUNK], "doc_aggs": [{"doc_id": "d1", "doc_name": "sky.txt"}]}
    assert services.retrieved[0][0] == "why blue?" and services.asked[0][0] == "why blue?"
    assert "Blue sky." in services.asked[0][1]  # `{input}` filled with the retrieved content
    assert canvas.path[-1] == ["Retrieval:Search", "Generate:Reply", "Answer:Interact"]


def test_empty_response_when_nothing_is_found() -> None:
    """createAgentCompletion: a Retrieval's `empty_response` when nothing is found."""
    dsl = default_dsl(["kb"])
    dsl["components"]["Retrieval:Search"]["obj"]["params"]["empty_response"] = "Nothing here."
    canvas = Canvas(dsl)
    services = FakeServices([])
    list(run(canvas, services, stream=False))
    canvas.add_user_input("q")
    assert [e.content for e in run(canvas, services, stream=False) if isinstance(e, Step)] == ["Nothing here."]
    assert services.asked == []


def test_a_flow_without_a_way_back_fails_like_the_server() -> None:
    """createAgentCompletion: a flow without a way back to an Answer fails like the server."""
    dsl = default_dsl([])
    dsl["components"]["Generate:Reply"]["downstream"] = []
    canvas = Canvas(dsl)
    list(run(canvas, FakeServices(), stream=True))
    with pytest.raises(CanvasFailure, match="no way to interact"):
        list(run(canvas, FakeServices(), stream=True))


def test_unknown_components_pass_their_input_through() -> None:
    """createAgentCompletion: components the emulator does not model pass their input through."""
    dsl = default_dsl([])
    components = dsl["components"]
    components["Answer:Interact"]["downstream"] = ["Rewrite:X"]
    components["Rewrite:X"] = {
        "obj": {"component_name": "RewriteQuestion", "params": {}},
        "downstream": ["Answer:Interact"],
        "upstream": ["Answer:Interact"],
    }
    components["Answer:Interact"]["upstream"].append("Rewrite:X")
    canvas = Canvas(dsl)
    list(run(canvas, FakeServices(), stream=True))
    canvas.add_user_input("echo me")
    assert [e.content for e in run(canvas, FakeServices(), stream=True) if isinstance(e, Step)] == ["echo me"]


def test_an_edge_to_a_missing_component_is_a_key_error_inside_the_run() -> None:
    """createAgentCompletion: an edge to a missing component is a KeyError inside the run."""
    dsl = default_dsl([])
    dsl["components"]["Answer:Interact"]["downstream"] = ["Ghost:0"]
    canvas = Canvas(dsl)
    list(run(canvas, OfflineServices(), stream=True))
    canvas.add_user_input("q")
    with pytest.raises(CanvasFailure) as ghost:
        list(run(canvas, OfflineServices(), stream=True))
    assert ghost.value.message == "KeyError('Ghost:0')"
