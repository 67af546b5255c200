"""A sharded index read as one: the same interface as rag.indexing.store.Index, with the same rankings.

Row r of the whole is row r - offset[s] of the shard s holding it; shards hold runs of rows in order
(rag.indexing.shards). Every question queries all shards in parallel and merges:

- dense: each shard's exact top `depth` (flat FAISS), merged by score, is the exact top `depth` of the whole;
- BM25 with global statistics: bm25s bakes each shard's own idf and mean passage length into its stored scores,
  so a shard recovers each posting's term count from its score and its passage length (bm25_lengths.npy) and
  rescores it with the whole index's document frequency, passage count and mean length. The scores are those one
  index would give, up to float rounding.

Searching goes through a shard's `searcher` (ShardSearch): in this process (LocalShard) or in a Ray actor holding
the shard (rag.distributed.serve). A shard that fails or times out is left out of that question's results, which
are then marked degraded (`missing_shards`); the question still gets an answer from the others.
"""

from __future__ import annotations

import contextvars
import logging
import weakref
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.indexing.bm25 import bm25_config
from rag.indexing.bm25_global import TermStats, lucene_idf
from rag.indexing.errors import GuideIndexError
from rag.indexing.layout import BM25_LENGTHS
from rag.indexing.manifest import Manifest
from rag.indexing.store import Index, load_folder
from rag.settings import Settings
from rag.types import Chunk, Document, IndexInfo

log = logging.getLogger(__name__)

Ranked = tuple[np.ndarray, np.ndarray]  # (shard-local rows, scores)

# Shards that did not answer during the current question (set by the caller's context, see missing_shards).
_missing: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("guideqa_missing_shards", default=None)


class missing_shards:
    """`with missing_shards() as missing:` collects the shards that failed while the block ran (a question)."""

    def __enter__(self) -> set[str]:
        self.names: set[str] = set()
        self._token = _missing.set(self.names)
        return self.names

    def __exit__(self, *exc) -> None:
        _missing.reset(self._token)


