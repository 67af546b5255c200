"""Measuring one built FAISS index: recall@10 against the exact top-10, single-query latency, throughput, bytes."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

K = 10
WARMUP_QUERIES = 5
# A returned vector whose exact score equals the flat 10th score within float error is a tie, not a miss:
# real indexes hold identical chunks (identical vectors), and which twin FAISS returns is arbitrary.
TIE_EPSILON = 1e-5


class ScalingRow(BaseModel):
    """One index type with one search setting at one size."""

    size: int
    vectors: Literal["real", "real+synthetic"]
    index: str = Field(description="FAISS factory-style name, e.g. 'Flat', 'HNSW32', 'IVF400,PQ48x8np'.")
    search: str = Field(description="Search parameter: 'exact', 'efSearch=64', 'nprobe=8'.")
    build_seconds: float = Field(description="Train + add, FAISS default threads.")
    train_vectors: int = 0
    recall_at_10: float
    p50_ms: float = Field(description="Single query (batch of 1), one FAISS thread.")
    p95_ms: float
    p50_ms_threads: float = Field(description="Single query, FAISS default threads.")
    p95_ms_threads: float
    batch_qps: float = Field(description="All queries in one search call, FAISS default threads (warm, best of 3).")
    index_bytes: int = Field(description="len(faiss.serialize_index(index)).")
    bytes_per_vector: float
    raw_bytes: int = Field(description="n * d * 4 (the float32 vectors alone).")
    rss_before_mb: float
    rss_after_mb: float


def _mb(n: int) -> float:
    return round(n / 2**20, 1)


def recall_at_k(found: np.ndarray, vectors: np.ndarray, queries: np.ndarray, kth_score: np.ndarray, k: int = K) -> float:
    """Mean share of the exact top-k found, counting a result as found when its exact score reaches the
    exact k-th score (ties with the k-th are equally correct answers)."""
    hits = 0
    for q, rows, kth in zip(queries, found, kth_score):
        rows = rows[rows >= 0]  # IVF returns -1 when the probed lists hold fewer than k vectors
        exact = vectors[rows] @ q
        hits += min(k, int((exact >= kth - TIE_EPSILON).sum()))
    return hits / (k * len(queries))


def latency_ms(index, queries: np.ndarray, k: int = K) -> tuple[float, float]:
    """p50 and p95 of single-query search times (batch of 1)."""
    for i in range(min(WARMUP_QUERIES, len(queries))):
        index.search(queries[i : i + 1], k)
    times = np.empty(len(queries))
    for i in range(len(queries)):
        q = queries[i : i + 1]
        start = time.perf_counter()
        index.search(q, k)
        times[i] = (time.perf_counter() - start) * 1000
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def _seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def index_bytes(index) -> int:
    import faiss

    return int(len(faiss.serialize_index(getattr(index, "index", index))))  # a wrapper's FAISS index


def measure(
    index,
    label: str,
    searches: Sequence[tuple[str, Callable[[], None]]],
    *,
    size: int,
    kind: str,
    vectors: np.ndarray,
    queries: np.ndarray,
    kth_score: np.ndarray,
    build_seconds: float,
    train_vectors: int,
    rss_before: int,
    rss_after: int,
    threads: int,
) -> list[ScalingRow]:
    """One row per search setting: each `configure()` sets it on `index` before the searches are timed."""
    import faiss

    n_bytes = index_bytes(index)
    rows = []
    for search, configure in searches:
        configure()
        faiss.omp_set_num_threads(threads)
        _, found = index.search(queries, K)
        p50_threads, p95_threads = latency_ms(index, queries)
        qps = len(queries) / min(_seconds(lambda: index.search(queries, K)) for _ in range(3))  # warm, best of 3
        faiss.omp_set_num_threads(1)
        try:
            p50, p95 = latency_ms(index, queries)
        finally:
            faiss.omp_set_num_threads(threads)
        rows.append(ScalingRow(
            size=size, vectors=kind, index=label, search=search,
            build_seconds=round(build_seconds, 3), train_vectors=train_vectors,
            recall_at_10=round(recall_at_k(found, vectors, queries, kth_score), 4),
            p50_ms=round(p50, 3), p95_ms=round(p95, 3),
            p50_ms_threads=round(p50_threads, 3), p95_ms_threads=round(p95_threads, 3),
            batch_qps=round(qps, 1),
            index_bytes=n_bytes, bytes_per_vector=round(n_bytes / size, 1), raw_bytes=size * vectors.shape[1] * 4,
            rss_before_mb=_mb(rss_before), rss_after_mb=_mb(rss_after),
        ))
    return rows
