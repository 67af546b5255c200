"""An index's manifest.json: what built it, its fingerprints, and reading it back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rag.indexing.abbreviations import VERSION as ABBREVIATIONS_VERSION
from rag.indexing.bm25 import bm25_config
from rag.indexing.chunking import CHUNKER_VERSION
from rag.indexing.embedding import resolve_backend
from rag.indexing.errors import GuideIndexError
from rag.indexing.layout import FORMAT_VERSION, MANIFEST
from rag.settings import Settings
from rag.types import Document


class SourceCount(BaseModel):
    documents: int = 0
    chunks: int = 0
    skipped: int = 0


class ShardEntry(BaseModel):
    """One shard of a sharded index: a complete index folder of its own, holding a run of the index's rows."""

    model_config = ConfigDict(extra="forbid")
    folder: str = Field(description="Sub-folder of the index folder.")
    fingerprint: str
    documents: int
    chunks: int
    sentences: int


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int = FORMAT_VERSION
    name: str
    fingerprint: str = Field(description="Hash of everything that shapes the index: corpus, model, chunking.")
    corpus_fingerprint: str
    model: str
    backend: str = Field(default="torch", description="How the encoder ran (torch, onnx, onnx-int8).")
    sentence_vectors: str = Field(default="pooled", description="'pooled' from each chunk's pass, or 'encoded' one by one.")
    dimensions: int
    model_max_tokens: int
    chunking: dict
    bm25: dict
    sources: dict[str, SourceCount]
    documents: int
    chunks: int
    sentences: int = 0
    chunk_tokens: dict[str, float] = Field(default_factory=dict, description="min/median/p95/max embedder tokens.")
    chunk_token_histogram: dict[str, int] = Field(default_factory=dict, description="Chunks per 32-token bucket.")
    built_at: str
    build_seconds: float
    stage_seconds: dict[str, float] = Field(default_factory=dict, description="Wall time per build stage.")
    embedding_cache: dict[str, int] = Field(default_factory=dict, description="Chunk vectors reused vs embedded.")
    versions: dict[str, str]
    dense: dict = Field(default_factory=lambda: {"kind": "flat"}, description="The dense index written: its kind "
                        "(flat, hnsw, ivfpq) and build parameters (rag.indexing.dense).")
    engine: str = Field(default="local", description="What ran the build: 'local' (this process) or 'ray'.")
    shards: list[ShardEntry] = Field(default_factory=list, description="A sharded index's shards, in row order: the "
                                     "index's rows are theirs one after another. Empty for an index in one folder.")
    abbreviations: dict[str, str] = Field(default_factory=dict, description="Abbreviations the documents define, "
                                          "short form -> expansion (rag.indexing.abbreviations).")
    updates: dict | None = Field(default=None, description="Documents added and removed since the build (guideqa corpus "
                                 "add/remove): generation, counts, the build's own fingerprint and counts. The counts "
                                 "and fingerprint above include them.")


def source_of(doc_id: str) -> str:
    """The source a document counts under: corpus sources by id prefix (ngc-, pubmed:, medquad:), anything else 'user'."""
    for prefix, name in (("ngc-", "ngc"), ("pubmed:", "pubmedqa"), ("medquad:", "medquad")):
        if doc_id.startswith(prefix):
            return name
    return "user"


def corpus_fingerprint(docs: Iterable[Document]) -> str:
    h = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.id):
        h.update(doc.id.encode())
        h.update(doc.content_hash().encode())
    return h.hexdigest()


def index_fingerprint(corpus_fp: str, settings: Settings, dim: int, shards: int = 1) -> str:
    shape = {
        "format": FORMAT_VERSION,
        "corpus": corpus_fp,
        "model": settings.embedding.model,
        "backend": resolve_backend(settings.embedding.backend),
        "sentence_vectors": settings.embedding.sentence_vectors,
        "dim": dim,
        "chunking": settings.chunking.model_dump(mode="json"),
        "chunker": CHUNKER_VERSION,
        "bm25": bm25_config(),
        "abbreviations": ABBREVIATIONS_VERSION,
    } | ({"shards": shards} if shards > 1 else {})  # one folder keeps the fingerprints it always had
    if settings.index.ann.kind != "flat":
        shape["dense"] = settings.index.ann.model_dump(include={"kind", "hnsw_m", "ef_construction", "lists", "pq_bytes"})
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def read_manifest(path: Path) -> Manifest:
    file = path / MANIFEST
    if not file.exists():
        raise GuideIndexError(f"{path} has no {MANIFEST}: not a guideqa index (or a build never finished)")
    try:
        return Manifest.model_validate_json(file.read_text(encoding="utf-8"))
    except Exception as exc:
        raise GuideIndexError(f"{file} is unreadable or corrupt: {exc}") from exc
