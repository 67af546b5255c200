"""BM25 over a build plus its updates, scored with the statistics one index over the live passages would have.

bm25s stores each (word, passage) score with the build's idf baked in. With documents added or removed, a word's
document frequency and the passage count change, so each query word's build scores are rescaled by
idf_live / idf_build, and added passages are scored with idf_live from their own term counts. Passage length is
normalised by the build's mean length (avgdl) for both: a few added passages barely move the mean, and a rebuild
recomputes it. With nothing added or removed, scores are bm25s's own.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.indexing.bm25 import bm25_config, bm25_tokenize
from rag.indexing.chunking import bm25_text
from rag.indexing.delta import Delta
from rag.types import Chunk


def lucene_idf(df: float, n: float) -> float:
    """bm25s's 'lucene' idf."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class TermStats:
    """What rag.answering.rank.Idf reads from a bm25s index (vocab_dict, scores['indptr'], scores['num_docs']),
    describing the live passages: document frequency of word id t is indptr[t+1] - indptr[t]."""

    def __init__(self, vocab_dict: dict[str, int], indptr: np.ndarray, num_docs: int):
        self.vocab_dict = vocab_dict
        self.scores = {"indptr": indptr, "num_docs": num_docs}


class GlobalBm25:
    """Scores over rows 0..M-1 (the build's, some masked as removed) and M.. (the delta's)."""

    def __init__(self, bm25, masked: np.ndarray | None, delta: Delta | None, avgdl: float):
        config = bm25_config()
        self.k1, self.b = config["k1"], config["b"]
        self.bm25 = bm25
        self.vocab = bm25.vocab_dict
        self.data, self.indices, self.indptr = bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"]
        self.n_build = int(bm25.scores["num_docs"])
        self.masked = masked if masked is not None and masked.any() else None
        self.delta = delta if delta is not None and delta.size else None
        self.avgdl = avgdl
        d = self.delta
        self.delta_vocab = {t: i for i, t in enumerate(d.terms)} if d else {}
        # Postings are sorted by term: term t's are delta_ptr[t]:delta_ptr[t+1].
        self.delta_ptr = np.searchsorted(d.postings[:, 0], np.arange(len(d.terms) + 1)) if d else np.zeros(1, np.int64)
        removed = int(self.masked.sum()) if self.masked is not None else 0
        self.n_live = self.n_build - removed + (d.size if d else 0)

    @property
    def size(self) -> int:
        return self.n_build + (self.delta.size if self.delta else 0)

    def _build_df(self, tid: int | None) -> tuple[int, int, int]:
        """(start, end) of the word's build postings and how many of them are live."""
        if tid is None:
            return 0, 0, 0
        start, end = int(self.indptr[tid]), int(self.indptr[tid + 1])
        dead = int(self.masked[self.indices[start:end]].sum()) if self.masked is not None and end > start else 0
        return start, end, end - start - dead

    def scores(self, words: Sequence[str]) -> np.ndarray | None:
        """BM25 score of every row for these query words (repeats count again, as in bm25s); None when no row has one."""
        out = np.zeros(self.size, dtype=np.float32)
        found = False
        for word in words:
            tid, did = self.vocab.get(word), self.delta_vocab.get(word)
            start, end, live = self._build_df(tid)
            d0, d1 = (int(self.delta_ptr[did]), int(self.delta_ptr[did + 1])) if did is not None else (0, 0)
            df = live + (d1 - d0)
            if df <= 0:
                continue
            found = True
            idf = lucene_idf(df, self.n_live)
            if end > start:
                scale = idf / lucene_idf(end - start, self.n_build)
                out[self.indices[start:end]] += np.asarray(self.data[start:end], dtype=np.float32) * np.float32(scale)
            if d1 > d0:
                rows = self.delta.postings[d0:d1, 1]
                tf = self.delta.tf[d0:d1]
                norm = self.k1 * (1 - self.b + self.b * self.delta.lengths[rows] / self.avgdl)
                out[self.n_build + rows] += (idf * tf / (tf + norm)).astype(np.float32)
        return out if found else None

    def term_stats(self) -> TermStats:
        """Live document frequencies for every word, as rag.answering.rank.Idf reads them."""
        df = np.diff(np.asarray(self.indptr)).astype(np.int64)
        if self.masked is not None:
            dead = np.concatenate([[0], np.cumsum(self.masked[np.asarray(self.indices)], dtype=np.int64)])
            df -= dead[np.asarray(self.indptr[1:])] - dead[np.asarray(self.indptr[:-1])]
        vocab = self.vocab
        if self.delta is not None:
            vocab = dict(vocab)
            extra = [t for t in self.delta.terms if t not in vocab]
            vocab.update((t, len(df) + i) for i, t in enumerate(extra))
            df = np.concatenate([df, np.zeros(len(extra), np.int64)])
            counts = np.diff(self.delta_ptr)
            df[[vocab[t] for t in self.delta.terms]] += counts
        return TermStats(vocab, np.concatenate([[0], np.cumsum(df)]), self.n_live)


def store_avgdl(store: Path) -> float:
    """Mean BM25 passage length of a build, from its store's text: for builds made before the manifest recorded it."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        titles = dict(con.execute("SELECT id, title FROM documents"))
        total = n = 0
        cursor = con.execute("SELECT doc_id, section, text FROM chunks ORDER BY row")
        while rows := cursor.fetchmany(4096):
            texts = [bm25_text(Chunk.model_construct(section=s, text=t), titles[d]) for d, s, t in rows]
            total += sum(len(t) for t in bm25_tokenize(texts, return_ids=False))
            n += len(rows)
    finally:
        con.close()
    return total / n if n else 1.0
