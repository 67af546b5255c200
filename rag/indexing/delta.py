"""An index's updates: the documents added and removed since its build, in memory and on disk.

Added documents' rows (chunks, vectors, sentence vectors, BM25 term counts) form a small delta beside the build;
removed ids are tombstones. Each change writes a whole new generation folder and swaps indexes/.updates/<name> to
it with os.replace, so a reader sees the old generation or the new one, never half of one. Writers hold a lock;
a writer killed midway leaves a .partial folder that nothing reads and the next writer removes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rag.indexing.build_folders import BUILD_NAME, swap_link
from rag.indexing.errors import GuideIndexError, UpdateError
from rag.indexing.layout import UPDATES
from rag.types import Chunk, Document, Kind

FORMAT = 1
MANIFEST, DOCUMENTS, CHUNKS = "updates.json", "documents.jsonl", "chunks.jsonl"
VECTORS, SENTENCES, ARRAYS, TERMS = "vectors.npy", "sentences.npy", "arrays.npz", "terms.json"
LOCK_TIMEOUT_S = 120.0


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class DocumentCard(BaseModel):
    """What names a document in a listing: shared by the updates manifest and `guideqa corpus list`."""

    id: str
    title: str
    kind: Kind
    source: str
    year: int | None = None
    url: str | None = None


class AddedDocument(DocumentCard):
    model_config = ConfigDict(extra="forbid")
    content_hash: str
    chunks: int
    sentences: int
    pages: int | None = Field(default=None, description="Pages of a paged source (PDF); None without pages.")
    added_at: str
    indexed: bool = Field(default=True, description="Its rows are in the delta; False once a build holds this very version.")


class RemovedDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    removed_at: str


class UpdatesManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int = FORMAT
    name: str
    generation: int = 0
    model: str
    backend: str
    dimensions: int
    sentence_vectors: str
    added: list[AddedDocument] = Field(default_factory=list, description="Every added document, oldest first.")
    removed: list[RemovedDocument] = Field(default_factory=list, description="Build documents removed (tombstones).")
    chunks: int = 0
    sentences: int = 0
    base_avgdl: dict[str, float] = Field(default_factory=dict, description="Build fingerprint -> BM25 mean passage "
                                         "length, for builds made before it was recorded in their manifest.")
    updated_at: str = Field(default_factory=now)

    def indexed_ids(self) -> list[str]:
        return [e.id for e in self.added if e.indexed]


@dataclass(frozen=True)
class Delta:
    """The rows of added documents that the build does not hold (row i = delta row i), all in memory."""

    manifest: UpdatesManifest
    documents: dict[str, Document]  # every added document (documents.jsonl), indexed or not
    chunks: list[Chunk]
    vectors: np.ndarray  # (rows, dim) float32, normalised
    sentences: np.ndarray  # (sentences, dim) float16
    sentence_starts: np.ndarray  # (rows + 1,) int64: row i's sentences are sentence_starts[i]:sentence_starts[i+1]
    spans: np.ndarray  # (sentences, 2) int32: (start, end) in the chunk text
    terms: list[str]  # BM25 words; postings' term ids index this
    postings: np.ndarray  # (n, 2) int32 (term id, row), sorted by term then row
    tf: np.ndarray  # (n,) float32 term frequency of each posting
    lengths: np.ndarray  # (rows,) float32 BM25 tokens per row

    @classmethod
    def empty(cls, manifest: UpdatesManifest) -> Delta:
        dim = manifest.dimensions
        return cls(manifest, {}, [], np.zeros((0, dim), np.float32), np.zeros((0, dim), np.float16), np.zeros(1, np.int64),
                   np.zeros((0, 2), np.int32), [], np.zeros((0, 2), np.int32), np.zeros(0, np.float32), np.zeros(0, np.float32))

    @property
    def size(self) -> int:
        return len(self.chunks)

    def rows_of(self, doc_ids: Sequence[str]) -> np.ndarray:
        wanted = set(doc_ids)
        return np.array([c.doc_id in wanted for c in self.chunks], dtype=bool)

    def select(self, keep: np.ndarray) -> Delta:
        """Only the rows where `keep` is True (the documents and manifest are left as they are)."""
        keep = np.asarray(keep, dtype=bool)
        rows = np.flatnonzero(keep)
        counts = np.diff(self.sentence_starts)[rows]
        sent_rows = np.concatenate([np.arange(self.sentence_starts[r], self.sentence_starts[r + 1]) for r in rows]) \
            if len(rows) else np.zeros(0, np.int64)
        new_row = np.cumsum(keep) - 1
        hit = keep[self.postings[:, 1]] if len(self.postings) else np.zeros(0, bool)
        postings = self.postings[hit].copy()
        postings[:, 1] = new_row[postings[:, 1]]
        return dataclasses.replace(
            self, chunks=[self.chunks[r] for r in rows], vectors=self.vectors[rows], sentences=self.sentences[sent_rows],
            sentence_starts=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), spans=self.spans[sent_rows],
            postings=postings, tf=self.tf[hit], lengths=self.lengths[rows])

    def append(self, chunks: Sequence[Chunk], vectors: np.ndarray, sentences: np.ndarray,
               spans: Sequence[Sequence[tuple[int, int]]], counts: Sequence[Mapping[str, int]]) -> Delta:
        """These rows added after the existing ones: `sentences` holds every new row's sentence vectors in order."""
        base = self.size
        vocab = {t: i for i, t in enumerate(self.terms)}
        terms = list(self.terms)
        new_postings, new_tf = [], []
        for row, row_counts in enumerate(counts):
            for word, n in row_counts.items():
                if word not in vocab:
                    vocab[word] = len(terms)
                    terms.append(word)
                new_postings.append((vocab[word], base + row))
                new_tf.append(n)
        postings = np.concatenate([self.postings, np.asarray(new_postings, np.int32).reshape(-1, 2)])
        tf = np.concatenate([self.tf, np.asarray(new_tf, np.float32)])
        order = np.lexsort((postings[:, 1], postings[:, 0]))
        n_sent = [len(s) for s in spans]
        flat = np.asarray([ab for s in spans for ab in s], np.int32).reshape(-1, 2)
        return dataclasses.replace(
            self, chunks=[*self.chunks, *chunks], vectors=np.concatenate([self.vectors, np.asarray(vectors, np.float32)]),
            sentences=np.concatenate([self.sentences, np.asarray(sentences, np.float16).reshape(-1, self.vectors.shape[1])]),
            sentence_starts=np.concatenate([self.sentence_starts, self.sentence_starts[-1] + np.cumsum(n_sent, dtype=np.int64)]),
            spans=np.concatenate([self.spans, flat]), terms=terms, postings=postings[order], tf=tf[order],
            lengths=np.concatenate([self.lengths, np.asarray([sum(c.values()) for c in counts], np.float32)]))

    def following(self, encoder: Mapping[str, object]) -> Delta:
        """Itself; or, holding no rows, an empty delta for `encoder` (a build's), keeping its documents and lists."""
        if self.size:
            return self
        return dataclasses.replace(Delta.empty(self.manifest.model_copy(update=dict(encoder))), documents=self.documents)

    def with_manifest(self, manifest: UpdatesManifest, documents: dict[str, Document]) -> Delta:
        manifest = manifest.model_copy(update={"chunks": self.size, "sentences": int(self.sentence_starts[-1]),
                                               "updated_at": now()})
        return dataclasses.replace(self, manifest=manifest, documents=documents)


