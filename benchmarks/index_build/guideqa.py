"""One cold guideqa index build (then an incremental rebuild), measured inside a worker process."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from benchmarks.common import folder_bytes, peak_rss_bytes
from benchmarks.eta import Recorder, StageEta, eta_errors
from benchmarks.index_build.job import WorkerJob, load_documents

_MB = 1024 * 1024


class GuideqaBuild(BaseModel):
    """One cold guideqa build: documents -> chunks -> vectors -> FAISS + BM25 + chunk store on disk."""

    model_config = ConfigDict(extra="forbid")
    pipeline: Literal["guideqa"] = "guideqa"
    backend: str = Field(description="Encoder backend (torch, onnx, onnx-int8).")
    documents: int
    chunks: int
    tokens: int = Field(description="Embedder word pieces over all chunks (title prefix and special tokens included).")
    load_seconds: float = Field(description="Reading the documents from the corpus (not part of build_seconds).")
    model_load_seconds: float = Field(description="Loading the encoder (not part of build_seconds).")
    build_seconds: float = Field(description="Wall time of build_index with the encoder loaded.")
    chunks_per_second: float
    tokens_per_second: float
    stage_seconds: dict[str, float] = Field(description="The manifest's wall time per build stage.")
    embedding_cache: dict[str, int] = Field(description="Vectors reused vs embedded (a cold build reuses none).")
    peak_rss_mb: float = Field(description="Peak resident memory of the worker process (documents, model and build).")
    index_mb: float = Field(description="Size of the index folder on disk.")
    eta: dict[str, StageEta] = Field(default_factory=dict, description="Progress-bar ETA error per stage (benchmarks/eta.py).")
    added_documents: int = Field(default=0, description="Documents added for the incremental rebuild (0: not run).")
    added_build_seconds: float | None = Field(
        default=None, description="Wall time of the rebuild after adding them, with the embedding cache warm.")
    added_cache: dict[str, int] = Field(default_factory=dict, description="That rebuild's vectors reused vs embedded.")
    added_stage_seconds: dict[str, float] = Field(default_factory=dict, description="That rebuild's stages.")


def build_guideqa(job: WorkerJob) -> GuideqaBuild:
    """rag.indexing.build.build_index, cold (no embedding cache), with the encoder loaded first and timed apart."""
    import sqlite3

    from rag.indexing.build import build_index
    from rag.indexing.embedding import get_embedder
    from rag.indexing.layout import STORE
    from rag.settings import Settings

    settings = Settings.model_validate_json(job.settings_json)
    docs, load_seconds = load_documents(settings, job.preset, job.limit_docs)

    started = time.perf_counter()
    embedder = get_embedder(settings)
    model_load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    progress = Recorder()
    path, manifest, _ = build_index(docs, settings, name="bench", embedder=embedder, use_cache=False, force=True,
                                    progress=progress)
    build_seconds = time.perf_counter() - started
    peak = peak_rss_bytes()  # before reading results back, which is not part of the build

    con = sqlite3.connect(f"file:{path.resolve() / STORE}?mode=ro", uri=True)
    try:
        tokens = int(con.execute("SELECT COALESCE(SUM(n_tokens), 0) FROM chunks").fetchone()[0])
    finally:
        con.close()
    added = _add_documents(settings, job, docs, embedder) if job.add_docs else {}
    return GuideqaBuild(
        **added,
        backend=manifest.backend,
        documents=manifest.documents,
        chunks=manifest.chunks,
        tokens=tokens,
        load_seconds=load_seconds,
        model_load_seconds=model_load_seconds,
        build_seconds=build_seconds,
        chunks_per_second=manifest.chunks / build_seconds,
        tokens_per_second=tokens / build_seconds,
        stage_seconds=manifest.stage_seconds,
        embedding_cache=manifest.embedding_cache,
        peak_rss_mb=peak / _MB,
        index_mb=folder_bytes(path) / _MB,
        eta=eta_errors(progress.samples),
    )


def _add_documents(settings, job: WorkerJob, docs: list, embedder) -> dict:
    """Rebuild after adding `job.add_docs` documents that were not indexed (the next ones of the preset, else of 'all')."""
    import itertools

    from rag.corpus.documents import iter_documents
    from rag.indexing.build import build_index

    have = {d.id for d in docs}
    pool = iter_documents(settings, preset=job.preset) if job.limit_docs else iter_documents(settings, preset="all")
    extra = list(itertools.islice((d for d in pool if d.id not in have), job.add_docs))
    started = time.perf_counter()
    _, manifest, _ = build_index(docs + extra, settings, name="bench", embedder=embedder, use_cache=True)
    return {"added_documents": len(extra), "added_build_seconds": time.perf_counter() - started,
            "added_cache": manifest.embedding_cache, "added_stage_seconds": manifest.stage_seconds}
