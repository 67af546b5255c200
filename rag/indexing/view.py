"""A build plus its updates seen as one index: rows 0..M-1 are the build's, M.. the added documents'.

A build document that was removed, or replaced by an added document of the same id, keeps its rows but they are
masked out of every search (`live_mask`) and it is not found by id. Dense search merges the build's FAISS hits
with an exact search of the delta's vectors by score; BM25 scores both with live statistics
(rag.indexing.bm25_global). Everything of the delta is in memory, so opening a view costs milliseconds plus a
pass over the build's per-row arrays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from rag.indexing.bm25_global import GlobalBm25, store_avgdl
from rag.indexing.catalog import build_counts, combine_manifest, masked_ids
from rag.indexing.delta import Delta, encoder_of, read_updates
from rag.indexing.errors import GuideIndexError
from rag.indexing.manifest import Manifest
from rag.indexing.sharded import ShardedIndex, ShardSearch, load_sharded
from rag.indexing.store import Index, index_folder, load_folder
from rag.settings import Settings
from rag.types import KINDS, Chunk, Document, IndexInfo


class IndexView:
    """The same reading interface as rag.indexing.store.Index, over a build and its delta."""

    def __init__(self, build: Index, delta: Delta | None, avgdl: float | None = None):
        self.build, self.delta = build, delta
        self.path, self.sentences = build.path, build.sentences  # sentences: None for a format-1 build
        m, d = build.size, delta.size if delta else 0
        self.offset = m
        updates = delta.manifest if delta else None
        counts = build_counts(build.store_path, [r.id for r in updates.removed] + updates.indexed_ids()) if updates else {}
        removed, replaced = masked_ids(updates, counts)
        self.hidden = frozenset(removed) | frozenset(replaced)
        self.manifest = combine_manifest(build.manifest, updates, counts)
        index_of = {doc_id: i for i, doc_id in enumerate(build.doc_ids)}
        dead = np.isin(build.doc_codes, [index_of[i] for i in self.hidden]) if self.hidden else np.zeros(m, bool)
        self.live_mask = np.concatenate([~dead, np.ones(d, bool)]) if self.hidden else None
        self._init_rows(build, delta, dead)
        self.document_ids = (build.document_ids - self.hidden) | frozenset(c.doc_id for c in (delta.chunks if delta else []))
        if not d and not self.hidden:
            self._bm25 = None  # bm25s scores as they are
        else:
            if d and avgdl is None:
                raise GuideIndexError("scoring added documents needs the build's BM25 mean passage length")
            self._bm25 = GlobalBm25(build.bm25, dead if self.hidden else None, delta, avgdl or 1.0)

    def _init_rows(self, build: Index, delta: Delta | None, dead: np.ndarray) -> None:
        """Per-row filter columns over both parts, with source codes into the live sources' sorted names."""
        chunks = delta.chunks if delta else []
        docs = delta.documents if delta else {}
        self.kind_codes = np.concatenate([build.kind_codes, np.array([KINDS.index(c.kind) for c in chunks], np.int8)])
        years = [docs[c.doc_id].year for c in chunks]
        self.years = np.concatenate([build.years, np.array([-1 if y is None else y for y in years], np.int32)])
        live_build = set(np.unique(build.source_codes[~dead]).tolist())
        names = sorted({build.source_names[i] for i in live_build} | {docs[c.doc_id].source for c in chunks})
        code = {n: i for i, n in enumerate(names)}
        recode = np.array([code.get(n, -1) for n in build.source_names], np.int32)
        build_codes = recode[build.source_codes] if len(recode) else build.source_codes
        self.source_codes = np.concatenate([build_codes, np.array([code[docs[c.doc_id].source] for c in chunks], np.int32)])
        self.source_names = names
        self._delta_rows: dict[str, list[int]] = {}
        for i, c in enumerate(chunks):
            self._delta_rows.setdefault(c.doc_id, []).append(i)
        self._delta_ids = {c.id: i for i, c in enumerate(chunks)}

    # -- what Index offers ------------------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return self.offset + (self.delta.size if self.delta else 0)

    @property
    def info(self) -> IndexInfo:
        return IndexInfo(name=self.manifest.name, fingerprint=self.manifest.fingerprint)

    def doc_of(self, row: int) -> str:
        return self.build.doc_of(row) if row < self.offset else self.delta.chunks[row - self.offset].doc_id

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        rows = [int(r) for r in rows]
        found = dict(zip((r for r in rows if r < self.offset), self.build.chunks([r for r in rows if r < self.offset])))
        return [found[r] if r < self.offset else self.delta.chunks[r - self.offset] for r in rows]

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, dict[tuple[int, int], np.ndarray]]:
        ours = [c for c in chunk_ids if c in self._delta_ids]  # an added version wins over a replaced build chunk's id
        out = self.build.sentence_vectors([c for c in chunk_ids if c not in self._delta_ids])
        d = self.delta
        for chunk_id in ours:
            row = self._delta_ids[chunk_id]
            a, b = int(d.sentence_starts[row]), int(d.sentence_starts[row + 1])
            vecs = np.asarray(d.sentences[a:b], dtype=np.float32)
            out[chunk_id] = {(int(s), int(e)): v for (s, e), v in zip(d.spans[a:b], vecs)}
        return out

    def titles(self, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(doc_ids))
        out = self.build.titles(i for i in ids if i not in self.hidden and i not in self._delta_rows)
        out.update((i, self.delta.documents[i].title) for i in ids if i in self._delta_rows)
        return out

    def doc_rows(self, doc_id: str) -> list[int]:
        if doc_id in self._delta_rows:
            return [self.offset + r for r in self._delta_rows[doc_id]]
        return [] if doc_id in self.hidden else self.build.doc_rows(doc_id)

    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        if chunk_id in self._delta_ids:
            return self.delta.chunks[self._delta_ids[chunk_id]]
        chunk = self.build.chunk_by_id(chunk_id)
        return None if chunk is None or chunk.doc_id in self.hidden else chunk

    def document(self, doc_id: str) -> Document | None:
        if doc_id in self._delta_rows:
            return self.delta.documents[doc_id]
        return None if doc_id in self.hidden else self.build.document(doc_id)

    documents = Index.documents  # the same lookup, through this view's document()

    # -- search primitives --------------------------------------------------------------------------------------------
    def dense_search(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """The build's FAISS hits and the delta's exact inner products, merged by score: both are exact, so the
        merge is what one flat index over all rows would return. No mask means every live row."""
        mask = self.live_mask if mask is None else mask
        hits = self.build.dense_search(vector, depth, None if mask is None else mask[: self.offset])
        if self.delta is not None and self.delta.size:
            scores = self._delta_vectors @ np.asarray(vector, np.float32).reshape(-1)
            rows = np.arange(self.delta.size)
            if mask is not None:
                rows = rows[mask[self.offset :]]
            top = rows[np.argsort(-scores[rows], kind="stable")[:depth]]
            hits += [(self.offset + int(r), float(scores[r])) for r in top]
            hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:depth]

    @functools.cached_property
    def _delta_vectors(self) -> np.ndarray:
        """The delta's vectors as the build's scan reads its own: fp16-rounded when it scans fp16 copies, so that
        the merged scores are those of one index over all rows."""
        # Updates are only ever made to an unsharded build (rag.indexing.sharded), which holds its Dense.
        half = self.build.dense.half
        return self.delta.vectors.astype(np.float16).astype(np.float32) if half else self.delta.vectors

    def bm25_scores(self, words: Sequence[str]) -> np.ndarray | None:
        return self.build.bm25_scores(words) if self._bm25 is None else self._bm25.scores(words)

    @functools.cached_property
    def term_stats(self):
        """Live document frequencies, as rag.answering.rank.Idf reads them."""
        return self.build.bm25 if self._bm25 is None else self._bm25.term_stats()


