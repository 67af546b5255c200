"""The usual LangChain recipe (langchain-community FAISS + HuggingFaceEmbeddings) over the same chunks and vectors."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from benchmarks.common import LatencyStats


class BaselineResult(BaseModel):
    recipe: str
    embeddings: str
    model_path: str
    k: int
    chunks: int
    build_seconds: float = Field(description="FAISS.from_embeddings over the stored vectors (no encoding).")
    search: LatencyStats = Field(description="similarity_search(q, k): query encoding plus flat L2 search.")
    mean_results: float


def stored_chunks(index_path: Path) -> tuple[list[str], "object"]:
    """Chunk texts in row order and the FAISS vectors (row = chunk row)."""
    import sqlite3

    import faiss

    from rag.indexing.layout import DENSE, STORE

    con = sqlite3.connect(f"file:{index_path / STORE}?mode=ro", uri=True)
    try:
        texts = [r[0] for r in con.execute("SELECT text FROM chunks ORDER BY row")]
    finally:
        con.close()
    dense = faiss.read_index(str(index_path / DENSE))
    vectors = dense.reconstruct_n(0, dense.ntotal)
    if len(texts) != len(vectors):
        raise RuntimeError(f"{index_path}: {len(texts)} chunk texts but {len(vectors)} vectors")
    return texts, vectors


class LangChainBaseline:
    """The usual LangChain recipe over our chunks: FAISS.from_embeddings + HuggingFaceEmbeddings, k hits per query."""

    def __init__(self, settings, index_path: Path, k: int):
        import warnings

        from rag.indexing.embedding import resolve_model
        from rag.settings import hub_offline

        hub_offline(settings)  # HF_HUB_OFFLINE=1: the local model path only, no network
        from langchain_community.embeddings import HuggingFaceEmbeddings
        from langchain_community.vectorstores import FAISS

        texts, vectors = stored_chunks(index_path)
        self.k = k
        self.chunks = len(texts)
        self.model_path = resolve_model(settings.embedding.model)
        with warnings.catch_warnings():
            # Filter after the imports: langchain re-enables its own deprecation warnings when imported.
            warnings.simplefilter("ignore")
            embeddings = HuggingFaceEmbeddings(model_name=self.model_path, model_kwargs={"device": settings.embedding.device})
        t0 = time.perf_counter()
        self.store = FAISS.from_embeddings(list(zip(texts, vectors)), embedding=embeddings)
        self.build_seconds = time.perf_counter() - t0
        self.found = 0
        self.searches = 0

    def search(self, question: str) -> list:
        docs = self.store.similarity_search(question, k=self.k)
        self.found += len(docs)
        self.searches += 1
        return docs

    def result(self, search_ms: Sequence[float]) -> BaselineResult:
        return BaselineResult(
            recipe="langchain_community FAISS.from_embeddings(our chunk texts + stored vectors) + similarity_search",
            embeddings="langchain_community.embeddings.HuggingFaceEmbeddings (sentence-transformers, torch)",
            model_path=self.model_path,
            k=self.k,
            chunks=self.chunks,
            build_seconds=round(self.build_seconds, 3),
            search=LatencyStats.of(search_ms),
            mean_results=round(self.found / max(self.searches, 1), 3),
        )
