"""The agent DSL ("canvas"): a tolerant model of what RAGFlow stores, and its deterministic executor."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockserver.errors import PythonError

DEFAULT_PROLOGUE = "Hi! I'm your smart assistant. What can I do for you?"
RUNNING_HINT = "is running...🕞"
NO_INTERACTION = (
    "The dialog flow has no way to interact with you. Please add an 'Interact' component to the end of the flow."
)
NOTHING_FOUND = "Nothing found in knowledgebase!"
MAX_SEGMENT = 64
"""Components one run may execute before the loop guard fires (the server detects repeated patterns)."""


def _py_type(value: Any) -> str:
    return type(value).__name__


def _subscript_error(value: Any) -> PythonError:
    """What `value["components"]` raises in Python for a DSL that is not an object."""
    if isinstance(value, list):
        return PythonError("TypeError", "list indices must be integers or slices, not str")
    if isinstance(value, str):
        return PythonError("TypeError", "string indices must be integers, not 'str'")
    return PythonError("TypeError", f"'{_py_type(value)}' object is not subscriptable")


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


class CanvasFailure(Exception):
    """An exception inside a run: `message` is the server's `str(e)`, `python_error()` its crash reply."""

    def __init__(self, text: str, exc_class: str = "Exception") -> None:
        super().__init__(text)
        self.text = text
        self.exc_class = exc_class
        self.message = repr(text) if exc_class == "KeyError" else text

    def python_error(self) -> PythonError:
        """The code-100 reply when this escapes a handler (`Exception('…')`, `KeyError('…')`)."""
        return PythonError(self.exc_class, self.text)


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
    """The answer with `##i$$` markers inserted (None: no citation step)."""
    cited_indices: list[int] = field(default_factory=list)
    """Chunk indices cited, in order of first citation."""


class FlowServices(Protocol):
    """What the executor needs from the rest of the emulator (retrieval and the answer engine)."""

    def retrieve(self, query: str, params: RetrievalParams) -> list[dict[str, Any]] | None:
        """Chunks (API chunk format) for `query`; None when none of the datasets exists."""

    def generate(self, question: str, prompt: str, chunks: list[dict[str, Any]], cite: bool) -> Generated:
        """A deterministic answer for `question` grounded in `chunks`."""


class Canvas:
    """A loaded agent DSL with its run state (`path`, `history`, `messages`, `answer`, `reference`)."""

    def __init__(self, dsl: Any) -> None:
        if not isinstance(dsl, dict):
            raise _subscript_error(dsl)
        if "components" not in dsl:
            raise PythonError("KeyError", "components")
        raw = dsl["components"]
        if not isinstance(raw, dict):
            raise PythonError("AttributeError", f"'{_py_type(raw)}' object has no attribute 'items'")
        self.components: dict[str, Component] = {cid: _component(cid, node) for cid, node in raw.items()}
        names = {c.name for c in self.components.values()}
        if "Begin" not in names:
            raise PythonError("AssertionError", "There have to be an 'Begin' component.")
        if "Answer" not in names:
            raise PythonError("AssertionError", "There have to be an 'Answer' component.")
        self.rest = {k: copy.deepcopy(v) for k, v in dsl.items() if k != "components"}
        self.path: list[list[str]] = _list(dsl.get("path"))
        self.history: list[list[str]] = _list(dsl.get("history"))
        self.messages: list[dict[str, Any]] = _list(dsl.get("messages"))
        self.answer: list[str] = _list(dsl.get("answer"))
        self.reference: list[Any] = _list(dsl.get("reference"))
        self.embed_id: str = str(dsl.get("embed_id") or "")

    # -- Begin ---------------------------------------------------------------------------------------
    @property
    def begin(self) -> Component:
        """The component with id `begin` (the server looks it up by that id)."""
        found = self.components.get("begin")
        if found is None:
            raise PythonError("KeyError", "begin")
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

    # -- running -------------------------------------------------------------------------------------
    def run(self, services: FlowServices, *, stream: bool) -> Iterator[RunEvent]:
        """Continue the flow from where it stopped up to the next Answer component, yielding its steps."""
        executor = _Executor(self, services, stream)
        yield from executor.run()


