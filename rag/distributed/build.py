"""Building an index on a Ray cluster (`guideqa index build --engine ray`).

The single-machine build (rag.indexing.build) with its two costly stages run as Ray Datasets:

- chunking: the documents the chunk cache lacks, in `map_batches` over a pool of chunker actors (each loads the
  tokenizer once);
- embedding: the chunks the embedding cache lacks, longest first, in `map_batches` over a pool of encoder actors
  (each loads the model once, and runs it on the CPUs Ray reserved for it).

The driver keeps both caches, so a re-run sends only new or changed documents and chunks to the cluster, and
writes the index folder, or its shards as Ray tasks, then swaps it in exactly as a local build does: a killed
driver leaves the previous index serving. Ray restarts a killed actor and retries its batch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from rag.distributed.cluster import connected
from rag.indexing.build import build_index, encode_batch, prepare
from rag.indexing.embedding import Embedder, get_embedder
from rag.indexing.folder import Prepared, Progress
from rag.settings import Settings
from rag.types import Chunk, Document


def _worker_settings(settings_json: str, cpus: float) -> Settings:
    s = Settings.model_validate_json(settings_json)
    s.embedding.threads = max(1, int(cpus))  # the CPUs Ray reserved for this actor, not every core of the node
    return s


class ChunkDocuments:
    """A chunker actor: documents (JSON) in, their chunks (JSON) out."""

    def __init__(self, settings_json: str, cpus: float):
        from rag.indexing.chunking import Chunker

        s = _worker_settings(settings_json, cpus)
        embedder = get_embedder(s)
        self.chunker = Chunker(s, embedder.count_tokens_batch, embedder.max_tokens)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        chunks = [self.chunker.chunk(Document.model_validate_json(d)) for d in batch["doc"]]
        return {"i": batch["i"], "chunks": np.array([json.dumps([c.model_dump() for c in cs]) for cs in chunks], dtype=object)}


class EncodeChunks:
    """An encoder actor: chunk texts and sentence spans in, chunk vectors and sentence vectors (float16 bytes) out."""

    def __init__(self, settings_json: str, cpus: float):
        self.settings = _worker_settings(settings_json, cpus)
        self.embedder = get_embedder(self.settings)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        spans = [[tuple(x) for x in json.loads(s)] for s in batch["spans"]]
        vecs, sents = encode_batch(list(batch["text"]), spans, self.embedder, self.settings)
        return {"row": batch["row"], "vector": np.asarray(vecs, np.float32),
                "sentences": np.array([np.asarray(sv, np.float16).tobytes() for sv in sents], dtype=object)}


def _map(items: list[dict], actor: type, settings: Settings, batch_size: int):
    """A Ray Dataset of `items` run through a pool of `actor`s (cluster.encoders of them)."""
    import ray.data

    ray.data.DataContext.get_current().enable_progress_bars = False  # the CLI shows its own
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # not a line per dataset started and finished
    c = settings.cluster
    # Ray Data's actor pool restarts an actor that dies and retries the batch it held.
    return ray.data.from_items(items).map_batches(
        actor, fn_constructor_args=(settings.model_dump_json(), c.cpus_per_encoder), batch_size=batch_size,
        batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=c.encoders), num_cpus=c.cpus_per_encoder)


def chunk_on_ray(docs: list[Document], settings: Settings) -> Iterator[tuple[int, list[Chunk]]]:
    items = [{"i": i, "doc": d.model_dump_json()} for i, d in enumerate(docs)]
    if not items:
        return
    for batch in _map(items, ChunkDocuments, settings, 16).iter_batches(batch_size=None, batch_format="numpy"):
        for i, cs in zip(batch["i"], batch["chunks"]):
            yield int(i), [Chunk.model_validate(c) for c in json.loads(cs)]


def encode_on_ray(todo: list[int], texts: list[str], shifted: dict[int, list[tuple[int, int]]], embedder: Embedder,
                  settings: Settings) -> Iterator[tuple[list[int], np.ndarray, list[np.ndarray]]]:
    items = [{"row": r, "text": texts[r], "spans": json.dumps(shifted[r])} for r in todo]  # longest first, as given
    if not items:
        return
    for batch in _map(items, EncodeChunks, settings, settings.cluster.batch_rows).iter_batches(batch_size=None,
                                                                                              batch_format="numpy"):
        sents = [np.frombuffer(b, np.float16).reshape(-1, embedder.dim) for b in batch["sentences"]]
        yield [int(r) for r in batch["row"]], np.asarray(batch["vector"], np.float32), sents


def _ray_run(fn: Callable, jobs: list[tuple]) -> list:
    """Run fn over the jobs as Ray tasks (shard writes), retried if their worker dies."""
    import ray

    task = ray.remote(max_retries=3)(fn)
    return ray.get([task.remote(*job) for job in jobs])


def prepare_on_ray(work: Path, docs: Sequence[Document], settings: Settings, embedder: Embedder, use_cache: bool,
                   note: Progress, lap: Callable[[str], None]) -> Prepared:
    p = prepare(work, docs, settings, embedder, use_cache, note, lap, chunk_many=chunk_on_ray, encode_rows=encode_on_ray,
                engine="ray")
    return p._replace(run=_ray_run)


def build_on_ray(docs: Sequence[Document], settings: Settings, **kwargs):
    """rag.indexing.build.build_index with chunking, embedding and shard writing on Ray (cluster.address, or local)."""
    with connected(settings):
        return build_index(docs, settings, prepare_with=prepare_on_ray, **kwargs)
