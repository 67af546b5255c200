"""`guideqa bench scaling`: how query latency and memory grow with index size, and when to leave IndexFlatIP.

The vectors are a real guideqa index's chunk embeddings and the queries are real
questions encoded by the project's embedder, so recall is measured on the data
the product serves, not on random vectors. Sizes above the real index size are
filled with perturbed copies of real vectors (see `noise_for`); sizes below it
are a seeded subset.

At every size it builds the exact IndexFlatIP (the ground truth), HNSW
(M=32, efConstruction 80; efSearch 64 and 128), IVF-PQ (nlist ~ 4*sqrt(n),
8 dims per sub-quantizer, 8 bits, no polysemous training; nprobe 8 and 32) and IVF-Flat on the same
coarse centroids (so the cost of PQ alone is visible), and reports build time,
recall@10 against the flat top-10, single-query latency p50/p95 (one thread and
FAISS's default threads), batch throughput, serialized index bytes and the
process RSS around each build.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal, NoReturn, Optional

import numpy as np
import typer
from pydantic import BaseModel, Field

K = 10
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = (64, 128)
IVF_NPROBE = (8, 32)
PQ_DIMS_PER_SUBQUANTIZER = 8  # 384 dims -> m = 48 sub-quantizers
PQ_BITS = 8
LATENCY_BUDGET_MS = 20.0
RECALL_TARGET = 0.95
MIN_SIZE = 1000  # below this IVF-PQ cannot train its 256-centroid codebooks sensibly
WARMUP_QUERIES = 5
DIAGNOSTIC_SAMPLE = 200
# A returned vector whose exact score equals the flat 10th score within float error is a tie, not a miss:
# real indexes hold identical chunks (identical vectors), and which twin FAISS returns is arbitrary.
TIE_EPSILON = 1e-5
DEFAULT_SIZES = "10000,50000,200000"
DEFAULT_OUT = Path("reports/bench/scaling.json")

NOISE_RULE = (
    "Gaussian noise per dimension, sigma chosen so that a copy's expected cosine to its source equals the "
    "median cosine between a real vector and its nearest real neighbour: sigma = sqrt((1/c^2 - 1) / d)."
)

Progress = Callable[[str], None]


class SizeInfo(BaseModel):
    """What the vectors at one size are, and how hard the synthetic part makes the search."""

    size: int
    vectors: Literal["real", "real+synthetic"]
    real: int
    synthetic: int
    cos_to_source_mean: Optional[float] = Field(default=None, description="Mean cosine of a synthetic vector to its source.")
    nearest_is_source: Optional[float] = Field(
        default=None, description="Share of sampled synthetic vectors whose nearest other vector is their own source."
    )
    nearest_same_source: Optional[float] = Field(
        default=None, description="Share whose nearest other vector is their source or another copy of it."
    )
    synthetic_share_top10: float = Field(description="Share of the queries' exact top-10 that is synthetic.")
    distinct_sources_top10: float = Field(description="Mean distinct source vectors among a query's exact top-10 (10 = no copy clumps).")


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


# --------------------------------------------------------------------------- measuring


def rss_bytes() -> int:
    """Resident set size of this process, after handing freed heap back to the OS so that a later delta is
    the new index, not the allocator's memory of earlier ones."""
    import gc

    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _mb(n: int) -> float:
    return round(n / 2**20, 1)


def _normalise(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-12)
    return x


