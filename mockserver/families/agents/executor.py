"""Runs a `Canvas`: walks the DSL's edges from where the flow stopped up to the next Answer, deterministically."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any, Protocol

from mockserver.families.agents.canvas import (
    Canvas,
    CanvasFailure,
    Component,
    Generated,
    Notice,
    RetrievalParams,
    RunEvent,
    Step,
    entry,
)

RUNNING_HINT = "is running...🕞"
NO_INTERACTION = (
    "The dialog flow has no way to interact with you. Please add an 'Interact' component to the end of the flow."
)
NOTHING_FOUND = "Nothing found in knowledgebase!"
MAX_SEGMENT = 64
"""Components one run may execute before the loop guard fires (the server detects repeated patterns)."""
_MARKER_RE = re.compile(r"##(\d+)\$\$")


class FlowServices(Protocol):
    """What the executor needs from the rest of the emulator (retrieval and the answer engine)."""

    def retrieve(self, query: str, params: RetrievalParams) -> list[dict[str, Any]] | None:
        """Chunks (reference chunk format) for `query`; None when none of the datasets exists."""

    def generate(
        self, question: str, prompt: str, dataset_ids: list[str], params: RetrievalParams | None, cite: bool
    ) -> Generated:
        """A deterministic answer for `question` over the datasets the upstream Retrieval searched."""


class OfflineServices:
    """Services for runs outside a request (seeding a world): nothing is retrieved, nothing generated."""

    def retrieve(self, query: str, params: RetrievalParams) -> list[dict[str, Any]] | None:
        """No datasets are consulted."""
        return None

    def generate(
        self, question: str, prompt: str, dataset_ids: list[str], params: RetrievalParams | None, cite: bool
    ) -> Generated:
        """An empty answer."""
        return Generated(pieces=[""])


def run(canvas: Canvas, services: FlowServices, *, stream: bool) -> Iterator[RunEvent]:
    """Continue the flow from where it stopped up to the next Answer component, yielding its steps."""
    yield from Executor(canvas, services, stream).run()


class Executor:
    """One `run`: walks downstream edges, runs components, ends at the first Answer."""

    def __init__(self, canvas: Canvas, services: FlowServices, stream: bool) -> None:
        self.canvas = canvas
        self.services = services
        self.stream = stream

    def component(self, cid: str) -> Component:
        """`components[cid]` (a KeyError inside the run for an edge to nowhere)."""
        found: Component = entry(self.canvas.components, cid)
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
        target.query = rows[0] if rows else ""
        chunks = self.services.retrieve(target.query, params)
        target.chunks = list(chunks or [])
        target.output = [c["content"] for c in target.chunks] or [""]
        found_nothing = chunks is not None and not target.chunks and bool(params.empty_response.strip())
        target.empty_response = params.empty_response if found_nothing else None

    def generate(self, target: Component) -> None:
        sources = self.upstream_ran(target)
        retrievals = [s for s in sources if s.name == "Retrieval"]
        chunks = [c for r in retrievals for c in r.chunks]
        empty_responses = [r.empty_response for r in retrievals if r.empty_response is not None]
        prompt = self.render_prompt(target, sources)
        if empty_responses and not chunks:
            text = "\n- ".join(empty_responses) or NOTHING_FOUND
            target.output, target.steps = [text], [Step(text)]
            return
        dataset_ids = list(dict.fromkeys(i for r in retrievals for i in RetrievalParams.of(r.params).kb_ids))
        params = RetrievalParams.of(retrievals[0].params) if retrievals else None
        question = self.last_user_message() or (retrievals[0].query if retrievals else "")
        cite = target.params.get("cite", True) is not False and bool(chunks)
        made = self.services.generate(question, prompt, dataset_ids, params, cite)
        self.canvas.generated = made
        final = made.pieces[-1] if made.pieces else ""
        steps = [Step(piece) for piece in made.pieces]
        if cite and made.cited is not None:
            cited_chunks = chunks if made.chunks is None else made.chunks
            steps.append(Step(made.cited, _reference(cited_chunks, made.cited)))
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


def _reference(chunks: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """A Generate citation step's reference: all chunks, and the cited documents in citation order."""
    aggs: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for marker in _MARKER_RE.findall(text):
        index = int(marker)
        if index < len(chunks) and chunks[index].get("document_id") not in seen:
            seen.add(chunks[index].get("document_id"))
            aggs.append({"doc_id": chunks[index].get("document_id"), "doc_name": chunks[index].get("document_name")})
    return {"chunks": copy.deepcopy(chunks), "doc_aggs": aggs}
