"""GET /healthz and /readyz: liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.schemas import IndexOut, ReadyOut

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyOut, summary="The index and model are loaded")
def readyz(request: Request) -> ReadyOut:
    m = request.app.state.pipeline.index.manifest
    return ReadyOut(status="ready", index=IndexOut(name=m.name, fingerprint=m.fingerprint), documents=m.documents, chunks=m.chunks, model=m.model)
