"""Related questions: deterministic alternatives to a question (web login-token route and its API-key twin)."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mockserver.core.errors import DataError
from mockserver.core.python_failures import gettable
from mockserver.core.search import STOPWORDS, tokenize
from mockserver.http.context import RequestContext
from mockserver.http.envelope import json_result, result
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler

QUESTION_TEMPLATES = (
    "What is {topic}?",
    "What are the main features of {topic}?",
    "How does {topic} work?",
    "What are the benefits of {topic}?",
    "What are common use cases for {topic}?",
    "How do I get started with {topic}?",
)
"""The web endpoint's model is asked for 5–10 alternative questions."""
SEARCH_TERM_TEMPLATES = ("{topic}", "{topic} overview", "{topic} features", "{topic} benefits", "{topic} examples")
"""The SDK twin's model is asked for search terms."""
_LIST_LINE = re.compile(r"^[0-9]\. ")


def topic_of(question: str) -> str:
    """The question's content words (stop words and punctuation removed), or the question itself."""
    words = [w for w in tokenize(question) if w not in STOPWORDS]
    return " ".join(words) or " ".join(question.split()).rstrip("?？.!")


def model_reply(question: str, templates: tuple[str, ...]) -> str:
    """What the emulated chat model answers: a numbered list, one candidate per line."""
    topic = topic_of(question)
    return "\n".join(f"{n}. {t.format(topic=topic)}" for n, t in enumerate(templates, start=1))


def parse_list(reply: str) -> list[str]:
    """The server keeps lines starting with one digit, a dot and a space, without that prefix (`10. ` is dropped)."""
    return [line[3:] for line in reply.split("\n") if _LIST_LINE.match(line)]


def related(question: Any, templates: tuple[str, ...]) -> list[str]:
    """Related questions for any question value (the server formats it into the prompt as text)."""
    return parse_list(model_reply(question if isinstance(question, str) else str(question), templates))


async def generate_related_questions(ctx: RequestContext) -> Response:
    """generateRelatedQuestions: POST /v1/conversation/related_questions (login token; `question` present)."""
    body = await require_arguments(ctx, "question")
    question = gettable(body).get("question")
    return json_result(data=related(question, QUESTION_TEMPLATES))


async def generate_session_related_questions(ctx: RequestContext) -> Response:
    """generateSessionRelatedQuestions: POST /api/v1/sessions/related_questions (API key; `question` truthy)."""
    req = gettable(await ctx.json_forced())
    question = req.get("question")
    if not question:
        raise DataError("`question` is required.")
    return result(related(question, SEARCH_TERM_TEMPLATES))


HANDLERS: dict[str, Handler] = {
    "generateRelatedQuestions": generate_related_questions,
    "generateSessionRelatedQuestions": generate_session_related_questions,
}

__all__ = ["HANDLERS", "parse_list", "related", "topic_of"]
