"""Writing one index folder's searchable parts from chunks already embedded: FAISS, BM25 (with each passage's
length, which a sharded index needs to score with global statistics), the chunk store and the sentence vectors.
A single build writes one such folder; a sharded build writes one per shard (rag.indexing.shards)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rag.indexing.bm25 import bm25_config, write_bm25
from rag.indexing.dense import write_dense
from rag.indexing.embedding import Embedder
from rag.indexing.layout import BM25_DIR, BM25_LENGTHS, SENTENCES, STORE
from rag.indexing.manifest import Manifest, SourceCount, source_of
from rag.indexing.store import write_store
from rag.settings import AnnSettings, Settings
from rag.types import Chunk, Document
from rag.versions import INDEX_PACKAGES, package_versions

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Encoder(NamedTuple):
    """What a manifest says of the encoder (plain data: it travels to the Ray tasks that write shards)."""

    backend: str
    dim: int
    max_tokens: int

    @classmethod
    def of(cls, embedder: Embedder) -> Encoder:
        return cls(embedder.backend, embedder.dim, embedder.max_tokens)


class Prepared(NamedTuple):
    """Every chunk in row order with its vectors: what a build writes into its folder or shards."""

    chunks: list[Chunk]
    spans: list[list[tuple[int, int]]]  # each chunk's quotable sentences (offsets in its text)
    vectors: np.ndarray  # float32, row = chunk
    sentences: np.ndarray  # float16 memory map at work/SENTENCES, rows follow chunks
    cache_stats: dict[str, int]
    limit: int  # the chunker's effective token limit
    engine: str = "local"  # what chunked and embedded them: 'local' or 'ray'
    run: Callable | None = None  # runs shard writes (fn, [args...]) -> results, e.g. as Ray tasks; None: in turn here


def sentence_starts(spans: Sequence[Sequence[tuple[int, int]]]) -> np.ndarray:
    """Row of each chunk's first sentence vector, and the total at the end."""
    return np.concatenate([[0], np.cumsum([len(s) for s in spans])]).astype(np.int64)




def write_folder(folder: Path, docs: Sequence[Document], chunks: Sequence[Chunk], spans: Sequence[Sequence[tuple[int, int]]],
                 vectors: np.ndarray, sentences: np.ndarray | None, ann: AnnSettings, lap=lambda stage: None
                 ) -> tuple[np.ndarray, dict]:
    """Write the folder's parts (row = chunk row); `sentences` None when SENTENCES is already in place (a single
    build streams it there while embedding). Returns each passage's BM25 length, and the dense index written."""
    folder.mkdir(parents=True, exist_ok=True)
    if sentences is not None:
        np.save(folder / SENTENCES, np.ascontiguousarray(sentences, dtype=np.float16), allow_pickle=False)
    dense = write_dense(folder, vectors, ann)
    lap("faiss")
    titles = {d.id: d.title for d in docs}
    lengths = write_bm25(folder / BM25_DIR, chunks, titles)
    np.save(folder / BM25_LENGTHS, lengths, allow_pickle=False)
    lap("bm25")
    write_store(folder / STORE, docs, chunks, spans)
    lap("store")
    return lengths, dense


def folder_manifest(name: str, fingerprint: str, corpus_fp: str, docs: Sequence[Document], chunks: Sequence[Chunk],
                    n_sentences: int, lengths: np.ndarray | None, skipped: dict[str, int], stage_seconds: dict[str, float],
                    *, settings: Settings, encoder: Encoder, limit: int, engine: str, cache_stats: dict[str, int],
                    shards: list | None = None, avgdl: float | None = None, dense: dict | None = None,
                    abbreviations: dict[str, str] | None = None) -> Manifest:
    """The manifest of a folder holding `docs` and their `chunks` (a whole index, or one shard of one)."""
    counts: dict[str, SourceCount] = {}
    for doc in docs:
        counts.setdefault(source_of(doc.id), SourceCount()).documents += 1
    for c in chunks:
        counts[source_of(c.doc_id)].chunks += 1
    for src, n in skipped.items():
        counts.setdefault(src, SourceCount()).skipped = n
    tokens = np.array([c.n_tokens for c in chunks])
    if avgdl is None and lengths is not None:
        avgdl = float(lengths.mean()) if len(lengths) else 0.0
    return Manifest(
        name=name,
        fingerprint=fingerprint,
        corpus_fingerprint=corpus_fp,
        model=settings.embedding.model,
        backend=encoder.backend,
        sentence_vectors=settings.embedding.sentence_vectors,
        dimensions=encoder.dim,
        model_max_tokens=encoder.max_tokens,
        chunking=settings.chunking.model_dump(mode="json") | {"effective_max_tokens": limit},
        # documents added later are scored with the mean passage length
        bm25=bm25_config() | ({"avgdl": round(avgdl, 4)} if avgdl is not None else {}),
        sources=counts,
        documents=len(docs),
        chunks=len(chunks),
        sentences=n_sentences,
        chunk_tokens={
            "min": float(tokens.min()),
            "median": float(np.median(tokens)),
            "p95": float(np.percentile(tokens, 95)),
            "max": float(tokens.max()),
        },
        chunk_token_histogram=_histogram(tokens, limit),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=0.0,
        stage_seconds=dict(stage_seconds),
        embedding_cache=cache_stats,
        versions=package_versions(INDEX_PACKAGES),
        engine=engine,
        shards=shards or [],
        dense=dense or {"kind": settings.index.ann.kind},
        abbreviations=abbreviations or {},
    )


def _histogram(tokens: np.ndarray, limit: int, width: int = 32) -> dict[str, int]:
    edges = list(range(0, limit, width)) + [limit]
    counts, _ = np.histogram(tokens, bins=edges)  # the last bucket includes the limit itself
    last = len(counts) - 1
    return {f"{lo}-{hi if i == last else hi - 1}": int(n) for i, (lo, hi, n) in enumerate(zip(edges, edges[1:], counts))}