class _Executor:
    """One `Canvas.run`: walks downstream edges, runs components, ends at the first Answer."""

    def __init__(self, canvas: Canvas, services: FlowServices, stream: bool) -> None:
        self.canvas = canvas
        self.services = services
        self.stream = stream

    def component(self, cid: str) -> Component:
        found = self.canvas.components.get(cid)
        if found is None:
            raise CanvasFailure(cid, "KeyError")
        return found

    def run(self) -> Iterator[RunEvent]:
        canvas = self.canvas
        if canvas.answer:
            cid = canvas.answer.pop(0)
            steps = self.run_answer(self.component(cid))
            canvas.path[-1].append(cid)
            yield from steps
            return
        if not canvas.path:
            self.execute(canvas.begin)
            canvas.path.append(["begin"])
        canvas.path.append([])
        ran = 0
        yield from self.prepare(self.component(canvas.path[-2][-1]).downstream)
        while ran < len(canvas.path[-1]):
            current = self.component(canvas.path[-1][ran])
            if not current.downstream:
                break
            if len(canvas.path[-1]) > MAX_SEGMENT:
                loop = " => ".join(c.split(":")[0] for c in canvas.path[-1][-2:])
                raise CanvasFailure(f"Too much loops: {loop} => {loop}", "OverflowError")
            yield from self.prepare(current.downstream)
            ran += 1
        if not canvas.answer:
            raise CanvasFailure(NO_INTERACTION)
        cid = canvas.answer.pop(0)
        steps = self.run_answer(self.component(cid))
        canvas.path[-1].append(cid)
        yield from steps

    def prepare(self, downstream: list[str]) -> Iterator[RunEvent]:
        segment = self.canvas.path[-1]
        for cid in downstream:
            if segment and cid == segment[-1]:
                continue
            target = self.component(cid)
            if target.name == "Answer":
                self.canvas.answer.append(cid)
                continue
            yield Notice(f"*'{self.canvas.display_name(cid)}'* {RUNNING_HINT}")
            self.execute(target)
            segment.append(cid)

    # -- inputs ----------------------------------------------------------------------------------------
    def last_user_message(self) -> str:
        for role, content, *_ in reversed(self.canvas.history):
            if role == "user":
                return str(content)
        return ""

    def upstream_ran(self, target: Component) -> list[Component]:
        """Upstream components that ran in the previous or current path segment, latest first."""
        path = self.canvas.path
        recent = (path[-2] if len(path) > 1 else []) + path[-1]
        return [self.component(c) for c in reversed(recent) if c in target.upstream]

    def input_rows(self, target: Component) -> list[str]:
        """`get_input`: the output of the latest upstream that ran (an Answer upstream: the user's turn)."""
        for upstream in self.upstream_ran(target):
            if "answer" in upstream.id.lower() or upstream.name == "Answer":
                return [self.last_user_message()]
            return list(upstream.output or [])
        return []

    # -- components --------------------------------------------------------------------------------------
    def execute(self, target: Component) -> None:
        """Run one non-Answer component, storing its output rows (and stream steps)."""
        if target.name == "Begin":
            target.output = [self.canvas.prologue()]
            target.steps = [Step(target.output[0])] if self.stream else None
        elif target.name == "Retrieval":
            self.retrieval(target)
        elif target.name == "Generate":
            self.generate(target)
        elif target.name == "Message":
            messages = [m for m in target.params.get("messages") or [] if isinstance(m, str)]
            target.output = [messages[0] if messages else ""]
            target.steps = [Step(target.output[0])] if self.stream else None
        else:
            target.output = self.input_rows(target)

    def retrieval(self, target: Component) -> None:
        rows = self.input_rows(target)
        params = RetrievalParams.of(target.params)
        chunks = self.services.retrieve(rows[0] if rows else "", params)
        target.chunks = list(chunks or [])
        target.output = [c["content"] for c in target.chunks] or [""]
        found_nothing = chunks is not None and not target.chunks and bool(params.empty_response.strip())
        target.empty_response = params.empty_response if found_nothing else None

    def generate(self, target: Component) -> None:
        chunks: list[dict[str, Any]] = []
        empty_responses: list[str] = []
        sources = self.upstream_ran(target)
        for upstream in sources:
            if upstream.name == "Retrieval":
                chunks.extend(upstream.chunks)
                if upstream.empty_response is not None:
                    empty_responses.append(upstream.empty_response)
        prompt = self.render_prompt(target, sources)
        if empty_responses and not chunks:
            text = "\n- ".join(empty_responses) or NOTHING_FOUND
            target.output, target.steps = [text], [Step(text)]
            return
        cite = target.params.get("cite", True) is not False and bool(chunks)
        made = self.services.generate(self.last_user_message(), prompt, chunks, cite)
        final = made.pieces[-1] if made.pieces else ""
        steps = [Step(piece) for piece in made.pieces]
        if cite and made.cited is not None:
            steps.append(Step(made.cited, _reference(chunks, made.cited_indices)))
            final = made.cited
        target.output = [final]
        target.steps = steps if self.stream else None

    def render_prompt(self, target: Component, sources: list[Component]) -> str:
        """Fill `{begin@key}`, `{component_id}` and `{input}` references of the prompt template."""
        prompt = str(target.params.get("prompt") or "")
        values = {str(q.get("key")): q.get("value", "") for q in self.canvas.inputs() if isinstance(q, dict)}
        for key, value in values.items():
            prompt = prompt.replace("{begin@" + key + "}", str(value))
        for source in sources:
            prompt = prompt.replace("{" + source.id + "}", "  - " + "\n - ".join(source.output or []))
        rows = self.input_rows(target)
        return re.sub(r"\{input\}", lambda _: " - " + "\n - ".join(rows) if rows else "", prompt)

    def run_answer(self, target: Component) -> list[RunEvent]:
        """The Answer component: stream its input's steps (or rows, cumulatively), or its rows at once."""
        sources = self.upstream_ran(target)
        source = sources[0] if sources else None
        steps: list[Step]
        if source is not None and ("answer" in source.id.lower() or source.name == "Answer"):
            rows = [self.last_user_message()]
            steps = _cumulative(rows)
        elif source is not None and self.stream and source.steps is not None:
            steps = list(source.steps)
            rows = [steps[-1].content] if steps else []
        else:
            rows = list(source.output or []) if source is not None else []
            steps = _cumulative(rows) if self.stream else [Step("\n".join(rows))]
        post = [p for p in target.params.get("post_answers") or [] if isinstance(p, str)]
        if post and steps:
            steps.append(Step(steps[-1].content + post[0], steps[-1].reference))
            rows = [*rows, post[0]]
        target.output = rows
        return list(steps)


