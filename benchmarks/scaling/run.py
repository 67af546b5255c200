"""The whole scaling benchmark: every index variant at every size, the recommendation and the versions."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Optional

import numpy as np
from pydantic import BaseModel, Field

from benchmarks.common import Note
from benchmarks.scaling.measure import K, ScalingRow
from benchmarks.scaling.recommend import LATENCY_BUDGET_MS, RECALL_TARGET, recommend
from benchmarks.scaling.variants import PQ_DIMS_PER_SUBQUANTIZER, one_size
from benchmarks.scaling.vectors import NOISE_RULE, SizeInfo, noise_for

MIN_SIZE = 1000  # below this IVF-PQ cannot train its 256-centroid codebooks sensibly


class ScalingResult(BaseModel):
    created_at: str
    index_name: Optional[str] = None
    model: Optional[str] = None
    backend: Optional[str] = None
    query_source: Optional[str] = None
    dimensions: int
    real_vectors: int
    queries: int
    seed: int
    k: int = K
    threads_default: int
    noise_sigma: float = Field(description="Per-dimension standard deviation of the noise added to synthetic copies.")
    noise_rule: str
    real_nn_cosine_median: float
    latency_budget_ms: float
    recall_target: float
    sizes: list[SizeInfo]
    rows: list[ScalingRow]
    recommendation: str
    versions: dict[str, str]


def run_scaling(
    vectors: np.ndarray,
    queries: np.ndarray,
    sizes: Sequence[int],
    seed: int = 0,
    *,
    noise_sigma: float | None = None,
    budget_ms: float = LATENCY_BUDGET_MS,
    recall_target: float = RECALL_TARGET,
    progress: Note | None = None,
) -> ScalingResult:
    """Measure every index type at every size. `vectors` are the real (unit-norm) chunk vectors, `queries`
    the encoded questions; `noise_sigma=None` picks the noise level from the data (see `noise_for`)."""
    import faiss

    from rag.versions import SCALING_PACKAGES, package_versions

    real = np.ascontiguousarray(vectors, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    if real.ndim != 2 or queries.ndim != 2 or real.shape[1] != queries.shape[1]:
        raise ValueError(f"vectors {real.shape} and queries {queries.shape} must be 2-D with the same width")
    if len(real) < 2 or len(queries) < 1:
        raise ValueError("need at least 2 real vectors and 1 query")
    if real.shape[1] % PQ_DIMS_PER_SUBQUANTIZER:
        raise ValueError(f"dimensions {real.shape[1]} are not a multiple of {PQ_DIMS_PER_SUBQUANTIZER} (PQ sub-quantizers)")
    if not sizes or min(sizes) < MIN_SIZE:
        raise ValueError(f"sizes must be at least {MIN_SIZE}")
    note = progress or (lambda message: None)
    rng = np.random.default_rng(seed)
    sigma, c = noise_for(real, rng)
    if noise_sigma is not None:
        sigma = noise_sigma
    threads = faiss.omp_get_max_threads()
    infos, rows = [], []
    try:
        for size in sorted(set(sizes)):
            note(f"{size:>7} vectors ({'real' if size <= len(real) else 'real+synthetic'})…")
            info, size_rows = one_size(real, queries, size, sigma, seed, threads, note)
            infos.append(info)
            rows += size_rows
    finally:
        faiss.omp_set_num_threads(threads)
    return ScalingResult(
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        dimensions=real.shape[1], real_vectors=len(real), queries=len(queries), seed=seed,
        threads_default=threads, noise_sigma=round(sigma, 6), noise_rule=NOISE_RULE, real_nn_cosine_median=round(c, 4),
        latency_budget_ms=budget_ms, recall_target=recall_target,
        sizes=infos, rows=rows, recommendation=recommend(rows, budget_ms, recall_target),
        versions={**package_versions(SCALING_PACKAGES), "cpus": str(os.cpu_count())},
    )
