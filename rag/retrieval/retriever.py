"""Hybrid retrieval: dense (FAISS) + BM25, fused by reciprocal rank, over a build or a build plus its updates.

Filters are applied inside each retriever before ranking (a FAISS ID selector
and a BM25 score mask), so a narrow filter still returns its best k matches
instead of filtering an unfiltered top-k down to nothing.
"""

from __future__ import annotations

import numpy as np

from rag.indexing.bm25 import bm25_tokenize
from rag.indexing.embedding import Embedder, get_embedder
from rag.indexing.store import Index
from rag.indexing.view import IndexView
from rag.negation import query_text
from rag.settings import Settings
from rag.types import KINDS, Filters, Hit
from rag.vocabulary import spelled_out


class FilterError(ValueError):
    """A filter names something the index does not hold."""


class Retriever:
    def __init__(self, index: Index | IndexView, settings: Settings, embedder: Embedder | None = None):
        self.index = index
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)

    # -- filters -------------------------------------------------------------
    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask over chunk rows (removed documents' rows are off), or None when every row may match."""
        ix = self.index
        if filters is None or filters.is_empty():
            return ix.live_mask
        mask = np.ones(ix.size, dtype=bool) if ix.live_mask is None else ix.live_mask.copy()
        if filters.kind:
            mask &= np.isin(ix.kind_codes, [KINDS.index(k) for k in filters.kind])
        if filters.year_from:
            mask &= ix.years >= filters.year_from
        if filters.year_to:
            mask &= (ix.years <= filters.year_to) & (ix.years >= 0)
        if filters.source:
            codes = self.source_codes(filters.source)
            mask &= np.isin(ix.source_codes, codes)
        return mask

    def source_codes(self, wanted: list[str]) -> list[int]:
        codes: list[int] = []
        for value in wanted:
            needle = value.strip().lower()
            found = [i for i, name in enumerate(self.index.source_names) if needle and needle in name.lower()]
            if not found:
                raise FilterError(f"no source in index {self.index.manifest.name!r} matches {value!r}")
            codes.extend(found)
        return codes

    # -- search --------------------------------------------------------------
    def encode(self, query: str) -> np.ndarray:
        """The query's vector as `search` would compute it (abbreviations spelled out)."""
        return self.embedder.encode_queries([spelled_out(query)])[0]

    def search(self, query: str, filters: Filters | None = None, k: int | None = None,
               mode: str | None = None, query_vector: np.ndarray | None = None) -> list[Hit]:
        r = self.settings.retrieval
        k = k or r.k
        mode = mode or r.mode
        mask = self.mask(filters)
        if mask is not None and not mask.any():
            return []
        vec = None
        if mode in ("dense", "hybrid"):
            vec = query_vector if query_vector is not None else self.encode(query)
        # BM25 matches words, not what is said of them: "hypertension in a Black adult without CKD" would rank the CKD
        # guideline first. What the patient does not have is left out of its query (the embedding's keeps it whole).
        words = spelled_out(query_text(query), index_defined=False)
        depth = max(r.candidates, k)
        while True:
            dense = self.dense_search(vec, depth, mask) if vec is not None else None
            bm25 = self.bm25_search(words, depth, mask) if mode in ("bm25", "hybrid") else None
            hits = self._fuse(dense, bm25, k, mode)
            # The per-document cap can leave fewer than k hits; look deeper until k or the whole index.
            if len(hits) >= k or depth >= self.index.size:
                return hits
            depth *= 4

    def dense_search(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        return self.index.dense_search(vector, depth, mask)

    def bm25_search(self, query: str, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        scores = self.index.bm25_scores(bm25_tokenize([query], return_ids=False)[0])
        if scores is None:
            return []
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        depth = min(depth, len(scores))
        top = np.argpartition(-scores, depth - 1)[:depth]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def _fuse(self, dense, bm25, k: int, mode: str) -> list[Hit]:
        rrf_k = self.settings.retrieval.rrf_k
        info: dict[int, dict] = {}
        for name, ranked in (("dense", dense), ("bm25", bm25)):
            for rank, (row, score) in enumerate(ranked or []):
                entry = info.setdefault(row, {"score": 0.0})
                entry[f"{name}_score"] = score
                entry[f"{name}_rank"] = rank + 1
                entry["score"] += 1.0 / (rrf_k + rank + 1) if mode == "hybrid" else score
        cap = self.settings.retrieval.max_per_document
        best: list[tuple[int, dict]] = []
        per_doc: dict[str, int] = {}
        for row, entry in sorted(info.items(), key=lambda kv: (-kv[1]["score"], kv[0])):
            doc = self.index.doc_of(row)
            if per_doc.get(doc, 0) < cap:
                per_doc[doc] = per_doc.get(doc, 0) + 1
                best.append((row, entry))
                if len(best) == k:
                    break
        chunks = self.index.chunks([row for row, _ in best])
        return [Hit(chunk=c, **entry) for c, (_, entry) in zip(chunks, best)]
