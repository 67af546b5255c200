"""The dense part of an index folder: exact (flat) by default, or an approximate FAISS index for large shards.

- flat: every vector in RAM (1,536 bytes each at 384 dimensions); exact. Scanned from fp16 copies by default
  (settings.index.ann.flat_scan): half the memory read, scores within 0.001.
- hnsw: a graph over the vectors (flat storage plus the graph links); fast, approximate neighbours, exact scores.
- ivfpq: product-quantised codes (`pq_bytes` each) in `lists` inverted lists. PQ scores alone are too rough (the
  scaling benchmark measured recall@10 0.76), so the `rerank` × depth best candidates are re-scored exactly
  against the full-precision vectors, kept on disk (vectors.npy, memory-mapped: only candidates' rows are read).

What was built is recorded in the manifest (`dense`); how hard a question searches (nprobe, efSearch, rerank) is
read from settings.index.ann at load time, so it can be tuned without rebuilding.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from rag.indexing.errors import GuideIndexError
from rag.indexing.layout import DENSE, VECTORS
from rag.settings import AnnSettings

MIN_TRAIN_PER_LIST = 39  # FAISS's k-means wants at least this many points per centroid


def write_dense(folder: Path, vectors: np.ndarray, ann: AnnSettings) -> dict:
    """Write dense.faiss (and vectors.npy for ivfpq); returns the manifest's `dense` entry."""
    import faiss

    n, dim = vectors.shape
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    kind = ann.kind
    if kind == "ivfpq" and n < 256 * MIN_TRAIN_PER_LIST:  # too few vectors to train 256 PQ centroids
        kind = "flat"
    entry: dict = {"kind": kind, "asked": ann.kind} if kind != ann.kind else {"kind": kind}
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, ann.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ann.ef_construction
        entry |= {"m": ann.hnsw_m, "ef_construction": ann.ef_construction}
    else:
        if dim % ann.pq_bytes:
            raise GuideIndexError(f"index.ann.pq_bytes ({ann.pq_bytes}) must divide the vector size ({dim})")
        lists = ann.lists or max(1, min(int(4 * math.sqrt(n)), n // MIN_TRAIN_PER_LIST))
        index = faiss.IndexIVFPQ(faiss.IndexFlatIP(dim), dim, lists, ann.pq_bytes, 8, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).permutation(n)[: min(n, lists * 256)]]
        index.train(sample)
        np.save(folder / VECTORS, vectors, allow_pickle=False)
        entry |= {"lists": lists, "pq_bytes": ann.pq_bytes}
    index.add(vectors)
    faiss.write_index(index, str(folder / DENSE))
    return entry


class Dense:
    """A folder's dense index, searched as exact inner products (flat), or approximately then re-scored."""

    def __init__(self, index, kind: str, full: np.ndarray | None, ann: AnnSettings):
        import faiss

        self.index, self.kind, self.full, self.ann = index, kind, full, ann
        self.d, self.ntotal = index.d, index.ntotal
        # Scanned from fp16 copies (flat_scan): vectors searched beside it (an update's rows) are rounded alike.
        self.half = isinstance(index, faiss.IndexScalarQuantizer)
        if kind == "ivfpq":
            self._params = lambda sel: faiss.SearchParametersIVF(sel=sel, nprobe=self.ann.nprobe)
        elif kind == "hnsw":
            self._params = lambda sel: faiss.SearchParametersHNSW(sel=sel, efSearch=self.ann.ef_search)
        else:
            self._params = lambda sel: faiss.SearchParameters(sel=sel)

    def reconstruct(self, row: int) -> np.ndarray:
        return np.asarray(self.full[row], np.float32) if self.full is not None else self.index.reconstruct(int(row))

    def search(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """The `depth` rows nearest `vector` among those `mask` allows, best first."""
        import faiss

        q = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        depth = min(depth, self.ntotal)
        if depth <= 0:
            return []
        wide = min(self.ntotal, depth * self.ann.rerank) if self.full is not None else depth
        selector = None
        if mask is not None:
            bits = np.packbits(mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        if selector is None and self.kind == "flat":
            scores, rows = self.index.search(q, wide)
        else:
            scores, rows = self.index.search(q, wide, params=self._params(selector))
        rows, scores = rows[0], scores[0]
        keep = rows >= 0
        rows, scores = rows[keep], scores[keep]
        if self.full is None and self.kind == "flat":  # exact already, in FAISS's order
            return [(int(i), float(s)) for i, s in zip(rows, scores)]
        if self.full is not None and len(rows):  # exact scores from the full-precision vectors
            order = np.argsort(rows)  # ascending rows: the memory map reads forward
            exact = np.asarray(self.full[rows[order]], np.float32) @ q[0]
            scores = np.empty_like(exact)
            scores[order] = exact
        best = np.lexsort((rows, -scores))[:depth]
        return [(int(rows[i]), float(scores[i])) for i in best]


def read_dense(folder: Path, manifest_dense: dict, ann: AnnSettings, label: str, mmap: bool = False) -> Dense:
    import faiss

    kind = manifest_dense.get("kind", "flat")
    try:
        index = faiss.read_index(str(folder / DENSE), faiss.IO_FLAG_MMAP_IFC if mmap and kind == "flat" else 0)
    except Exception as exc:
        raise GuideIndexError(f"index {label!r}: {DENSE} is corrupt ({exc}); rebuild it") from exc
    if kind == "flat" and not mmap and ann.flat_scan == "fp16":
        index = _half_precision(index)
    full = None
    if kind == "ivfpq":
        try:
            full = np.load(folder / VECTORS, mmap_mode="r", allow_pickle=False)
        except Exception as exc:
            raise GuideIndexError(f"index {label!r}: {VECTORS} is missing or corrupt ({exc}); rebuild it") from exc
        if full.shape != (index.ntotal, index.d):
            raise GuideIndexError(f"index {label!r}: {VECTORS} holds {full.shape}, the index {index.ntotal} vectors")
    return Dense(index, kind, full, ann)


def _half_precision(flat):
    """A flat index's vectors as fp16 codes: a question's scan reads half the memory, and FAISS's fp16 kernel is
    faster than its float32 one for a single query (which does not use BLAS)."""
    import faiss

    half = faiss.IndexScalarQuantizer(flat.d, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    if flat.ntotal:
        half.add(faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d))
    return half
