"""Building an index folder: chunk every document, embed (reusing cached vectors), write FAISS, BM25 and the
store, then swap the index name's link to the new folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

import rag.indexing.chunking
import rag.text
from rag.indexing.abbreviations import mine_abbreviations
from rag.indexing.build_cache import ChunkCache, EmbeddingCache, cache_key
from rag.indexing.build_folders import BUILDS, clean_stale, swap_link
from rag.indexing.chunking import Chunker, embed_prefix
from rag.indexing.delta import apply_updates, compact_updates, encoder_of
from rag.indexing.embedding import Embedder, get_embedder, resolve_backend
from rag.indexing.errors import GuideIndexError
from rag.indexing.folder import (
    Encoder,
    Prepared,
    Progress,
    folder_manifest,
    sentence_starts,
    write_folder,
)
from rag.indexing.layout import MANIFEST, SENTENCES
from rag.indexing.manifest import (
    Manifest,
    corpus_fingerprint,
    index_fingerprint,
    read_manifest,
)
from rag.settings import Settings
from rag.text import quotable_spans
from rag.types import Chunk, Document


def build_index(
    docs: Sequence[Document],
    settings: Settings,
    *,
    name: str | None = None,
    skipped: dict[str, int] | None = None,
    force: bool = False,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    use_cache: bool | None = None,
    prepare_with: Prepare | None = None,
) -> tuple[Path, Manifest, bool]:
    """Build `name` from `docs` and swap it in. Returns (path, manifest, rebuilt?).

    `use_cache=False` embeds every chunk afresh (a cold build, for fair timing); None follows the settings.
    `prepare_with` chunks and embeds elsewhere (rag.distributed.build: on a Ray cluster); the folder is the same.
    `settings.index.shards` > 1 writes the index as that many shards (rag.indexing.shards).
    """
    name = name or settings.index.name
    # Documents added and removed since the last build (guideqa corpus add/remove) carry over into this one.
    docs = apply_updates(docs, settings.index.dir, name)
    if not docs:
        raise GuideIndexError("no documents to index: check the sources (guideqa corpus fetch)")
    embedder = embedder or get_embedder(settings)
    if embedder.backend != resolve_backend(settings.embedding.backend):
        raise GuideIndexError(f"the embedder runs {embedder.backend!r} but settings say {settings.embedding.backend!r}")
    corpus_fp = corpus_fingerprint(docs)
    fingerprint = index_fingerprint(corpus_fp, settings, embedder.dim, min(settings.index.shards, len(docs)))
    clean_stale(settings.index.dir)  # folders of killed builds, even when this build turns out to be unneeded
    link = settings.index.dir / name
    if link.exists() and not link.is_symlink():
        raise GuideIndexError(f"{link} is a real folder, not an index link; move it away first")
    if not force and link.exists():
        try:
            current = read_manifest(link)
            if current.fingerprint == fingerprint:
                return link, current, False
        except GuideIndexError:
            pass  # unreadable: rebuild

    started = time.perf_counter()
    builds = settings.index.dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f") + f"-{os.getpid()}"
    work = builds / f"{name}-{stamp}.partial"
    work.mkdir()
    try:
        cache = settings.embedding.cache if use_cache is None else use_cache
        manifest = _write_index(work, docs, settings, name, corpus_fp, fingerprint, embedder, skipped or {}, progress, cache,
                                prepare_with or prepare)
        manifest.build_seconds = round(time.perf_counter() - started, 2)
        (work / MANIFEST).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        final = builds / f"{name}-{stamp}"
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    swap_link(link, final)
    clean_stale(settings.index.dir, replaced=name)  # older builds of `name`, and what dead builds left
    # Added documents now in the build leave the delta.
    compact_updates(settings.index.dir, name, {d.id: d for d in docs}, encoder_of(manifest))
    return link, manifest, True


Prepare = Callable[[Path, Sequence[Document], Settings, Embedder, bool, Progress, Callable[[str], None]], Prepared]


def prepare(work: Path, docs: Sequence[Document], settings: Settings, embedder: Embedder, use_cache: bool,
            note: Progress, lap: Callable[[str], None], chunk_many: ChunkMany | None = None,
            encode_rows: EncodeRows | None = None, engine: str = "local") -> Prepared:
    """Chunk and embed, here or with the given `chunk_many` and `encode_rows` (rag.distributed.build: on Ray)."""
    chunker = Chunker(settings, embedder.count_tokens_batch, embedder.max_tokens)
    titles = {d.id: d.title for d in docs}
    chunks = chunk_documents(docs, chunker, embedder, settings, use_cache, note, chunk_many)
    if not chunks:
        raise GuideIndexError("the documents produced no chunks")
    prefixes = [embed_prefix(titles[c.doc_id], c.section, settings.chunking.prefix) for c in chunks]
    texts = [p + c.text for p, c in zip(prefixes, chunks)]
    spans = [quotable_spans(c.text) for c in chunks]
    lap("chunk")
    starts = sentence_starts(spans)
    # Sentence vectors stream straight into their file (a memory map), so they never pile up in RAM.
    sentences = np.lib.format.open_memmap(work / SENTENCES, mode="w+", dtype=np.float16, shape=(int(starts[-1]), embedder.dim))
    vectors, cache_stats = embed_chunks(texts, [c.n_tokens for c in chunks], prefixes, spans, starts, sentences, embedder,
                                        settings, use_cache, note, encode_rows)
    sentences.flush()
    lap("embed")
    return Prepared(chunks, spans, vectors, sentences, cache_stats, chunker.limit, engine)


def _write_index(
    work: Path,
    docs: Sequence[Document],
    settings: Settings,
    name: str,
    corpus_fp: str,
    fingerprint: str,
    embedder: Embedder,
    skipped: dict[str, int],
    progress: Progress | None,
    use_cache: bool,
    run_prepare: Prepare,
) -> Manifest:
    note = progress or (lambda stage, done, total: None)
    clock = time.perf_counter()
    stage_seconds: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stage_seconds[stage] = round(stage_seconds.get(stage, 0.0) + now - clock, 2)
        clock = now

    p = run_prepare(work, docs, settings, embedder, use_cache, note, lap)
    abbreviations = mine_abbreviations(docs)
    lap("abbreviations")
    n_shards = min(settings.index.shards, len(docs))
    common = dict(settings=settings, encoder=Encoder.of(embedder), limit=p.limit, engine=p.engine,
                  cache_stats=p.cache_stats)
    if n_shards == 1:
        note("write", 0, 1)
        lengths, dense = write_folder(work, docs, p.chunks, p.spans, p.vectors, None, settings.index.ann, lap)
        note("write", 1, 1)
        return folder_manifest(name, fingerprint, corpus_fp, docs, p.chunks, len(p.sentences), lengths, skipped,
                               stage_seconds, dense=dense, abbreviations=abbreviations, **common)
    from rag.indexing.shards import write_shards

    entries = write_shards(work, docs, p, n_shards, name, fingerprint, note, lap, run=p.run, **common)
    (work / SENTENCES).unlink()  # each shard holds its own rows of it now
    # The index's manifest holds the table once; its shards' do not.
    return folder_manifest(name, fingerprint, corpus_fp, docs, p.chunks, len(p.sentences), None, skipped, stage_seconds,
                           shards=entries, abbreviations=abbreviations, **common)


# Chunks the documents not in the chunk cache: yields (position in the list, its chunks), in any order.
ChunkMany = Callable[[list[Document], Settings], Iterator[tuple[int, list[Chunk]]]]


def chunk_documents(docs: Sequence[Document], chunker: Chunker, embedder: Embedder, settings: Settings,
                    use_cache: bool, note: Progress, chunk_many: ChunkMany | None = None) -> list[Chunk]:
    """Every document's chunks; an unchanged document's come from the chunk cache (tokenizing is the slow part), the
    rest from `chunk_many` (here by default; rag.distributed.build chunks them on a Ray cluster)."""
    # The chunker's own source is part of the key, so changing how chunks are cut invalidates old entries.
    code = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (rag.indexing.chunking, rag.text))).hexdigest()
    shape = json.dumps({"chunking": settings.chunking.model_dump(mode="json"), "model": embedder.name,
                        "limit": chunker.limit, "code": code}, sort_keys=True)
    cache = ChunkCache(settings.embedding.cache_dir, shape)
    try:
        keys = [cache.key(d.content_hash()) for d in docs]
        found = cache.get(keys) if use_cache else {}
        out = [found.get(key) for key in keys]
        missing = [i for i, got in enumerate(out) if got is None]
        # Progress in characters still to cut (a cached document costs nothing), so the ETA holds whatever the mix
        # of long guidelines and short abstracts.
        sizes = [sum(len(sec.text) for sec in docs[i].sections) for i in missing]
        total, done = max(sum(sizes), 1), 0
        run = chunk_many or (lambda todo, _: ((j, chunker.chunk(d)) for j, d in enumerate(todo)))
        for n, (j, doc_chunks) in enumerate(run([docs[i] for i in missing], settings)):
            out[missing[j]] = doc_chunks
            cache.add(keys[missing[j]], doc_chunks)
            done += sizes[j]
            if n % 50 == 0:
                note("chunk", done, total)
        note("chunk", total, total)
    finally:
        cache.close()
    return [c for doc_chunks in out for c in doc_chunks]


# Encodes the rows still to embed, in batches: yields (rows, chunk vectors, each row's sentence vectors).
EncodeRows = Callable[[list[int], list[str], dict[int, list[tuple[int, int]]], Embedder, Settings],
                      Iterator[tuple[list[int], np.ndarray, list[np.ndarray]]]]


def embed_chunks(
    texts: list[str],
    n_tokens: list[int],
    prefixes: list[str],
    spans: list[list[tuple[int, int]]],
    starts: np.ndarray,
    sentence_out: np.ndarray,
    embedder: Embedder,
    settings: Settings,
    use_cache: bool,
    note: Progress,
    encode_rows: EncodeRows | None = None,
) -> tuple[np.ndarray, dict[str, int]]:
    """Chunk vectors (returned) and their sentence vectors (written to `sentence_out` rows starts[i]:starts[i+1]).

    Vectors are reused from the embedding cache where the exact text and sentences were embedded before; the rest
    are encoded by `encode_rows` (here in turn by default; rag.distributed.build encodes them on a Ray cluster).
    """
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    keys = [cache_key(t, s) for t, s in zip(texts, spans)]
    encoded = settings.embedding.sentence_vectors == "encoded"
    # The two kinds of sentence vector differ, so they are cached apart.
    cache = EmbeddingCache(settings.embedding.cache_dir, embedder.id + ("|sentences=encoded" if encoded else ""), embedder.dim)
    try:
        todo = []
        for start in range(0, len(keys), 4096):  # looked up in slices, so the cache never sits in RAM whole
            part = range(start, min(start + 4096, len(keys)))
            found = cache.get([keys[i] for i in part]) if use_cache else {}
            for i in part:
                hit = found.get(keys[i])
                if hit is not None and len(hit[1]) == len(spans[i]):
                    vectors[i] = hit[0]
                    sentence_out[starts[i] : starts[i + 1]] = hit[1]
                else:
                    todo.append(i)
        # Longest first: similar lengths share a batch (less padding).
        todo.sort(key=lambda i: -len(texts[i]))
        # Sentence offsets are in the chunk text; the encoder sees prefix + text.
        shifted = {r: [(a + len(prefixes[r]), b + len(prefixes[r])) for a, b in spans[r]] for r in todo}
        # Progress in word pieces, not chunks: the longest chunks come first, so a chunk count would run slow early
        # and the ETA would overshoot.
        total, done = sum(n_tokens[i] for i in todo), 0
        for rows, vecs, sents in (encode_rows or encode_here)(todo, texts, shifted, embedder, settings):
            vectors[rows] = vecs
            sents = [sv.reshape(-1, embedder.dim).astype(np.float16) for sv in sents]
            for r, sv in zip(rows, sents):
                sentence_out[starts[r] : starts[r + 1]] = sv
            cache.put([keys[r] for r in rows], vecs, sents)
            done += sum(n_tokens[r] for r in rows)
            note("embed", done, total)
    finally:
        cache.close()
    return vectors, {"reused": len(texts) - len(todo), "embedded": len(todo)}


def encode_here(todo: list[int], texts: list[str], shifted: dict[int, list[tuple[int, int]]], embedder: Embedder,
                settings: Settings) -> Iterator[tuple[list[int], np.ndarray, list[np.ndarray]]]:
    """Encode rows `todo` in this process, in steps (so progress moves)."""
    step = max(256, settings.embedding.batch_size * 8)
    for start in range(0, len(todo), step):
        rows = todo[start : start + step]
        vecs, sents = encode_batch([texts[r] for r in rows], [shifted[r] for r in rows], embedder, settings)
        yield rows, vecs, sents


def encode_batch(texts: list[str], spans: list[list[tuple[int, int]]], embedder: Embedder, settings: Settings
                 ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Chunk vectors and each chunk's sentence vectors (spans are offsets in the texts as encoded)."""
    if settings.embedding.sentence_vectors == "encoded":  # each sentence on its own, as answers would encode it
        vecs = embedder.encode_documents(texts)
        flat = embedder.encode_documents([t[a:b] for t, sp in zip(texts, spans) for a, b in sp])
        cuts = np.cumsum([0] + [len(sp) for sp in spans])
        return vecs, [flat[cuts[i] : cuts[i + 1]] for i in range(len(texts))]
    return embedder.encode_documents_with_spans(texts, spans)
