"""The FAISS index variants built and measured at one size: exact Flat, HNSW, IVF-PQ and IVF-Flat."""

from __future__ import annotations

import math
import time

import numpy as np

from benchmarks.common import Note, settled_rss_bytes
from benchmarks.scaling.measure import K, ScalingRow, measure
from benchmarks.scaling.vectors import SizeInfo, make_vectors, size_info

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = (64, 128)
IVF_NPROBE = (8, 32)
RERANK = 8  # IVF-PQ candidates re-scored exactly per result wanted (rag.indexing.dense, settings.index.ann.rerank)
PQ_DIMS_PER_SUBQUANTIZER = 8  # 384 dims -> m = 48 sub-quantizers
PQ_BITS = 8


def one_size(
    real: np.ndarray, queries: np.ndarray, size: int, sigma: float, seed: int, threads: int, note: Note
) -> tuple[SizeInfo, list[ScalingRow]]:
    """Build and measure every variant on `size` vectors grown from `real`.

    The exact IndexFlatIP is the ground truth; then HNSW (M=32, efConstruction 80; efSearch 64 and 128),
    IVF-PQ (nlist ~ 4*sqrt(n), 8 dims per sub-quantizer, 8 bits, no polysemous training; nprobe 8 and 32)
    and IVF-Flat on the same coarse centroids, so the cost of PQ alone is visible. RSS is read around each build.
    """
    import faiss

    rng = np.random.default_rng([seed, size])  # each size reproducible on its own
    vectors, source = make_vectors(real, size, sigma, rng)
    d = vectors.shape[1]
    kind = "real" if size <= len(real) else "real+synthetic"
    common = dict(size=size, kind=kind, vectors=vectors, queries=queries, threads=threads)
    rows: list[ScalingRow] = []

    # Exact search: the ground truth for every other index at this size.
    before = settled_rss_bytes()
    start = time.perf_counter()
    flat = faiss.IndexFlatIP(d)
    flat.add(vectors)
    built = time.perf_counter() - start
    after = settled_rss_bytes()
    exact_scores, top = flat.search(queries, K)
    kth = exact_scores[:, K - 1]
    info = size_info(size, len(real), vectors, source, flat, top, rng)
    rows += measure(flat, "Flat", [("exact", lambda: None)], kth_score=kth, build_seconds=built,
                    train_vectors=0, rss_before=before, rss_after=after, **common)
    del flat
    note(f"{size:>7} Flat: p95 {rows[-1].p95_ms:.2f} ms")

    before = settled_rss_bytes()
    start = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    hnsw.add(vectors)
    built = time.perf_counter() - start
    after = settled_rss_bytes()
    rows += measure(
        hnsw, f"HNSW{HNSW_M}",
        [(f"efSearch={ef}", lambda ef=ef, h=hnsw.hnsw: setattr(h, "efSearch", ef)) for ef in HNSW_EF_SEARCH],
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
    before = settled_rss_bytes()
    start = time.perf_counter()
    ivfpq = faiss.index_factory(d, label, faiss.METRIC_INNER_PRODUCT)
    ivfpq.train(train)
    ivfpq.add(vectors)
    built = time.perf_counter() - start
    after = settled_rss_bytes()
    ivf = faiss.extract_index_ivf(ivfpq)
    rows += measure(
        ivfpq, label, [(f"nprobe={p}", lambda p=p, ivf=ivf: setattr(ivf, "nprobe", p)) for p in IVF_NPROBE],
        kth_score=kth, build_seconds=built, train_vectors=train_n, rss_before=before, rss_after=after, **common,
    )
    # The same codes, with the RERANK x k best re-scored against the full vectors (which an index keeps on disk).
    from rag.indexing.dense import Dense
    from rag.settings import AnnSettings

    rescored = Rescored(Dense(ivfpq, "ivfpq", vectors, AnnSettings(kind="ivfpq", rerank=RERANK)))
    rows += measure(
        rescored, f"{label}+rerank{RERANK}",
        [(f"nprobe={p}", lambda p=p, r=rescored: r.set_nprobe(p)) for p in IVF_NPROBE],
        kth_score=kth, build_seconds=built, train_vectors=train_n, rss_before=before, rss_after=after, **common,
    )
    note(f"{size:>7} {label}+rerank{RERANK}: recall@10 {rows[-1].recall_at_10:.3f} at nprobe={IVF_NPROBE[-1]}")
    centroids = ivf.quantizer.reconstruct_n(0, ivf.nlist)
    del ivfpq, ivf, rescored
    note(f"{size:>7} {label}: built in {built:.1f} s, recall@10 {rows[-1].recall_at_10:.3f} at nprobe={IVF_NPROBE[-1]}")

    # IVF-Flat on the same coarse centroids: no second k-means, and the recall gap to IVF-PQ is PQ's alone.
    before = settled_rss_bytes()
    start = time.perf_counter()
    quantizer = faiss.IndexFlatIP(d)
    quantizer.add(centroids)
    ivfflat = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    ivfflat.add(vectors)
    built = time.perf_counter() - start
    after = settled_rss_bytes()
    rows += measure(
        ivfflat, f"IVF{nlist},Flat", [(f"nprobe={p}", lambda p=p, ivf=ivfflat: setattr(ivf, "nprobe", p)) for p in IVF_NPROBE],
        kth_score=kth, build_seconds=built, train_vectors=0, rss_before=before, rss_after=after, **common,
    )
    del ivfflat, quantizer
    return info, rows


class Rescored:
    """An IVF-PQ index whose candidates are re-scored exactly (rag.indexing.dense.Dense), behind FAISS's batch
    search signature; its bytes are the codes' (the full vectors stay on disk in an index)."""

    def __init__(self, dense):
        self.dense, self.index = dense, dense.index

    def set_nprobe(self, nprobe: int) -> None:
        self.dense.ann = self.dense.ann.model_copy(update={"nprobe": nprobe})

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.full((len(queries), k), -1, np.int64)
        scores = np.full((len(queries), k), -np.inf, np.float32)
        for i, q in enumerate(queries):
            for j, (row, score) in enumerate(self.dense.search(q, k, None)):
                rows[i, j], scores[i, j] = row, score
        return scores, rows
