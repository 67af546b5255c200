"""The usual LangChain recipe's index build over the same documents, measured inside a worker process."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from benchmarks.common import folder_bytes, peak_rss_bytes
from benchmarks.index_build.job import BenchError, WorkerJob, load_documents

BASELINE_CHUNK_SIZE = 1000
BASELINE_CHUNK_OVERLAP = 200
BASELINE_RECIPE = (
    f"langchain_text_splitters.RecursiveCharacterTextSplitter(chunk_size={BASELINE_CHUNK_SIZE}, "
    f"chunk_overlap={BASELINE_CHUNK_OVERLAP}) -> langchain_community HuggingFaceEmbeddings (defaults) -> "
    "FAISS.from_documents -> save_local"
)
_MB = 1024 * 1024


class BaselineBuild(BaseModel):
    """The usual LangChain recipe over the same documents."""

    model_config = ConfigDict(extra="forbid")
    pipeline: Literal["langchain"] = "langchain"
    recipe: str = BASELINE_RECIPE
    backend: str = Field(default="torch", description="HuggingFaceEmbeddings runs sentence-transformers on torch.")
    documents: int
    chunks: int
    tokens: int = Field(description="Word pieces the encoder processed (each chunk cut at the model's limit).")
    truncated_chunks: int = Field(description="Chunks longer than the model's limit, silently truncated by the encoder.")
    load_seconds: float
    model_load_seconds: float
    build_seconds: float = Field(description="Wall time of split + embed + FAISS + save_local with the model loaded.")
    chunks_per_second: float
    tokens_per_second: float
    stage_seconds: dict[str, float]
    peak_rss_mb: float
    index_mb: float


def baseline_text(doc) -> str:
    """A document as the baseline splits it: title, then every section's text."""
    return "\n\n".join([doc.title, *(s.text for s in doc.sections)])


def build_baseline(job: WorkerJob) -> BaselineBuild:
    """RecursiveCharacterTextSplitter(1000, 200) -> HuggingFaceEmbeddings -> FAISS.from_documents -> save_local."""
    # The model is a local folder and there is no network: keep the hub client offline.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import warnings

    from rag.indexing.embedding import resolve_model
    from rag.settings import Settings

    settings = Settings.model_validate_json(job.settings_json)
    docs, load_seconds = load_documents(settings, job.preset, job.limit_docs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation notices below are expected
        from langchain_community.embeddings import HuggingFaceEmbeddings
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document as LCDocument
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        # langchain-community's HuggingFaceEmbeddings, not langchain-huggingface's: that package
        # needs huggingface_hub<2, which conflicts with this environment. Both wrap the same
        # SentenceTransformer; the recipe's defaults are kept (batch size 32, no normalisation).
        started = time.perf_counter()
        embeddings = HuggingFaceEmbeddings(model_name=resolve_model(settings.embedding.model))
        model_load_seconds = time.perf_counter() - started

    stages: dict[str, float] = {}
    started = clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[stage], clock = round(now - clock, 4), now

    splitter = RecursiveCharacterTextSplitter(chunk_size=BASELINE_CHUNK_SIZE, chunk_overlap=BASELINE_CHUNK_OVERLAP)
    lc_docs = [LCDocument(page_content=baseline_text(d), metadata={"id": d.id, "title": d.title}) for d in docs]
    chunks = splitter.split_documents(lc_docs)
    lap("split")
    if not chunks:
        raise BenchError("the baseline splitter produced no chunks")
    store = FAISS.from_documents(chunks, embeddings)  # embeds every chunk, then fills an IndexFlatL2
    lap("embed+faiss")
    out_dir = Path(job.work_dir) / "langchain_faiss"
    store.save_local(str(out_dir))  # writes index.faiss and a pickled docstore; measured for size, never loaded
    lap("save")
    build_seconds = time.perf_counter() - started
    peak = peak_rss_bytes()

    # Word pieces the encoder saw, counted after the timed build with the model's own tokenizer.
    model = embeddings.client
    limit = int(model.max_seq_length)
    counts = [len(ids) for ids in model.tokenizer([c.page_content for c in chunks], add_special_tokens=True,
                                                  truncation=False, verbose=False)["input_ids"]]
    tokens = sum(min(n, limit) for n in counts)
    return BaselineBuild(
        documents=len(docs),
        chunks=len(chunks),
        tokens=tokens,
        truncated_chunks=sum(n > limit for n in counts),
        load_seconds=load_seconds,
        model_load_seconds=model_load_seconds,
        build_seconds=build_seconds,
        chunks_per_second=len(chunks) / build_seconds,
        tokens_per_second=tokens / build_seconds,
        stage_seconds=stages,
        peak_rss_mb=peak / _MB,
        index_mb=folder_bytes(out_dir) / _MB,
    )
