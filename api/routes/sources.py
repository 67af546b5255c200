"""GET /v1/sources/{doc_id}: a cited source's metadata and passages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import PipelineDep
from api.schemas import ErrorOut, PassageOut, SourceOut

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("/{doc_id:path}", response_model=SourceOut, responses={404: {"model": ErrorOut}}, summary="A cited source and its passages")
def get(
    doc_id: str,
    pipeline: PipelineDep,
    chunk: Annotated[list[str] | None, Query(description="Chunk ids to return (a reference's chunk_ids).", max_length=20)] = None,
):
    """Reference metadata and the cited passage text, so a reader can check the evidence behind each [n]."""
    index = pipeline.index
    doc = index.document(doc_id)
    if doc is None:
        raise HTTPException(404, detail={"error": "unknown_source", "message": f"no document {doc_id} in index {index.info.name}"})
    if chunk:
        found = [index.chunk_by_id(cid) for cid in chunk]
        if any(c is None or c.doc_id != doc_id for c in found):
            raise HTTPException(404, detail={"error": "unknown_passage", "message": f"a requested passage is not part of {doc_id}"})
        passages = [PassageOut(chunk_id=c.id, section=c.section, page=c.page, text=c.text) for c in found]
    else:
        rows = index.doc_rows(doc_id)[:3]
        passages = [PassageOut(chunk_id=c.id, section=c.section, page=c.page, text=c.text) for c in index.chunks(rows)]
    return SourceOut(doc_id=doc.id, kind=doc.kind, title=doc.title, source=doc.source, year=doc.year, url=doc.url,
                     identifiers=doc.identifiers, license=doc.license, passages=passages)