def build_avgdl(build: Index, delta: Delta | None) -> float | None:
    """The build's BM25 mean passage length: its manifest's, else the one recorded with the updates, else measured."""
    avgdl = build.bm25_avgdl()
    if avgdl is None and delta is not None and delta.size:  # only added rows are scored with it
        avgdl = delta.manifest.base_avgdl.get(build.manifest.fingerprint) or store_avgdl(build.store_path)
    return avgdl


# Searchers for a sharded build's shards (e.g. Ray replicas, rag.distributed.serve), given its folder and manifest.
SearchersFor = Callable[[Path, Manifest], Sequence[ShardSearch]]


def load_build(settings: Settings, name: str | None = None, searchers_for: SearchersFor | None = None
               ) -> Index | ShardedIndex:
    """Index `name`'s build: one folder, or its shards (searched here, or by `searchers_for`'s searchers)."""
    name = name or settings.index.name
    path, manifest = index_folder(settings, name)
    if manifest.shards:
        return load_sharded(settings, path, manifest, searchers_for(path, manifest) if searchers_for else None)
    return load_folder(settings, path, name, manifest=manifest)


def open_index(settings: Settings, name: str | None = None, build: Index | ShardedIndex | None = None,
               searchers_for: SearchersFor | None = None) -> IndexView:
    """Index `name` as it serves: its build (loaded, or the one given) plus its updates."""
    name = name or settings.index.name
    build = build or load_build(settings, name, searchers_for)
    delta = read_updates(settings.index.dir, name)
    if isinstance(build, ShardedIndex) and delta is not None and (delta.size or delta.manifest.removed):
        raise GuideIndexError(f"index {name!r} is sharded, and documents added or removed since its build are not "
                              f"served from a sharded index yet; rebuild it (guideqa index build --name {name})")
    if delta is not None and delta.size and encoder_of(delta.manifest) != encoder_of(build.manifest):
        raise GuideIndexError(f"index {name!r}: its added documents were embedded with {encoder_of(delta.manifest)} but "
                              f"the build with {encoder_of(build.manifest)}; rebuild it (guideqa index build --name "
                              f"{name}) to embed them again")
    return IndexView(build, delta, build_avgdl(build, delta))