# -- on disk ------------------------------------------------------------------------------------------------------

def updates_root(index_dir: Path) -> Path:
    return Path(index_dir) / UPDATES


def updates_folder(index_dir: Path, name: str) -> Path | None:
    """The generation folder index `name`'s updates link points at; None when it has no updates."""
    link = updates_root(index_dir) / name
    return link.resolve() if link.is_symlink() else None


def read_updates_manifest(index_dir: Path, name: str) -> UpdatesManifest | None:
    folder = updates_folder(index_dir, name)
    if folder is None:
        return None
    try:
        return UpdatesManifest.model_validate_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _corrupt(index_dir, name, exc) from exc


def read_added_documents(folder: Path) -> dict[str, Document]:
    with open(folder / DOCUMENTS, encoding="utf-8") as f:
        docs = (Document.model_validate_json(line) for line in f if line.strip())
        return {d.id: d for d in docs}


def read_updates(index_dir: Path, name: str) -> Delta | None:
    """Index `name`'s updates, loaded whole into memory (nothing is read from the folder afterwards, so a writer may
    remove it once it is superseded); None when it has none."""
    folder = updates_folder(index_dir, name)
    if folder is None:
        return None
    try:
        manifest = UpdatesManifest.model_validate_json((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.format_version != FORMAT:
            raise ValueError(f"format {manifest.format_version}, this guideqa reads {FORMAT}")
        with open(folder / CHUNKS, encoding="utf-8") as f:
            chunks = [Chunk.model_validate_json(line) for line in f if line.strip()]
        arrays = np.load(folder / ARRAYS, allow_pickle=False)
        delta = Delta(manifest, read_added_documents(folder), chunks, np.load(folder / VECTORS, allow_pickle=False),
                      np.load(folder / SENTENCES, allow_pickle=False), arrays["sentence_starts"], arrays["spans"],
                      json.loads((folder / TERMS).read_text(encoding="utf-8")), arrays["postings"], arrays["tf"],
                      arrays["lengths"])
    except (OSError, ValueError, KeyError) as exc:
        raise _corrupt(index_dir, name, exc) from exc
    n, dim = manifest.chunks, manifest.dimensions
    if (delta.vectors.shape != (n, dim) or delta.sentences.shape != (manifest.sentences, dim) or len(chunks) != n
            or int(delta.sentence_starts[-1]) != manifest.sentences or len(delta.lengths) != n):
        raise _corrupt(index_dir, name, ValueError("its files disagree with updates.json"))
    return delta


def _corrupt(index_dir: Path, name: str, exc: Exception) -> GuideIndexError:
    return GuideIndexError(f"index {name!r}: its updates in {updates_root(index_dir) / name} are unreadable ({exc}); move "
                           "that link away to serve the build alone, then add the documents again")


def write_updates(index_dir: Path, name: str, delta: Delta) -> Path:
    """Write `delta` as the next generation and swap it in. Call under `updates_lock`."""
    root = updates_root(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%f") + f"-{os.getpid()}"
    work = root / f"{name}-{stamp}.partial"
    work.mkdir()
    try:
        _write_files(work, delta)
        final = root / f"{name}-{stamp}"
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    swap_link(root / name, final)
    _clean(root, name)
    return final


def _write_files(folder: Path, delta: Delta) -> None:
    with open(folder / DOCUMENTS, "w", encoding="utf-8") as f:
        f.writelines(d.model_dump_json() + "\n" for d in delta.documents.values())
    with open(folder / CHUNKS, "w", encoding="utf-8") as f:
        f.writelines(c.model_dump_json() + "\n" for c in delta.chunks)
    np.save(folder / VECTORS, np.ascontiguousarray(delta.vectors, np.float32), allow_pickle=False)
    np.save(folder / SENTENCES, np.ascontiguousarray(delta.sentences, np.float16), allow_pickle=False)
    np.savez(folder / ARRAYS, sentence_starts=delta.sentence_starts, spans=delta.spans, postings=delta.postings,
             tf=delta.tf, lengths=delta.lengths)
    (folder / TERMS).write_text(json.dumps(delta.terms, ensure_ascii=False), encoding="utf-8")
    # The manifest last: a folder without one is not a generation.
    (folder / MANIFEST).write_text(delta.manifest.model_dump_json(indent=2), encoding="utf-8")


def _clean(root: Path, name: str) -> None:
    """Remove every generation folder of `name` but the current one: superseded ones, and .partial ones a killed
    writer left. Only writers call this, under the lock, so no other writer is filling any of them."""
    current = (root / name).resolve()
    for folder in root.iterdir():
        m = BUILD_NAME.match(folder.name)
        if m and m["name"] == name and folder.is_dir() and not folder.is_symlink() and folder.resolve() != current:
            shutil.rmtree(folder, ignore_errors=True)


def remove_updates(index_dir: Path, name: str) -> list[Path]:
    """Delete index `name`'s updates: the link, then every generation folder (for `guideqa index remove`)."""
    root = updates_root(index_dir)
    link = root / name
    removed = []
    if link.is_symlink():
        link.unlink()
        removed.append(link)
    if root.is_dir():
        for folder in root.iterdir():
            m = BUILD_NAME.match(folder.name)
            if m and m["name"] == name and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


@contextlib.contextmanager
def updates_lock(index_dir: Path, name: str, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """One writer of index `name`'s updates at a time, across threads and processes (readers never wait)."""
    root = updates_root(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f".{name}.lock"
    with open(path, "a+") as f:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise UpdateError(f"another update of index {name!r} has held {path} for {timeout_s:.0f} s; "
                                      "try again when it ends") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# -- what a build does with them ------------------------------------------------------------------------------------

def apply_updates(docs: Sequence[Document], index_dir: Path, name: str) -> list[Document]:
    """The documents a build of `name` indexes: `docs` without the removed ones, with the added ones (an added document
    replaces a corpus document of the same id). So a rebuild keeps what was added and removed, and reproduces it."""
    manifest = read_updates_manifest(index_dir, name)
    if manifest is None:
        return list(docs)
    folder = updates_folder(index_dir, name)
    try:
        added = read_added_documents(folder)
    except (OSError, ValueError) as exc:
        raise _corrupt(index_dir, name, exc) from exc
    removed = {r.id for r in manifest.removed}
    return [d for d in docs if d.id not in removed and d.id not in added] + list(added.values())


def compact_updates(index_dir: Path, name: str, built: Mapping[str, Document], encoder: Mapping[str, object]) -> bool:
    """After a build of `name`: drop from the delta the rows of added documents the build now holds in the same
    version (they stay listed as added, and in documents.jsonl for the next build). `encoder` is the build's model,
    backend, dimensions and sentence_vectors: an emptied delta takes them, so a build with another encoder can carry
    on. Returns whether anything changed."""
    if updates_folder(index_dir, name) is None:
        return False
    with updates_lock(index_dir, name):
        delta = read_updates(index_dir, name)
        if delta is None:
            return False
        folded = [e.id for e in delta.manifest.added
                  if e.indexed and e.id in built and built[e.id].content_hash() == e.content_hash]
        if not folded:
            return False
        added = [e.model_copy(update={"indexed": False}) if e.id in folded else e for e in delta.manifest.added]
        manifest = delta.manifest.model_copy(update={"added": added, "generation": delta.manifest.generation + 1})
        kept = dataclasses.replace(delta.select(~delta.rows_of(folded)), manifest=manifest).following(encoder)
        write_updates(index_dir, name, kept.with_manifest(kept.manifest, delta.documents))
        return True


def encoder_of(manifest) -> dict[str, object]:
    """What rows must share to be searched together (from an index manifest or an UpdatesManifest)."""
    return {k: getattr(manifest, k) for k in ("model", "backend", "dimensions", "sentence_vectors")}