class ShardSearch(Protocol):
    """What a sharded index asks of each shard; rows are the shard's own."""

    def dense(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> Ranked: ...

    def bm25(self, words: Sequence[str], idf: dict[str, float], avgdl: float) -> Ranked: ...


class LocalShard:
    """A shard searched in this process."""

    def __init__(self, index: Index, lengths: np.ndarray):
        self.index = index
        config = bm25_config()
        self.k1, self.b = config["k1"], config["b"]
        scores = index.bm25.scores
        self.data, self.indices, self.indptr = scores["data"], scores["indices"], scores["indptr"]
        self.n = int(scores["num_docs"])
        self.lengths = np.asarray(lengths, dtype=np.float64)
        self.avgdl = float(self.lengths.mean()) if len(self.lengths) else 1.0  # bm25s's own mean
        self._norm_own = self.k1 * (1 - self.b + self.b * self.lengths / self.avgdl)
        self._norm_global, self._norm_avgdl = self._norm_own, self.avgdl

    def dense(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> Ranked:
        hits = self.index.dense_search(vector, depth, mask)
        return np.array([r for r, _ in hits], np.int64), np.array([s for _, s in hits], np.float32)

    def bm25(self, words: Sequence[str], idf: dict[str, float], avgdl: float) -> Ranked:
        """Scores of the rows holding any of `words`, with global idf and mean length (repeated words count again)."""
        if self._norm_avgdl != avgdl:  # the whole index's mean length: the same for every question
            self._norm_global, self._norm_avgdl = self.k1 * (1 - self.b + self.b * self.lengths / avgdl), avgdl
        rows_all: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        for word in words:
            tid = self.index.bm25.vocab_dict.get(word)
            if tid is None or word not in idf:
                continue
            start, end = int(self.indptr[tid]), int(self.indptr[tid + 1])
            if end <= start:
                continue
            rows = np.asarray(self.indices[start:end], dtype=np.int64)
            # bm25s (lucene): idf * tf / (tf + k1 (1 - b + b dl / avgdl)); solve for the term count tf.
            y = np.asarray(self.data[start:end], dtype=np.float64) / lucene_idf(end - start, self.n)
            tf = np.rint(y * self._norm_own[rows] / np.maximum(1 - y, 1e-12))
            rows_all.append(rows)
            parts.append(idf[word] * tf / (tf + self._norm_global[rows]))
        if not rows_all:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        summed = np.bincount(np.concatenate(rows_all), weights=np.concatenate(parts), minlength=self.n)
        hit = np.flatnonzero(summed)
        return hit, summed[hit].astype(np.float32)


def shard_term_stats(indexes: Sequence[Index]) -> TermStats:
    """Document frequencies over all shards, as rag.answering.rank.Idf reads them."""
    vocab: dict[str, int] = {}
    df: list[int] = []
    for ix in indexes:
        counts = np.diff(np.asarray(ix.bm25.scores["indptr"]))
        for word, tid in ix.bm25.vocab_dict.items():
            i = vocab.setdefault(word, len(vocab))
            if i == len(df):
                df.append(0)
            df[i] += int(counts[tid]) if tid < len(counts) else 0
    n = sum(int(ix.bm25.scores["num_docs"]) for ix in indexes)
    return TermStats(vocab, np.concatenate([[0], np.cumsum(np.array(df, np.int64))]), n)


class ShardedIndex:
    """The reading interface of rag.indexing.store.Index over shards (rows numbered shard after shard)."""

    live_mask: np.ndarray | None = None

    def __init__(self, path: Path, manifest: Manifest, shards: Sequence[Index], searchers: Sequence[ShardSearch],
                 lengths: Sequence[np.ndarray], names: Sequence[str] | None = None, faiss_threads: int = 0):
        self.path, self.manifest = path, manifest
        self.shards = list(shards)
        self.searchers = list(searchers)
        self.names = list(names or [s.manifest.name for s in shards])
        sizes = [s.size for s in shards]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.sentences = shards[0].sentences  # None only for sentence-less (format 1) folders, never sharded
        self.store_path = None  # no single store: documents added later are not supported on a sharded index
        self.kind_codes = np.concatenate([s.kind_codes for s in shards])
        self.years = np.concatenate([s.years for s in shards])
        names_all = sorted({n for s in shards for n in s.source_names})
        self.source_names = names_all
        self.source_codes = np.concatenate([np.array([names_all.index(n) for n in s.source_names], np.int32)[s.source_codes]
                                            if len(s.source_names) else s.source_codes for s in shards])
        self.doc_ids = [d for s in shards for d in s.doc_ids]
        doc_base = np.concatenate([[0], np.cumsum([len(s.doc_ids) for s in shards])])
        self.doc_codes = np.concatenate([s.doc_codes + doc_base[i] for i, s in enumerate(shards)]).astype(np.int32)
        self.document_ids = frozenset(self.doc_ids)
        self._shard_of_doc = {d: i for i, s in enumerate(shards) for d in s.doc_ids}
        self.bm25 = shard_term_stats(shards)
        total = sum(float(np.sum(x)) for x in lengths)
        self.avgdl = total / max(int(self.offsets[-1]), 1)
        # FAISS's OpenMP thread count is per thread: the shard threads get the configured one (retrieval.faiss_threads).
        self._pool = ThreadPoolExecutor(max_workers=len(shards), thread_name_prefix="shard",
                                        initializer=set_faiss_threads, initargs=(faiss_threads,))
        weakref.finalize(self, self._pool.shutdown, wait=False)  # a reopened index must not leave its threads behind

    # -- routing ------------------------------------------------------------------------------------------------------
    def _shard(self, row: int) -> int:
        return int(np.searchsorted(self.offsets, row, side="right")) - 1

    def _fan_out(self, call) -> list:
        """call(i, searcher) on every shard in parallel; a failed shard gives None and is noted as missing."""
        futures = [self._pool.submit(call, i, s) for i, s in enumerate(self.searchers)]
        out = []
        for i, f in enumerate(futures):
            try:
                out.append(f.result())
            except Exception as exc:  # a dead or slow shard must not fail the question
                log.warning("shard %s did not answer (%s); answering from the others", self.names[i], exc)
                missing = _missing.get()
                if missing is not None:
                    missing.add(self.names[i])
                out.append(None)
        return out

    # -- search -------------------------------------------------------------------------------------------------------
    def dense_search(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """The exact top `depth` of the whole: every shard's own top `depth`, merged by score."""
        o = self.offsets
        parts = self._fan_out(lambda i, s: s.dense(vector, depth, None if mask is None else mask[o[i] : o[i + 1]]))
        hits = [(int(o[i] + r), float(x)) for i, part in enumerate(parts) if part is not None for r, x in zip(*part)]
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:depth]

    def bm25_scores(self, words: Sequence[str]) -> np.ndarray | None:
        words = list(words)
        vocab, indptr = self.bm25.vocab_dict, self.bm25.scores["indptr"]
        n = int(self.bm25.scores["num_docs"])
        idf = {w: lucene_idf(int(indptr[t + 1] - indptr[t]), n) for w in words if (t := vocab.get(w)) is not None
               and indptr[t + 1] > indptr[t]}
        if not idf:
            return None
        out = np.zeros(self.size, np.float32)
        for i, part in enumerate(self._fan_out(lambda i, s: s.bm25(words, idf, self.avgdl))):
            if part is not None:
                out[self.offsets[i] + part[0]] = part[1]
        return out

    def bm25_avgdl(self) -> float:
        return self.avgdl

    @property
    def term_stats(self) -> TermStats:
        return self.bm25

    # -- reading ------------------------------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return int(self.offsets[-1])

    @property
    def info(self) -> IndexInfo:
        return IndexInfo(name=self.manifest.name, fingerprint=self.manifest.fingerprint)

    def doc_of(self, row: int) -> str:
        return self.doc_ids[self.doc_codes[row]]

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        by_shard: dict[int, list[int]] = {}
        for r in rows:
            by_shard.setdefault(self._shard(int(r)), []).append(int(r))
        found: dict[int, Chunk] = {}
        for i, rs in by_shard.items():
            found.update(zip(rs, self.shards[i].chunks([r - int(self.offsets[i]) for r in rs])))
        return [found[int(r)] for r in rows]

    def _by_doc(self, ids: Iterable[str]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for x in ids:
            i = self._shard_of_doc.get(x.split("#", 1)[0])
            if i is not None:
                out.setdefault(i, []).append(x)
        return out

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, dict[tuple[int, int], np.ndarray]]:
        out: dict[str, dict[tuple[int, int], np.ndarray]] = {}
        for i, ids in self._by_doc(chunk_ids).items():
            out.update(self.shards[i].sentence_vectors(ids))
        return out

    def titles(self, doc_ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i, ids in self._by_doc(doc_ids).items():
            out.update(self.shards[i].titles(ids))
        return out

    def doc_rows(self, doc_id: str) -> list[int]:
        i = self._shard_of_doc.get(doc_id)
        return [] if i is None else [int(self.offsets[i]) + r for r in self.shards[i].doc_rows(doc_id)]

    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        i = self._shard_of_doc.get(chunk_id.split("#", 1)[0])
        return None if i is None else self.shards[i].chunk_by_id(chunk_id)

    def document(self, doc_id: str) -> Document | None:
        i = self._shard_of_doc.get(doc_id)
        return None if i is None else self.shards[i].document(doc_id)

    documents = Index.documents  # the same lookup, through this index's document()


def set_faiss_threads(n: int) -> None:
    if n:
        import faiss

        faiss.omp_set_num_threads(n)


def shard_lengths(path: Path, label: str) -> np.ndarray:
    try:
        return np.load(path / BM25_LENGTHS, allow_pickle=False)
    except Exception as exc:
        raise GuideIndexError(f"index {label!r}: {BM25_LENGTHS} is missing or corrupt ({exc}); rebuild it") from exc


def load_sharded(settings: Settings, path: Path, manifest: Manifest, searchers: Sequence[ShardSearch] | None = None
                 ) -> ShardedIndex:
    """Open a sharded index folder; shards are searched here unless `searchers` (e.g. Ray actors) are given, in
    which case this process reads only their stores and BM25 vocabularies, not their vectors."""
    shards, lengths = [], []
    for entry in manifest.shards:
        label = f"{manifest.name}/{entry.folder}"
        index = load_folder(settings, path / entry.folder, label, dense=searchers is None)
        if index.manifest.chunks != entry.chunks:
            raise GuideIndexError(f"index {label!r} holds {index.manifest.chunks} chunks, the index's manifest says "
                                  f"{entry.chunks}; rebuild it")
        shards.append(index)
        lengths.append(shard_lengths(path / entry.folder, label))
        if len(lengths[-1]) != entry.chunks:
            raise GuideIndexError(f"index {label!r}: {BM25_LENGTHS} holds {len(lengths[-1])} passages, not {entry.chunks}")
    if sum(s.size for s in shards) != manifest.chunks:
        raise GuideIndexError(f"index {manifest.name!r}: its shards hold {sum(s.size for s in shards)} chunks, its "
                              f"manifest says {manifest.chunks}; rebuild it")
    local = searchers is None
    searchers = [LocalShard(s, x) for s, x in zip(shards, lengths)] if local else list(searchers)
    if len(searchers) != len(shards):
        raise GuideIndexError(f"index {manifest.name!r} has {len(shards)} shards but {len(searchers)} searchers")
    return ShardedIndex(path, manifest, shards, searchers, lengths, faiss_threads=settings.retrieval.faiss_threads)
