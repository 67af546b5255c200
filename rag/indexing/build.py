"""Building an index folder: chunk every document, embed (reusing cached vectors), write FAISS, BM25 and the
store, then swap the index name's link to the new folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import rag.indexing.chunking
import rag.text
from rag.indexing.bm25 import bm25_config, write_bm25
from rag.indexing.build_cache import ChunkCache, EmbeddingCache, cache_key
from rag.indexing.build_folders import BUILDS, clean_stale, swap_link
from rag.indexing.chunking import Chunker, embed_prefix
from rag.indexing.delta import apply_updates, compact_updates, encoder_of
from rag.indexing.embedding import Embedder, get_embedder, resolve_backend
from rag.indexing.errors import GuideIndexError
from rag.indexing.layout import BM25_DIR, DENSE, MANIFEST, SENTENCES, STORE
from rag.indexing.manifest import (
    Manifest,
    SourceCount,
    corpus_fingerprint,
    index_fingerprint,
    read_manifest,
    source_of,
)
from rag.indexing.store import write_store
from rag.settings import Settings
from rag.text import quotable_spans
from rag.types import Chunk, Document
from rag.versions import INDEX_PACKAGES, package_versions

Progress = Callable[[str, int, int], None]  # (stage, done, total)


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
) -> tuple[Path, Manifest, bool]:
    """Build `name` from `docs` and swap it in. Returns (path, manifest, rebuilt?).

    `use_cache=False` embeds every chunk afresh (a cold build, for fair timing); None follows the settings.
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
    fingerprint = index_fingerprint(corpus_fp, settings, embedder.dim)
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
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%f") + f"-{os.getpid()}"
    work = builds / f"{name}-{stamp}.partial"
    work.mkdir()
    try:
        cache = settings.embedding.cache if use_cache is None else use_cache
        manifest = _write_index(work, docs, settings, name, corpus_fp, fingerprint, embedder, skipped or {}, progress, cache)
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
) -> Manifest:
    import faiss

    note = progress or (lambda stage, done, total: None)
    clock = time.perf_counter()
    stage_seconds: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stage_seconds[stage] = round(now - clock, 2)
        clock = now

    chunker = Chunker(settings, embedder.count_tokens_batch, embedder.max_tokens)
    titles = {d.id: d.title for d in docs}
    source_name = {d.id: source_of(d.id) for d in docs}

    chunks = chunk_documents(docs, chunker, embedder, settings, use_cache, note)
    if not chunks:
        raise GuideIndexError("the documents produced no chunks")
    prefixes = [embed_prefix(titles[c.doc_id], c.section, settings.chunking.prefix) for c in chunks]
    texts = [p + c.text for p, c in zip(prefixes, chunks)]
    sentence_spans = [quotable_spans(c.text) for c in chunks]
    lap("chunk")

    # Sentence vectors stream straight into their file (a memory map), so they never pile up in RAM.
    starts = np.concatenate([[0], np.cumsum([len(s) for s in sentence_spans])]).astype(np.int64)
    n_sentences = int(starts[-1])
    sentence_file = np.lib.format.open_memmap(work / SENTENCES, mode="w+", dtype=np.float16, shape=(n_sentences, embedder.dim))
    vectors, cache_stats = embed_chunks(texts, [c.n_tokens for c in chunks], prefixes, sentence_spans, starts, sentence_file, embedder, settings, use_cache, note)
    sentence_file.flush()
    del sentence_file
    lap("embed")
    index = faiss.IndexFlatIP(embedder.dim)
    index.add(vectors)
    faiss.write_index(index, str(work / DENSE))
    del vectors
    lap("faiss")

    note("bm25", 0, 1)
    avgdl = write_bm25(work / BM25_DIR, chunks, titles)
    note("bm25", 1, 1)
    lap("bm25")

    write_store(work / STORE, docs, chunks, sentence_spans)
    lap("store")

    counts: dict[str, SourceCount] = {}
    for doc in docs:
        counts.setdefault(source_name[doc.id], SourceCount()).documents += 1
    for c in chunks:
        counts[source_name[c.doc_id]].chunks += 1
    for src, n in skipped.items():
        counts.setdefault(src, SourceCount()).skipped = n
    tokens = np.array([c.n_tokens for c in chunks])
    return Manifest(
        name=name,
        fingerprint=fingerprint,
        corpus_fingerprint=corpus_fp,
        model=settings.embedding.model,
        backend=embedder.backend,
        sentence_vectors=settings.embedding.sentence_vectors,
        dimensions=embedder.dim,
        model_max_tokens=embedder.max_tokens,
        chunking=settings.chunking.model_dump(mode="json") | {"effective_max_tokens": chunker.limit},
        bm25=bm25_config() | {"avgdl": round(avgdl, 4)},  # documents added later are scored with it
        sources=counts,
        documents=len(docs),
        chunks=len(chunks),
        sentences=n_sentences,
        chunk_tokens={
            "min": float(tokens.min()),
            "median": float(np.median(tokens)),
            "p95": float(np.percentile(tokens, 95)),
            "max": float(tokens.max()),
        },
        chunk_token_histogram=_histogram(tokens, chunker.limit),
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        build_seconds=0.0,
        stage_seconds=stage_seconds,
        embedding_cache=cache_stats,
        versions=package_versions(INDEX_PACKAGES),
    )


