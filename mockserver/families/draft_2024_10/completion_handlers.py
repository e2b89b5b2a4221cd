"""Profile `2024-10-draft`: `POST /api/v1/chat/{chat_id}/session/{session_id}/completion`, streamed by default."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.core import sse
from mockserver.core.python_failures import gettable
from mockserver.families.chats.answers import engine_of
from mockserver.families.chats.engine import EMBEDDING_MISMATCH, answer_settings, cadence
from mockserver.families.draft_2024_10.chats import DraftChats, check_question
from mockserver.families.draft_2024_10.converse import draft_prompt, draft_reference, stored_turn
from mockserver.families.legacy.service import LegacyScope
from mockserver.http.context import RequestContext
from mockserver.http.envelope import result
from mockserver.http.streaming import StreamFrame, StreamScript, stream_response
from mockserver.http.types import Handler


async def converse(ctx: RequestContext) -> Response:
    """draftConverse: POST /api/v1/chat/{chat_id}/session/{session_id}/completion (`question`, `stream`)."""
    req = gettable(await ctx.json_forced())
    question = check_question(req)
    tenant = ctx.tenant
    chat, session = DraftChats(LegacyScope(ctx.backends, tenant)).session_for_answer(
        ctx.path_param("chat_id"), ctx.path_param("session_id")
    )
    stream = bool(req.get("stream", True))
    qid = tenant.ids.message()
    config = chat.prompt_config if isinstance(chat.prompt_config, dict) else {}
    datasets = [tenant.datasets.get(i) for i in chat.kb_ids if isinstance(i, str)]
    events: list[tuple[dict[str, Any], int]]
    reference: Any
    if not datasets or len({d.embd_id for d in datasets if d is not None}) != 1:
        answer_text, reference, prompt = EMBEDDING_MISMATCH, [], ""
        events = [({"answer": answer_text, "reference": [], "id": qid}, 0)]
    else:
        settings = answer_settings(chat, req, use_knowledge=True)
        answer = engine_of(ctx.state).answer(tenant, str(question), [d.id for d in datasets if d], settings)
        answer_text = answer.text
        if answer.empty:
            reference, prompt = answer.retrieval or {"total": 0, "chunks": [], "doc_aggs": []}, ""
            events = [({"answer": answer_text, "reference": reference, "audio_binary": None, "id": qid}, 0)]
        else:
            reference = draft_reference(tenant, answer.reference)
            prompt = draft_prompt(config.get("system", ""), answer.knowledge, str(question))
            partial: list[tuple[dict[str, Any], int]] = [
                ({"answer": text, "reference": {}, "audio_binary": None, "id": qid}, tokens)
                for text, tokens in cadence(answer_text)
            ]
            final = {"answer": answer_text, "reference": reference, "prompt": prompt, "id": qid}
            events = [*partial, (final, 0)]

    def save() -> None:
        session.message, session.reference = stored_turn(session, question, qid, answer_text, prompt, reference)
        tenant.sessions.touch(session)

    if not stream:
        save()
        data = {"answer": answer_text, "audio_binary": None, "id": qid, "prompt": prompt, "reference": reference}
        return result(data)
    frames = [StreamFrame(sse.result_frame(data, with_message=False), tokens) for data, tokens in events]
    frames.append(StreamFrame(sse.result_frame(True, with_message=False)))
    script = StreamScript(
        frames, on_complete=save, complete_before=len(frames) - 1, error_frames=sse.error_tail(with_message=False)
    )
    return stream_response(ctx, script)


HANDLERS: dict[str, Handler] = {"draftConverse": converse}
