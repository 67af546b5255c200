"""Dependencies shared by the routes, as Annotated aliases so routes stay short."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from api.conversations import ConversationStore
from rag.pipeline import Pipeline
from rag.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_pipeline(request: Request) -> Pipeline:
    return request.app.state.pipeline


def get_store(request: Request) -> ConversationStore:
    return request.app.state.store


def section_lookup(pipeline: Pipeline) -> Callable[[str], str | None]:
    """A cited passage's section title, read from the served index (None once the index no longer holds it)."""
    def section_of(chunk_id: str) -> str | None:
        chunk = pipeline.index.chunk_by_id(chunk_id)
        return chunk.section if chunk is not None else None

    return section_of


def require_key(request: Request, x_api_key: Annotated[str | None, Header(description="API key, when keys are configured.")] = None) -> None:
    keys = request.app.state.settings.api.api_keys
    if keys and not any(x_api_key is not None and hmac.compare_digest(x_api_key, k) for k in keys):
        raise HTTPException(status_code=401, detail={"error": "unauthorized", "message": "a valid X-API-Key header is required"})


SettingsDep = Annotated[Settings, Depends(get_settings)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
StoreDep = Annotated[ConversationStore, Depends(get_store)]
