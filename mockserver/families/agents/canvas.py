"""The agent DSL ("canvas"): a tolerant model of what RAGFlow stores and its run state (`executor` runs it)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from mockserver.core.errors import PythonError
from mockserver.core.python_failures import item, no_attribute

DEFAULT_PROLOGUE = "Hi! I'm your smart assistant. What can I do for you?"


class CanvasFailure(PythonError):
    """An exception raised while loading or running a canvas.

    Uncaught it renders as the server's code-100 crash (`Exception('…')`, `KeyError('…')`); endpoints that catch
    it report `detail`, Python's `str(e)`, in an error frame or a 102 message.
    """

    def __init__(self, text: str, exc_class: str = "Exception", *, rendered: str | None = None) -> None:
        super().__init__(exc_class, text, rendered=rendered)

    @classmethod
    def of(cls, error: PythonError) -> CanvasFailure:
        """The same Python exception, raised inside a canvas (so the agent endpoints catch it)."""
        return cls(error.text, error.exc_type, rendered=error.message)


def entry(value: Any, key: str) -> Any:
    """`value[key]` with Python's failures (KeyError, TypeError) as `CanvasFailure`."""
    try:
        return item(value, key)
    except PythonError as error:
        raise CanvasFailure.of(error) from None


@dataclass
class Component:
    """One node of `dsl.components`: the component class, its params and its edges (other keys kept)."""

    id: str
    name: str
    params: dict[str, Any]
    downstream: list[str]
    upstream: list[str]
    extra: dict[str, Any] = field(default_factory=dict)
    output: list[str] | None = None
    """Content rows of the last run (None until the component ran since the last reset)."""
    chunks: list[dict[str, Any]] = field(default_factory=list)
    """Retrieval: the chunks found (already in the API's chunk format)."""
    steps: list[Step] | None = None
    """Streaming output: cumulative answer steps (Begin, Message, Generate in stream mode)."""
    empty_response: str | None = None
    """Retrieval: its `empty_response` when it found nothing in existing datasets."""
    query: str = ""
    """Retrieval: what it searched for."""

    def to_dsl(self) -> dict[str, Any]:
        """`{"obj": {...}, "downstream", "upstream", ...}` as the server serialises a component."""
        output: dict[str, Any] = (
            {} if self.output is None else {"content": {str(i): row for i, row in enumerate(self.output)}}
        )
        obj = {
            "component_name": self.name,
            "params": copy.deepcopy({**self.params, "output": output}),
            "output": output,
            "inputs": copy.deepcopy(self.params.get("inputs", [])),
        }
        return {
            **copy.deepcopy(self.extra),
            "obj": obj,
            "downstream": list(self.downstream),
            "upstream": list(self.upstream),
        }


@dataclass
class Step:
    """One answer step of a run: cumulative content and the raw reference (`[]` for plain steps)."""

    content: str
    reference: Any = field(default_factory=list)


@dataclass
class Notice:
    """A "component is running" notice (streamed with `running_status: true`, never stored)."""

    text: str


RunEvent = Step | Notice


