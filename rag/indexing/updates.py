"""Adding and removing documents of a built index in seconds: add_documents, remove_documents, list_documents.

Only the new documents are chunked and embedded, into the index's delta (rag.indexing.delta); nothing of the build
is re-embedded or rewritten. Removing is a tombstone, for added and corpus documents alike. Each change is a new
generation swapped in atomically, so a crash leaves the previous state serving, and a loaded index picks the change
up without a restart (rag.indexing.live). The next full build of the index keeps both (rag.indexing.delta.apply_updates).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from rag.indexing.bm25 import term_counts
from rag.indexing.bm25_global import store_avgdl
from rag.indexing.build import Progress, chunk_documents, embed_chunks
from rag.indexing.catalog import (
    DocumentEntry,
    build_counts,
    build_path,
    combine_manifest,
)
from rag.indexing.catalog import list_documents as _list_documents
from rag.indexing.chunking import Chunker, bm25_text, embed_prefix
from rag.indexing.delta import (
    AddedDocument,
    Delta,
    RemovedDocument,
    UpdatesManifest,
    encoder_of,
    now,
    read_updates,
    updates_lock,
    write_updates,
)
from rag.indexing.embedding import Embedder, get_embedder
from rag.indexing.errors import UnknownDocumentError, UpdateError
from rag.indexing.layout import STORE
from rag.indexing.manifest import Manifest, read_manifest
from rag.settings import Settings
from rag.text import quotable_spans
from rag.types import Chunk, Document

__all__ = ["DocumentEntry", "UpdateReport", "add_documents", "list_documents", "remove_documents"]


class UpdateReport(BaseModel):
    """What an add or a remove did."""

    index: str
    added: list[str] = Field(default_factory=list, description="Ids of documents the index did not hold before.")
    replaced: list[str] = Field(default_factory=list, description="Ids it held, now served in the version given (the "
                                "same file added again, or a new version under the same id).")
    removed: list[str] = Field(default_factory=list)
    documents: list[DocumentEntry] = Field(default_factory=list, description="The added and replaced documents.")
    chunks: int = Field(default=0, description="Passages cut from the added documents.")
    chunks_embedded: int = Field(default=0, description="Of those, encoded now (the rest were in the embedding cache, "
                                 "or the document was unchanged).")
    seconds: float
    generation: int = Field(description="The updates' generation after the change.")
    fingerprint: str = Field(description="The index's fingerprint after the change.")


def _unsharded(name: str, build: Manifest) -> Manifest:
    if build.shards:
        raise UpdateError(f"index {name!r} is sharded ({len(build.shards)} shards); adding or removing documents one by "
                          f"one is not supported on a sharded index yet: change the corpus and rebuild it")
    return build


def add_documents(name: str, docs: Sequence[Document], settings: Settings, *, embedder: Embedder | None = None,
                  progress: Progress | None = None) -> UpdateReport:
    """Add `docs` to index `name` (a document with an id the index holds replaces it). Only they are embedded."""
    started = time.perf_counter()
    docs = list(docs)
    if not docs:
        raise UpdateError("no documents to add")
    twice = sorted(i for i, n in Counter(d.id for d in docs).items() if n > 1)
    if twice:
        raise UpdateError(f"the same document id more than once in one add: {', '.join(twice)}")
    path = build_path(settings.index.dir, name)
    build = _unsharded(name, read_manifest(path))
    embedder = embedder or get_embedder(settings)
    _check_encoder(name, build, embedder, settings)
    with updates_lock(settings.index.dir, name):
        delta = _current(settings, name, build)
        if delta.size and encoder_of(delta.manifest) != encoder_of(build):
            raise UpdateError(f"index {name!r}: its added documents were embedded with {encoder_of(delta.manifest)}, "
                              f"its build with {encoder_of(build)}; rebuild it first (guideqa index build --name {name})")
        entries = {e.id: e for e in delta.manifest.added}
        removed = {r.id for r in delta.manifest.removed}
        held = build_counts(path / STORE, [d.id for d in docs])
        replaced = [d.id for d in docs if d.id in entries or (d.id in held and d.id not in removed)]
        # The same version again (same content hash, same place) needs no work.
        todo = [d for d in docs if not (d.id in entries and entries[d.id].content_hash == d.content_hash()
                                        and (entries[d.id].indexed or d.id in held))]
        if not todo:  # every document is already there in this version: nothing to cut, embed or write
            return _report(name, docs, replaced, delta, held, [], 0, started, path, build)
        chunks, vectors, sentences, spans, counts, embedded = _encode(todo, settings, embedder, progress)
        per_doc: dict[str, list[int]] = {}
        for row, c in enumerate(chunks):
            per_doc.setdefault(c.doc_id, []).append(row)
        empty = [d.id for d in todo if d.id not in per_doc]
        if empty:
            raise UpdateError(f"no passages could be cut from: {', '.join(empty)} (no sentences of text)")
        changed = {d.id for d in todo}
        new = delta.select(~delta.rows_of(sorted(changed))).append(chunks, vectors, sentences, spans, counts)
        stamp = now()
        for d in todo:
            rows = per_doc[d.id]
            entries.pop(d.id, None)  # re-added: moves to the end, like its rows
            entries[d.id] = AddedDocument(
                id=d.id, title=d.title, kind=d.kind, source=d.source, year=d.year, url=d.url, content_hash=d.content_hash(),
                chunks=len(rows), sentences=sum(len(spans[r]) for r in rows), pages=_pages(d), added_at=stamp)
        documents = {k: v for k, v in delta.documents.items() if k not in changed} | {d.id: d for d in todo}
        manifest = delta.manifest.model_copy(update={
            "added": list(entries.values()), "generation": delta.manifest.generation + 1,
            "removed": [r for r in delta.manifest.removed if r.id not in changed],  # added back: no longer removed
            "base_avgdl": _base_avgdl(delta.manifest, build, path)})
        new = new.with_manifest(manifest, documents)
        write_updates(settings.index.dir, name, new)
    return _report(name, docs, replaced, new, held, chunks, embedded, started, path, build)


def _report(name: str, docs: list[Document], replaced: list[str], new: Delta, held: dict[str, tuple[int, int]],
            chunks: list[Chunk], embedded: int, started: float, path: Path, build: Manifest) -> UpdateReport:
    by_id = {e.id: e for e in new.manifest.added}
    return UpdateReport(
        index=name, added=[d.id for d in docs if d.id not in replaced], replaced=replaced,
        documents=[_entry(by_id[d.id], held.get(d.id)) for d in docs], chunks=len(chunks), chunks_embedded=embedded,
        seconds=round(time.perf_counter() - started, 3), generation=new.manifest.generation,
        fingerprint=_fingerprint(path, build, new.manifest))


def remove_documents(name: str, doc_ids: Sequence[str], settings: Settings) -> UpdateReport:
    """Make documents of index `name` unanswerable at once: added ones leave the delta, build ones get a tombstone.
    An id the index does not hold fails the whole call (UnknownDocumentError lists them) and nothing changes."""
    started = time.perf_counter()
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        raise UpdateError("no document ids to remove")
    path = build_path(settings.index.dir, name)
    build = _unsharded(name, read_manifest(path))
    with updates_lock(settings.index.dir, name):
        delta = _current(settings, name, build)
        removed = {r.id for r in delta.manifest.removed}
        held = build_counts(path / STORE, ids)
        unknown = [i for i in ids if i not in delta.documents and (i not in held or i in removed)]
        if unknown:
            raise UnknownDocumentError(
                f"index {name!r} holds no document {', '.join(map(repr, unknown))}; nothing was removed "
                f"(guideqa corpus list --index {name} lists its documents)", unknown)
        stamp = now()
        tombstones = [*delta.manifest.removed, *(RemovedDocument(id=i, removed_at=stamp) for i in ids
                                                 if i in held and i not in removed)]
        manifest = delta.manifest.model_copy(update={
            "added": [e for e in delta.manifest.added if e.id not in ids], "removed": tombstones,
            "generation": delta.manifest.generation + 1})
        documents = {k: v for k, v in delta.documents.items() if k not in ids}
        new = delta.select(~delta.rows_of(ids)).with_manifest(manifest, documents)
        write_updates(settings.index.dir, name, new)
    return UpdateReport(index=name, removed=ids, seconds=round(time.perf_counter() - started, 3),
                        generation=new.manifest.generation, fingerprint=_fingerprint(path, build, new.manifest))


def list_documents(name: str, settings: Settings) -> list[DocumentEntry]:
    """Every document index `name` answers from, its build's and the added ones (added_by_user)."""
    return _list_documents(settings.index.dir, name)