def _cumulative(rows: list[str]) -> list[Step]:
    steps, text = [], ""
    for row in rows:
        text += row
        steps.append(Step(text))
    return steps


def _reference(chunks: list[dict[str, Any]], cited: list[int]) -> dict[str, Any]:
    """A Generate citation step's reference: all chunks, and the cited documents in citation order."""
    aggs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index in cited:
        if 0 <= index < len(chunks) and chunks[index].get("document_id") not in seen:
            seen.add(chunks[index].get("document_id", ""))
            aggs.append({"doc_id": chunks[index].get("document_id"), "doc_name": chunks[index].get("document_name")})
    return {"chunks": copy.deepcopy(chunks), "doc_aggs": aggs}


def _list(value: Any) -> list[Any]:
    return copy.deepcopy(value) if isinstance(value, list) else []


def _component(cid: str, node: Any) -> Component:
    """Read one `components` entry: `obj.component_name` is required, the rest defaults tolerantly."""
    if not isinstance(node, dict):
        raise _subscript_error(node)
    if "obj" not in node:
        raise PythonError("KeyError", "obj")
    obj = node["obj"]
    if not isinstance(obj, dict):
        raise _subscript_error(obj)
    if "component_name" not in obj:
        raise PythonError("KeyError", "component_name")
    params = obj.get("params")
    extra = {k: copy.deepcopy(v) for k, v in node.items() if k not in ("obj", "downstream", "upstream")}
    return Component(
        id=cid,
        name=str(obj["component_name"]),
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


__all__ = ["Canvas", "CanvasFailure", "FlowServices", "Generated", "Notice", "RetrievalParams", "RunEvent", "Step"]