@dataclass(frozen=True)
class RetrievalParams:
    """The Retrieval component's params the executor uses (RAGFlow defaults)."""

    kb_ids: tuple[str, ...] = ()
    similarity_threshold: float = 0.2
    keywords_similarity_weight: float = 0.5
    top_n: int = 8
    top_k: int = 1024
    empty_response: str = ""

    @classmethod
    def of(cls, params: dict[str, Any]) -> RetrievalParams:
        """Read tolerantly: wrong types fall back to the defaults."""
        ids = params.get("kb_ids")
        empty = params.get("empty_response")
        return cls(
            kb_ids=tuple(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else (),
            similarity_threshold=_number(params.get("similarity_threshold"), 0.2),
            keywords_similarity_weight=_number(params.get("keywords_similarity_weight"), 0.5),
            top_n=int(_number(params.get("top_n"), 8)),
            top_k=int(_number(params.get("top_k"), 1024)),
            empty_response=empty if isinstance(empty, str) else "",
        )


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


@dataclass
class Generated:
    """What the answer engine produced for a Generate step."""

    pieces: list[str]
    """Cumulative answer texts as the model streams them (last one = the full answer)."""
    cited: str | None = None
    """The answer with `##i$$` citation markers (None: no citation step)."""
    chunks: list[dict[str, Any]] | None = None
    """Reference chunks to cite instead of the Retrieval components' (a scripted answer's canned chunks)."""
    tokens_per_second: float | None = None
    """Pacing override of a scripted answer."""
    first_token_delay: float | None = None
    """Pacing override of a scripted answer."""


class Canvas:
    """A loaded agent DSL with its run state (`path`, `history`, `messages`, `answer`, `reference`)."""

    def __init__(self, dsl: Any) -> None:
        raw = entry(dsl, "components")
        if not isinstance(raw, dict):
            raise CanvasFailure.of(no_attribute(raw, "items"))
        self.components: dict[str, Component] = {cid: _component(cid, node) for cid, node in raw.items()}
        names = {c.name for c in self.components.values()}
        if "Begin" not in names:
            raise CanvasFailure("There have to be an 'Begin' component.", "AssertionError")
        if "Answer" not in names:
            raise CanvasFailure("There have to be an 'Answer' component.", "AssertionError")
        self.rest = {k: copy.deepcopy(v) for k, v in dsl.items() if k != "components"}
        self.path: list[list[str]] = _list(dsl.get("path"))
        self.history: list[list[str]] = _list(dsl.get("history"))
        self.messages: list[dict[str, Any]] = _list(dsl.get("messages"))
        self.answer: list[str] = _list(dsl.get("answer"))
        self.reference: list[Any] = _list(dsl.get("reference"))
        self.embed_id: str = str(dsl.get("embed_id") or "")
        self.generated: Generated | None = None
        """The last Generate step's answer (pacing overrides for the stream)."""

    # -- Begin ---------------------------------------------------------------------------------------
    @property
    def begin(self) -> Component:
        """The component with id `begin` (the server looks it up by that id)."""
        found: Component = entry(self.components, "begin")
        return found

    def prologue(self) -> str:
        """The Begin prologue (RAGFlow's default when unset)."""
        value = self.begin.params.get("prologue", DEFAULT_PROLOGUE)
        return value if isinstance(value, str) else str(value)

    def inputs(self) -> list[dict[str, Any]]:
        """The Begin component's declared inputs (`query`), mutable, in DSL order."""
        query = self.begin.params.get("query")
        if not isinstance(query, list):
            query = []
            self.begin.params["query"] = query
        return query

    # -- state ---------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the run state and every component's output (what the server does before a new session)."""
        self.path, self.history, self.messages, self.answer, self.reference = [], [], [], [], []
        for component in self.components.values():
            component.output, component.steps, component.chunks, component.empty_response = None, None, [], None

    def add_user_input(self, question: str) -> None:
        """Append the user's turn to the conversation history the components see."""
        self.history.append(["user", question])

    def to_dsl(self) -> dict[str, Any]:
        """The DSL with the run state, as the server stores it in a session (`json.loads(str(canvas))`)."""
        dsl: dict[str, Any] = {"components": {cid: c.to_dsl() for cid, c in self.components.items()}}
        for key, value in self.rest.items():
            dsl[key] = copy.deepcopy(value)
        dsl.update(
            path=copy.deepcopy(self.path),
            history=copy.deepcopy(self.history),
            messages=copy.deepcopy(self.messages),
            answer=list(self.answer),
            reference=copy.deepcopy(self.reference),
            embed_id=self.embed_id,
        )
        return dsl

    def display_name(self, cid: str) -> str:
        """The node's name in `graph.nodes` (what the running notice shows; empty when absent)."""
        graph = self.rest.get("graph")
        nodes = graph.get("nodes") if isinstance(graph, dict) else None
        for node in nodes if isinstance(nodes, list) else []:
            if isinstance(node, dict) and node.get("id") == cid:
                data = node.get("data")
                return str(data.get("name", "")) if isinstance(data, dict) else ""
        return ""


def _list(value: Any) -> list[Any]:
    return copy.deepcopy(value) if isinstance(value, list) else []


def _component(cid: str, node: Any) -> Component:
    """Read one `components` entry: `obj.component_name` is required, the rest defaults tolerantly."""
    obj = entry(node, "obj")
    name = entry(obj, "component_name")
    params = obj.get("params")
    extra = {k: copy.deepcopy(v) for k, v in node.items() if k not in ("obj", "downstream", "upstream")}
    return Component(
        id=cid,
        name=str(name),
        params=copy.deepcopy(params) if isinstance(params, dict) else {},
        downstream=[str(d) for d in node.get("downstream") or [] if isinstance(d, str)],
        upstream=[str(u) for u in node.get("upstream") or [] if isinstance(u, str)],
        extra=extra,
    )


def begin_input(key: str, name: str = "", kind: str = "line", optional: bool = False) -> dict[str, Any]:
    """A Begin input declaration as the web UI writes it."""
    return {"key": key, "name": name or key, "optional": optional, "type": kind}


def default_dsl(dataset_ids: list[str], prologue: str = DEFAULT_PROLOGUE) -> dict[str, Any]:
    """The web UI's "knowledge base Q&A" layout: begin → Answer ⇄ Retrieval → Generate → Answer."""
    answer, retrieval, generate = "Answer:Interact", "Retrieval:Search", "Generate:Reply"

    def node(cid: str, name: str, params: dict[str, Any], down: list[str], up: list[str]) -> dict[str, Any]:
        return {"obj": {"component_name": name, "params": params}, "downstream": down, "upstream": up}

    components = {
        "begin": node("begin", "Begin", {"prologue": prologue, "query": []}, [answer], []),
        answer: node(answer, "Answer", {}, [retrieval], ["begin", generate]),
        retrieval: node(retrieval, "Retrieval", {"kb_ids": list(dataset_ids), "top_n": 8}, [generate], [answer]),
        generate: node(
            generate,
            "Generate",
            {"prompt": "Answer from the knowledge base:\n{input}", "cite": True},
            [answer],
            [retrieval],
        ),
    }
    labels = {
        "begin": ("Begin", "begin"),
        answer: ("Answer", "Interact_0"),
        retrieval: ("Retrieval", "Retrieval_0"),
        generate: ("Generate", "Generate_0"),
    }
    nodes = [{"id": cid, "data": {"label": label, "name": name}} for cid, (label, name) in labels.items()]
    return {
        "components": components,
        "graph": {"nodes": nodes, "edges": []},
        "history": [],
        "messages": [],
        "path": [],
        "reference": [],
        "answer": [],
    }


__all__ = [
    "Canvas",
    "CanvasFailure",
    "Component",
    "Generated",
    "Notice",
    "RetrievalParams",
    "RunEvent",
    "Step",
    "begin_input",
    "default_dsl",
    "entry",
]