def chunk_documents(docs: Sequence[Document], chunker: Chunker, embedder: Embedder, settings: Settings,
                    use_cache: bool, note: Progress) -> list[Chunk]:
    """Every document's chunks; an unchanged document's come from the chunk cache (tokenizing is the slow part)."""
    # The chunker's own source is part of the key, so changing how chunks are cut invalidates old entries.
    code = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (rag.indexing.chunking, rag.text))).hexdigest()
    shape = json.dumps({"chunking": settings.chunking.model_dump(mode="json"), "model": embedder.name,
                        "limit": chunker.limit, "code": code}, sort_keys=True)
    cache = ChunkCache(settings.embedding.cache_dir, shape)
    try:
        keys = [cache.key(d.content_hash()) for d in docs]
        found = cache.get(keys) if use_cache else {}
        chunks: list[Chunk] = []
        # Progress in characters still to cut (a cached document costs nothing), so the ETA holds whatever the mix
        # of long guidelines and short abstracts.
        sizes = [0 if key in found else sum(len(sec.text) for sec in doc.sections) for doc, key in zip(docs, keys)]
        total, done = max(sum(sizes), 1), 0
        for i, (doc, key) in enumerate(zip(docs, keys)):
            doc_chunks = found.get(key)
            if doc_chunks is None:
                doc_chunks = chunker.chunk(doc)
                cache.add(key, doc_chunks)
            chunks.extend(doc_chunks)
            done += sizes[i]
            if i % 50 == 0 or i == len(docs) - 1:
                note("chunk", done if i < len(docs) - 1 else total, total)
    finally:
        cache.close()
    return chunks


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
) -> tuple[np.ndarray, dict[str, int]]:
    """Chunk vectors (returned) and their sentence vectors (written to `sentence_out` rows starts[i]:starts[i+1]).

    Vectors are reused from the embedding cache where the exact text and sentences were embedded before.
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
        # Longest first, in steps: similar lengths share a batch (less padding), and progress moves.
        todo.sort(key=lambda i: -len(texts[i]))
        step = max(256, settings.embedding.batch_size * 8)
        # Progress in word pieces, not chunks: the longest chunks come first, so a chunk count would run slow early
        # and the ETA would overshoot.
        pieces = np.cumsum([n_tokens[i] for i in todo]) if todo else np.zeros(1, dtype=np.int64)
        for start in range(0, len(todo), step):
            rows = todo[start : start + step]
            # Sentence offsets are in the chunk text; the encoder sees prefix + text.
            shifted = [[(a + len(prefixes[r]), b + len(prefixes[r])) for a, b in spans[r]] for r in rows]
            if encoded:  # each sentence on its own, as answers would encode it (no title prefix); nothing to pool
                vecs = embedder.encode_documents([texts[r] for r in rows])
                flat = embedder.encode_documents([texts[r][a:b] for r, sh in zip(rows, shifted) for a, b in sh])
                cuts = np.cumsum([0] + [len(sh) for sh in shifted])
                sents = [flat[cuts[i] : cuts[i + 1]] for i in range(len(rows))]
            else:
                vecs, sents = embedder.encode_documents_with_spans([texts[r] for r in rows], shifted)
            vectors[rows] = vecs
            sents = [sv.reshape(-1, embedder.dim).astype(np.float16) for sv in sents]
            for r, sv in zip(rows, sents):
                sentence_out[starts[r] : starts[r + 1]] = sv
            cache.put([keys[r] for r in rows], vecs, sents)
            note("embed", int(pieces[min(start + step, len(todo)) - 1]), int(pieces[-1]))
    finally:
        cache.close()
    return vectors, {"reused": len(texts) - len(todo), "embedded": len(todo)}


def _histogram(tokens: np.ndarray, limit: int, width: int = 32) -> dict[str, int]:
    edges = list(range(0, limit, width)) + [limit]
    counts, _ = np.histogram(tokens, bins=edges)  # the last bucket includes the limit itself
    last = len(counts) - 1
    return {f"{lo}-{hi if i == last else hi - 1}": int(n) for i, (lo, hi, n) in enumerate(zip(edges, edges[1:], counts))}