def _encode(docs: list[Document], settings: Settings, embedder: Embedder, progress: Progress | None):
    """Chunks of `docs`, their vectors, sentence vectors (flat, in chunk order), sentence spans, BM25 term counts, and
    how many chunks were encoded rather than found in the embedding cache."""
    note = progress or (lambda stage, done, total: None)
    chunker = Chunker(settings, embedder.count_tokens_batch, embedder.max_tokens)
    use_cache = settings.embedding.cache
    chunks: list[Chunk] = chunk_documents(docs, chunker, embedder, settings, use_cache, note) if docs else []
    titles = {d.id: d.title for d in docs}
    prefixes = [embed_prefix(titles[c.doc_id], c.section, settings.chunking.prefix) for c in chunks]
    spans = [quotable_spans(c.text) for c in chunks]
    starts = np.concatenate([[0], np.cumsum([len(s) for s in spans], dtype=np.int64)]).astype(np.int64)
    sentences = np.zeros((int(starts[-1]), embedder.dim), dtype=np.float16)
    if not chunks:
        return [], np.zeros((0, embedder.dim), np.float32), sentences, [], [], 0
    vectors, stats = embed_chunks([p + c.text for p, c in zip(prefixes, chunks)], [c.n_tokens for c in chunks], prefixes,
                                  spans, starts, sentences, embedder, settings, use_cache, note)
    counts = term_counts([bm25_text(c, titles[c.doc_id]) for c in chunks])
    return chunks, vectors, sentences, spans, counts, stats["embedded"]