def _nearest_other(index, x: np.ndarray, self_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best (score, row) for each x in `index`, skipping the row that is x itself."""
    scores, rows = index.search(x, 2)
    first_is_self = rows[:, 0] == self_rows
    return np.where(first_is_self, scores[:, 1], scores[:, 0]), np.where(first_is_self, rows[:, 1], rows[:, 0])


def noise_for(real: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """(sigma, c): the noise level for synthetic copies, and the median real nearest-neighbour cosine c it matches.

    Why this rule: in 384 dimensions Gaussian noise is almost orthogonal to every data direction, so a copy's
    nearest vector stays its own source for any noise short of turning it into a random vector (measured on
    the default index: 99% at cosine 0.98 and still 98% at cosine 0.54). What the noise does control is how
    tightly copies clump around a query: with 5,000 vectors grown from 706 real ones, copies at cosine 0.995
    filled a query's exact top-10 with copies of 2.3 sources (82% synthetic), which makes every index look
    good; at the matched level below it held 6.1 distinct sources (40% synthetic). Matching the real neighbourhood scale (a copy sits as far from its source
    as a typical chunk from its nearest real neighbour, c = 0.83 on the default index, sigma ~ 0.034) keeps the
    copies from being tighter than the data itself; `SizeInfo` reports the clumping that remains.
    """
    import faiss

    sample = rng.choice(len(real), min(len(real), 1000), replace=False)
    flat = faiss.IndexFlatIP(real.shape[1])
    flat.add(real)
    scores, _ = _nearest_other(flat, real[sample], sample)
    c = float(np.clip(np.median(scores), 0.3, 0.995))
    return math.sqrt((1 / c**2 - 1) / real.shape[1]), c


def make_vectors(real: np.ndarray, size: int, sigma: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, source): `size` vectors and, for each, the real row it is (or is a copy of).

    Above the real count: every real vector plus perturbed, re-normalised copies of resampled real vectors.
    Below it: a seeded subset of real vectors. A copy scores about c times its source for any query (the noise
    is nearly orthogonal to the query), so exact top-10s lean towards real vectors; `SizeInfo` reports how much.
    """
    n_real, d = real.shape
    if size <= n_real:
        source = np.sort(rng.choice(n_real, size, replace=False))
        return np.ascontiguousarray(real[source]), source
    source = np.concatenate([np.arange(n_real), rng.choice(n_real, size - n_real)])
    out = np.empty((size, d), dtype=np.float32)
    out[:n_real] = real
    step = 50_000  # bounded temporaries at 200k x 384
    for start in range(n_real, size, step):
        stop = min(start + step, size)
        block = rng.standard_normal((stop - start, d), dtype=np.float32)
        block *= sigma
        block += real[source[start:stop]]
        out[start:stop] = _normalise(block)
    return out, source


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

    return int(len(faiss.serialize_index(index)))


def _measure(
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


def _size_info(size: int, n_real: int, vectors: np.ndarray, source: np.ndarray, flat, top: np.ndarray, rng) -> SizeInfo:
    kind = "real" if size <= n_real else "real+synthetic"
    synthetic = max(0, size - n_real)
    info = SizeInfo(
        size=size, vectors=kind, real=size - synthetic, synthetic=synthetic,
        synthetic_share_top10=round(float((top >= n_real).mean()) if synthetic else 0.0, 4),
        distinct_sources_top10=round(float(np.mean([len(set(source[r])) for r in top])), 2),
    )
    if synthetic:
        rows = n_real + rng.choice(synthetic, min(synthetic, DIAGNOSTIC_SAMPLE), replace=False)
        _, nearest = _nearest_other(flat, vectors[rows], rows)
        info.cos_to_source_mean = round(float((vectors[rows] * vectors[source[rows]]).sum(1).mean()), 4)
        info.nearest_is_source = round(float((nearest == source[rows]).mean()), 4)
        info.nearest_same_source = round(float((source[nearest] == source[rows]).mean()), 4)
    return info


def _one_size(
    real: np.ndarray, queries: np.ndarray, size: int, sigma: float, seed: int, threads: int, note: Progress
) -> tuple[SizeInfo, list[ScalingRow]]:
    import faiss

    rng = np.random.default_rng([seed, size])  # each size reproducible on its own
    vectors, source = make_vectors(real, size, sigma, rng)
    d = vectors.shape[1]
    kind = "real" if size <= len(real) else "real+synthetic"
    common = dict(size=size, kind=kind, vectors=vectors, queries=queries, threads=threads)
    rows: list[ScalingRow] = []

    # Exact search: the ground truth for every other index at this size.
    before = rss_bytes()
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(vectors)
    built = time.perf_counter() - start
    after = rss_bytes()
    exact_scores, top = flat.search(queries, K)
    kth = exact_scores[:, K - 1]
    info = _size_info(size, len(real), vectors, source, flat, top, rng)
    rows += _measure(flat, "Flat", [("exact", lambda: None)], kth_score=kth, build_seconds=built,
                     train_vectors=0, rss_before=before, rss_after=after, **common)
    del flat
    note(f"{size:>7} Flat: p95 {rows[-1].p95_ms:.2f} ms")

    before = rss_bytes()
    start = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    hnsw.add(vectors)
    built = time.perf_counter() - start
    after = rss_bytes()
    rows += _measure(
        hnsw, f"HNSW{HNSW_M}",
        [(f"efSearch={ef}", lambda ef=ef: setattr(hnsw.hnsw, "efSearch", ef)) for ef in HNSW_EF_SEARCH],
        kth_score=kth, build_seconds=built, train_vectors=0, rss_before=before, rss_after=after, **common,
    )
    del hnsw
    note(f"{size:>7} HNSW{HNSW_M}: built in {built:.1f} s, recall@10 {rows[-1].recall_at_10:.3f} at efSearch={HNSW_EF_SEARCH[-1]}")

    nlist = max(1, round(4 * math.sqrt(size)))
    m = d // PQ_DIMS_PER_SUBQUANTIZER
    # Train on a sample: 40 per centroid silences FAISS's too-few-points warning at large n; at least
    # 10,000 so the 256-entry PQ codebooks see enough points; never more than there are.
    train_n = min(size, max(40 * nlist, 10_000))
    train = vectors[np.sort(rng.choice(size, train_n, replace=False))]
    # "np": no polysemous training. It only serves Hamming pre-filtering, which this search does not use,
    # and took 110 s of a 115 s IVF-PQ build on 3,000 vectors here.
    label = f"IVF{nlist},PQ{m}x{PQ_BITS}np"
    before = rss_bytes()
    start = time.perf_counter()
    ivfpq = faiss.index_factory(d, label, faiss.METRIC_INNER_PRODUCT)
    ivfpq.train(train)
    ivfpq.add(vectors)
    built = time.perf_counter() - start
    after = rss_bytes()
    ivf = faiss.extract_index_ivf(ivfpq)
    rows += _measure(
        ivfpq, label, [(f"nprobe={p}", lambda p=p: setattr(ivf, "nprobe", p)) for p in IVF_NPROBE],
        kth_score=kth, build_seconds=built, train_vectors=train_n, rss_before=before, rss_after=after, **common,
    )
    centroids = ivf.quantizer.reconstruct_n(0, ivf.nlist)
    del ivfpq, ivf
    note(f"{size:>7} {label}: built in {built:.1f} s, recall@10 {rows[-1].recall_at_10:.3f} at nprobe={IVF_NPROBE[-1]}")

    # IVF-Flat on the same coarse centroids: no second k-means, and the recall gap to IVF-PQ is PQ's alone.
    before = rss_bytes()
    start = time.perf_counter()
    quantizer = faiss.IndexFlatIP(d)
    quantizer.add(centroids)
    ivfflat = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    ivfflat.add(vectors)
    built = time.perf_counter() - start
    after = rss_bytes()
    rows += _measure(
        ivfflat, f"IVF{nlist},Flat", [(f"nprobe={p}", lambda p=p: setattr(ivfflat, "nprobe", p)) for p in IVF_NPROBE],
        kth_score=kth, build_seconds=built, train_vectors=0, rss_before=before, rss_after=after, **common,
    )
    del ivfflat, quantizer
    return info, rows


def recommend(rows: Sequence[ScalingRow], budget_ms: float = LATENCY_BUDGET_MS, recall_target: float = RECALL_TARGET) -> str:
    """One line from the measured rows: where flat search leaves the latency budget and what replaces it."""
    flat = sorted((r for r in rows if r.index == "Flat"), key=lambda r: r.size)
    if not flat:
        return "no flat rows measured"
    over = next((r for r in flat if r.p95_ms > budget_ms), None)
    at = over or flat[-1]
    candidates = [r for r in rows if r.size == at.size and r.index != "Flat" and r.recall_at_10 >= recall_target]
    best = min(candidates, key=lambda r: (r.p95_ms, r.index_bytes), default=None)
    smallest = min(candidates, key=lambda r: (r.index_bytes, r.p95_ms), default=None)
    if best is not None:
        choice = (f"{best.index} ({best.search}) keeps recall@10 {best.recall_at_10:.3f} at p95 {best.p95_ms:.2f} ms, "
                  f"{best.bytes_per_vector:.0f} bytes/vector")
        if smallest is not None and smallest.index != best.index:
            choice += (f"; the smallest that does is {smallest.index} ({smallest.search}, recall@10 {smallest.recall_at_10:.3f}, "
                       f"{smallest.bytes_per_vector:.0f} bytes/vector, p95 {smallest.p95_ms:.2f} ms)")
    else:
        top = max((r for r in rows if r.size == at.size and r.index != "Flat"), key=lambda r: r.recall_at_10, default=None)
        choice = (f"no alternative reaches recall@10 {recall_target} (best: {top.index} {top.search} at {top.recall_at_10:.3f})"
                  if top else "no alternative measured")
    if over is not None:
        return (f"IndexFlatIP p95 exceeds {budget_ms:g} ms (one thread) first at {over.size:,} vectors "
                f"({over.p95_ms:.2f} ms); there {choice}.")
    # Flat search time is linear in n: extrapolate from the largest size measured.
    crossing = at.size * budget_ms / at.p95_ms if at.p95_ms > 0 else float("inf")
    return (f"IndexFlatIP stays within {budget_ms:g} ms p95 (one thread) up to {at.size:,} vectors ({at.p95_ms:.2f} ms); "
            f"linear extrapolation puts the crossing near {crossing:,.0f} vectors. At {at.size:,}, {choice}.")


def _versions() -> dict[str, str]:
    from rag.versions import SCALING_PACKAGES, package_versions

    return {**package_versions(SCALING_PACKAGES), "cpus": str(os.cpu_count())}


def run_scaling(
    vectors: np.ndarray,
    queries: np.ndarray,
    sizes: Sequence[int],
    seed: int = 0,
    *,
    noise_sigma: float | None = None,
    budget_ms: float = LATENCY_BUDGET_MS,
    recall_target: float = RECALL_TARGET,
    progress: Progress | None = None,
) -> ScalingResult:
    """Measure every index type at every size. `vectors` are the real (unit-norm) chunk vectors, `queries`
    the encoded questions; `noise_sigma=None` picks the noise level from the data (see `noise_for`)."""
    import faiss

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
            info, size_rows = _one_size(real, queries, size, sigma, seed, threads, note)
            infos.append(info)
            rows += size_rows
    finally:
        faiss.omp_set_num_threads(threads)
    return ScalingResult(
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        dimensions=real.shape[1], real_vectors=len(real), queries=len(queries), seed=seed,
        threads_default=threads, noise_sigma=round(sigma, 6), noise_rule=NOISE_RULE, real_nn_cosine_median=round(c, 4),
        latency_budget_ms=budget_ms, recall_target=recall_target,
        sizes=infos, rows=rows, recommendation=recommend(rows, budget_ms, recall_target), versions=_versions(),
    )


# --------------------------------------------------------------------------- inputs from a guideqa index


def load_index_vectors(settings, name: str):
    """(vectors, manifest) of indexes/<name>/dense.faiss, refusing an index the configured embedder did not build
    (its query vectors would not be comparable)."""
    import faiss

    from rag.indexing.embedding import resolve_backend
    from rag.indexing.index import DENSE, GuideIndexError, read_manifest

    path = settings.index.dir / name
    if not path.exists():
        raise GuideIndexError(f"no index named {name!r} in {settings.index.dir}; build it with: guideqa index build --name {name}")
    manifest = read_manifest(path.resolve())
    if manifest.model != settings.embedding.model:
        raise GuideIndexError(f"index {name!r} was built with model {manifest.model!r}; set GUIDEQA_EMBEDDING__MODEL={manifest.model}")
    if manifest.backend != resolve_backend(settings.embedding.backend):
        raise GuideIndexError(f"index {name!r} was built with the {manifest.backend!r} encoder backend; "
                              f"set GUIDEQA_EMBEDDING__BACKEND={manifest.backend}")
    try:
        dense = faiss.read_index(str(path.resolve() / DENSE))
    except Exception as exc:
        raise GuideIndexError(f"index {name!r}: cannot read {DENSE} ({exc}); rebuild it") from exc
    return dense.reconstruct_n(0, dense.ntotal), manifest


def sample_questions(settings, n: int, seed: int) -> list[str]:
    """A seeded sample of PubMedQA questions (the same `n` and seed give the same questions)."""
    from evals.datasets import pubmedqa

    questions = [q.question for q in pubmedqa(settings)]
    return random.Random(seed).sample(questions, min(n, len(questions)))


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"not a comma list of integers: {text!r}") from None
    if not sizes or min(sizes) < MIN_SIZE:
        raise typer.BadParameter(f"sizes must be at least {MIN_SIZE}: {text!r}")
    return sizes


def render_table(result: ScalingResult):
    from rich.table import Table

    table = Table(title=f"Index scaling: recall@{result.k} vs IndexFlatIP, {result.queries} real queries, "
                        f"noise sigma {result.noise_sigma:.4f} on synthetic vectors")
    for column in ("size", "vectors", "index", "search", "build s", "recall@10", "p50 ms", "p95 ms",
                   f"p95 ms ({result.threads_default} thr)", "batch q/s", "MB", "bytes/vec (raw)", "RSS +MB"):
        table.add_column(column, justify="left" if column in ("vectors", "index", "search") else "right")
    for r in result.rows:
        table.add_row(
            f"{r.size:,}", r.vectors, r.index, r.search, f"{r.build_seconds:.2f}", f"{r.recall_at_10:.3f}",
            f"{r.p50_ms:.3f}", f"{r.p95_ms:.3f}", f"{r.p95_ms_threads:.3f}", f"{r.batch_qps:,.0f}",
            f"{r.index_bytes / 2**20:.1f}", f"{r.bytes_per_vector:,.0f} ({r.raw_bytes / r.size:,.0f})",
            f"{r.rss_after_mb - r.rss_before_mb:+.1f}",
        )
    return table


def register(app: typer.Typer) -> None:
    @app.command("scaling")
    def scaling(
        index: Annotated[Optional[str], typer.Option(help="Index whose vectors to use (default: the settings' index).")] = None,
        sizes: Annotated[str, typer.Option(help="Comma list of index sizes (vectors).")] = DEFAULT_SIZES,
        queries: Annotated[int, typer.Option(min=1, help="PubMedQA questions to encode as queries.")] = 200,
        out: Annotated[Path, typer.Option(help="JSON report path.")] = DEFAULT_OUT,
        seed: Annotated[int, typer.Option(help="Seed for the question sample, subsets and synthetic vectors.")] = 0,
        budget_ms: Annotated[float, typer.Option(help="Single-query p95 budget behind the recommendation.")] = LATENCY_BUDGET_MS,
    ) -> None:
        """How latency, memory and ANN recall grow with index size (Flat vs HNSW vs IVF-PQ)."""
        from rich.console import Console
        from rich.markup import escape

        from benchmarks.common import settings_or_exit
        from rag.indexing.embedding import EmbeddingError, get_embedder
        from rag.indexing.index import GuideIndexError

        console, err = Console(), Console(stderr=True)

        def fail(message: str) -> NoReturn:
            err.print(f"[bold red]error:[/] {escape(message)}")
            raise typer.Exit(1)

        size_list = parse_sizes(sizes)
        settings = settings_or_exit(err)
        name = index or settings.index.name
        try:
            with console.status(f"reading index {name!r}, encoding {queries} questions…"):
                vectors, manifest = load_index_vectors(settings, name)
                texts = sample_questions(settings, queries, seed)
                query_vectors = get_embedder(settings).encode_queries(texts)
        except (GuideIndexError, EmbeddingError) as exc:
            fail(str(exc))
        console.print(f"[dim]{len(vectors):,} real vectors of {vectors.shape[1]} dims from {name!r}, {len(texts)} queries[/]")
        result = run_scaling(vectors, query_vectors, size_list, seed, budget_ms=budget_ms,
                             progress=lambda message: console.print(f"[dim]{escape(message)}[/]"))
        result = result.model_copy(update={
            "index_name": name, "model": manifest.model, "backend": manifest.backend,
            "query_source": f"pubmedqa questions, seeded sample of {len(texts)}",
        })
        console.print(render_table(result))
        for info in result.sizes:
            if info.synthetic:
                console.print(
                    f"[dim]{info.size:,}: {info.synthetic:,} synthetic (noise sigma {result.noise_sigma:.4f}, cosine to source "
                    f"{info.cos_to_source_mean:.3f}); a query's exact top-10 is {info.synthetic_share_top10:.0%} synthetic "
                    f"from {info.distinct_sources_top10:.1f} distinct sources[/]"
                )
        console.print(f"[bold]recommendation:[/] {escape(result.recommendation)}")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.model_dump_json(indent=2), encoding="utf-8")
        console.print(f"wrote {out}")
