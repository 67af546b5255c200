"""POST /v1/answers: answer a question or a follow-up, as JSON or as server-sent events."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from api.deps import PipelineDep, StoreDep, section_lookup
from api.schemas import AnswerOut, AnswerRequest, ErrorOut
from rag.pipeline import QuestionError
from rag.retrieval.retriever import FilterError

router = APIRouter(prefix="/answers", tags=["answers"])

_ERRORS = {
    404: {"model": ErrorOut, "description": "Unknown conversation id."},
    413: {"model": ErrorOut, "description": "The body is over api.max_body_bytes."},
    422: {"model": ErrorOut, "description": "Empty or too long question, invalid fields or filters, or a body that "
                                            "cannot be read (invalid UTF-8, broken JSON)."},
}


@router.post(
    "",
    response_model=AnswerOut,
    responses=_ERRORS | {200: {"content": {"text/event-stream": {}}, "description": "The answer (JSON, or SSE when asked)."}},
    summary="Answer a question or a follow-up",
)
def create(body: AnswerRequest, request: Request, pipeline: PipelineDep, store: StoreDep):
    """Answer `question` from the indexed evidence. Send `conversation_id` to ask a follow-up in that conversation."""
    if body.conversation_id is not None and not store.exists(body.conversation_id):
        raise HTTPException(404, detail={"error": "unknown_conversation", "message": f"no conversation {body.conversation_id}"})
    history = store.history(body.conversation_id) if body.conversation_id else []
    filters = body.filters.to_filters() if body.filters else None
    try:
        answer = pipeline.ask(body.question, history, filters=filters)
    except QuestionError as exc:
        raise HTTPException(422, detail={"error": "invalid_question", "message": str(exc)}) from exc
    except FilterError as exc:
        raise HTTPException(422, detail={"error": "invalid_filter", "message": str(exc)}) from exc
    if body.audience == "patient":
        answer.sections.sort(key=lambda s: s.kind != "patient")
    if body.conversation_id:
        cid, turn = body.conversation_id, store.append(body.conversation_id, answer)
    else:
        cid, turn = store.start(answer), 1
    out = AnswerOut.from_answer(answer, cid, turn, section_lookup(pipeline))
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(_events(out), media_type="text/event-stream")
    return out


def _events(out: AnswerOut) -> Iterator[str]:
    """Sections, then references, then the disclaimer, as server-sent events."""
    def event(name: str, data) -> str:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n"

    yield event("meta", {"conversation_id": out.conversation_id, "turn": out.turn, "question": out.question,
                         "standalone_question": out.standalone_question, "abstained": out.abstained,
                         "abstention": out.abstention, "unstated": out.unstated,
                         "index": out.index.model_dump(),
                         "writer": out.writer.model_dump()})
    for section in out.sections:
        yield event("section", section.model_dump())
    yield event("references", [r.model_dump() for r in out.references])
    yield event("disclaimer", {"text": out.disclaimer})
    yield event("done", {"timings_ms": out.timings_ms})
