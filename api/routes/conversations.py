"""GET and DELETE /v1/conversations/{id}: a conversation's turns."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path, Response

from api.conversations import ConversationNotFound
from api.deps import PipelineDep, StoreDep, section_lookup
from api.schemas import AnswerOut, ConversationOut, ErrorOut, TurnOut

router = APIRouter(prefix="/conversations", tags=["conversations"])
CID = Path(pattern=r"^[0-9a-f]{32}$", description="Conversation id from POST /v1/answers.")


def _missing(cid: str) -> HTTPException:
    return HTTPException(404, detail={"error": "unknown_conversation", "message": f"no conversation {cid}"})


@router.get("/{conversation_id}", response_model=ConversationOut, responses={404: {"model": ErrorOut}}, summary="A conversation's turns")
def get(store: StoreDep, pipeline: PipelineDep, conversation_id: str = CID):
    """Every turn of the conversation with its answer, oldest first."""
    try:
        turns = store.turns(conversation_id)
    except ConversationNotFound:
        raise _missing(conversation_id) from None
    section_of = section_lookup(pipeline)
    return ConversationOut(
        conversation_id=conversation_id,
        turns=[TurnOut(turn=t.turn, question=t.question, created_at=t.created_at,
                       answer=AnswerOut.from_answer(t.answer, conversation_id, t.turn, section_of)) for t in turns],
    )


@router.delete("/{conversation_id}", status_code=204, responses={404: {"model": ErrorOut}}, summary="Delete a conversation")
def delete(store: StoreDep, conversation_id: str = CID) -> Response:
    """Remove the conversation and all its turns."""
    try:
        store.delete(conversation_id)
    except ConversationNotFound:
        raise _missing(conversation_id) from None
    return Response(status_code=204)
