"""Serving a sharded index from Ray actors (`guideqa serve --engine ray`).

Each shard is held in memory by one replica actor (its FAISS vectors and BM25 postings); the API process keeps
only the shards' chunk stores and BM25 vocabularies, and every question fans out to all replicas
(rag.indexing.sharded.ShardedIndex merges their results exactly as it merges local shards).

A replica that dies is restarted by Ray (max_restarts=-1) and loads its shard again. Until it is back, or when it
does not answer within cluster.shard_timeout_s, questions are answered from the other shards and marked degraded
(Answer.degraded); the API never fails a question for it. When the index is rebuilt, replicas for the new build
start before the old ones stop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.indexing.manifest import Manifest
from rag.indexing.sharded import LocalShard, Ranked, set_faiss_threads, shard_lengths
from rag.indexing.store import load_folder
from rag.settings import Settings

log = logging.getLogger(__name__)


class ShardReplica:
    """One shard in memory, searched on request (a Ray actor)."""

    def __init__(self, settings_json: str, folder: str, label: str):
        s = Settings.model_validate_json(settings_json)
        set_faiss_threads(s.retrieval.faiss_threads)  # (Ray runs a plain actor's methods on this thread)
        path = Path(folder)
        self.shard = LocalShard(load_folder(s, path, label), shard_lengths(path, label))
        self.size = self.shard.index.size

    def ready(self) -> int:
        import os

        return os.getpid()

    def dense(self, vector: np.ndarray, depth: int, bits: np.ndarray | None) -> Ranked:
        mask = None if bits is None else np.unpackbits(bits, count=self.size, bitorder="little").astype(bool)
        return self.shard.dense(vector, depth, mask)

    def bm25(self, words: Sequence[str], idf: dict[str, float], avgdl: float) -> Ranked:
        return self.shard.bm25(words, idf, avgdl)


class RemoteShard:
    """A replica seen as a shard searcher (rag.indexing.sharded.ShardSearch); raises when it cannot answer in time."""

    def __init__(self, handle, timeout_s: float):
        self.handle, self.timeout_s = handle, timeout_s

    def _get(self, ref):
        import ray

        try:
            return ray.get(ref, timeout=self.timeout_s)
        except ray.exceptions.GetTimeoutError:
            ray.cancel(ref)
            raise

    def dense(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> Ranked:
        bits = None if mask is None else np.packbits(mask, bitorder="little")
        return self._get(self.handle.dense.remote(np.asarray(vector, np.float32), depth, bits))

    def bm25(self, words: Sequence[str], idf: dict[str, float], avgdl: float) -> Ranked:
        return self._get(self.handle.bm25.remote(list(words), idf, avgdl))


class Replicas:
    """The replica actors of the build being served; `searchers` is what rag.indexing.view.load_build takes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.actors: list = []
        self._lock = threading.Lock()

    def searchers(self, path: Path, manifest: Manifest) -> list[RemoteShard]:
        import ray

        # Restarted when they die; a question never waits for a restart (no task retries): it is answered degraded.
        actor = ray.remote(max_restarts=-1, max_task_retries=0, num_cpus=0)(ShardReplica)
        s = self.settings
        new = [actor.options(name=None).remote(s.model_dump_json(), str(path / e.folder), f"{manifest.name}/{e.folder}")
               for e in manifest.shards]
        ray.get([a.ready.remote() for a in new])  # loaded (or failed loudly) before the build is served
        with self._lock:
            old, self.actors = self.actors, new
        for a in old:
            ray.kill(a)
        return [RemoteShard(a, s.cluster.shard_timeout_s) for a in new]

    def pids(self) -> list[int]:
        import ray

        return ray.get([a.ready.remote() for a in self.actors], timeout=60)

    def stop(self) -> None:
        import ray

        with self._lock:
            old, self.actors = self.actors, []
        for a in old:
            ray.kill(a)
