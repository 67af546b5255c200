"""Writing an index as shards: runs of whole documents, each a complete index folder (shard-000/, shard-001/...)
with its own manifest, under a top-level manifest that lists them (Manifest.shards) with the model, fingerprint
and counts of the whole. Rows keep the order one folder would give them, shard after shard, so a sharded index
ranks exactly as the same index in one folder does (rag.indexing.sharded)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.indexing.folder import (
    Prepared,
    Progress,
    folder_manifest,
    sentence_starts,
    write_folder,
)
from rag.indexing.layout import MANIFEST
from rag.indexing.manifest import ShardEntry, corpus_fingerprint
from rag.types import Document

Run = Callable[[Callable[..., Any], list[tuple]], list[Any]]  # runs fn over argument tuples (here, or as Ray tasks)


def shard_folder(i: int) -> str:
    return f"shard-{i:03d}"


def shard_cuts(doc_chunks: Sequence[int], n: int) -> list[int]:
    """Document indices where shards start and end (n + 1 of them): whole documents, about equal chunk counts."""
    total = np.cumsum(doc_chunks)
    cuts = [0]
    for i in range(1, n):
        cut = int(np.searchsorted(total, total[-1] * i / n)) + 1  # first document of shard i
        cuts.append(min(max(cut, cuts[-1] + 1), len(doc_chunks) - (n - i)))  # never an empty shard
    return cuts + [len(doc_chunks)]


def _write_one(folder: Path, docs, chunks, spans, vectors, sentences, manifest_args: dict) -> ShardEntry:
    lengths, dense = write_folder(folder, docs, chunks, spans, vectors, sentences, manifest_args["settings"].index.ann)
    manifest = folder_manifest(docs=docs, chunks=chunks, n_sentences=len(sentences), lengths=lengths,
                               corpus_fp=corpus_fingerprint(docs), skipped={}, stage_seconds={}, dense=dense,
                               **manifest_args)
    (folder / MANIFEST).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    return ShardEntry(folder=folder.name, fingerprint=manifest.fingerprint, documents=len(docs), chunks=len(chunks),
                      sentences=len(sentences))


def write_shards(work: Path, docs: Sequence[Document], p: Prepared, n: int, name: str, fingerprint: str,
                 note: Progress, lap: Callable[[str], None], *, run: Run | None = None, **manifest_args) -> list[ShardEntry]:
    """Write `p` into n shard folders under `work`; `run` writes them (in turn here, as Ray tasks in a Ray build)."""
    per_doc: dict[str, int] = {}
    for c in p.chunks:
        per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
    order = list(dict.fromkeys(c.doc_id for c in p.chunks))  # documents in row order (those with chunks)
    by_id = {d.id: d for d in docs}
    doc_cuts = shard_cuts([per_doc[d] for d in order], n)
    row_cuts = np.concatenate([[0], np.cumsum([per_doc[d] for d in order])])[doc_cuts]
    starts = sentence_starts(p.spans)
    jobs = []
    for i in range(n):
        a, b = int(row_cuts[i]), int(row_cuts[i + 1])
        shard_docs = [by_id[d] for d in order[doc_cuts[i] : doc_cuts[i + 1]]]
        args = dict(manifest_args, name=f"{name}/{shard_folder(i)}",
                    fingerprint=hashlib.sha256(f"{fingerprint}/{i}/{n}".encode()).hexdigest()[:16])
        jobs.append((work / shard_folder(i), shard_docs, p.chunks[a:b], p.spans[a:b], p.vectors[a:b],
                     np.asarray(p.sentences[starts[a] : starts[b]]), args))
    note("write", 0, n)
    entries = (run or (lambda fn, argss: [fn(*a) for a in argss]))(_write_one, jobs)
    note("write", n, n)
    lap("write")
    return entries