def _check_encoder(name: str, build: Manifest, embedder: Embedder, settings: Settings) -> None:
    """Added rows must be comparable with the build's: same model, backend and kind of sentence vector."""
    ours = (settings.embedding.model, embedder.backend, embedder.dim, settings.embedding.sentence_vectors)
    theirs = (build.model, build.backend, build.dimensions, build.sentence_vectors)
    if ours != theirs:
        raise UpdateError(f"index {name!r} was built with (model, backend, dimensions, sentence vectors) {theirs}, but "
                          f"the settings give {ours}; add with the index's settings, or rebuild it with these")


def _current(settings: Settings, name: str, build: Manifest) -> Delta:
    """Index `name`'s updates as they stand (call under the lock); an empty delta follows the build's encoder."""
    delta = read_updates(settings.index.dir, name)
    if delta is None:
        return Delta.empty(UpdatesManifest(name=name, **encoder_of(build)))
    return delta.following(encoder_of(build))


def _base_avgdl(updates: UpdatesManifest, build: Manifest, path: Path) -> dict[str, float]:
    """Record a pre-format-3 build's BM25 mean passage length once, so loading never has to measure it."""
    if build.bm25.get("avgdl") or build.fingerprint in updates.base_avgdl:
        return updates.base_avgdl
    return {build.fingerprint: round(store_avgdl(path / STORE), 4)}  # only the current build's is worth keeping


def _pages(doc: Document) -> int | None:
    return max((n for s in doc.sections for _, n in s.page_starts), default=None)


def _entry(e: AddedDocument, held: tuple[int, int] | None) -> DocumentEntry:
    chunks = e.chunks if e.indexed or held is None else held[0]
    return DocumentEntry.of_added(e, chunks)


def _fingerprint(path: Path, build: Manifest, updates: UpdatesManifest) -> str:
    ids = [r.id for r in updates.removed] + updates.indexed_ids()
    return combine_manifest(build, updates, build_counts(path / STORE, ids)).fingerprint
