"""What an index holds, its build plus its updates, read from the store and manifests without loading any vectors:
the combined manifest (counts and fingerprint) and the document list."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field

from rag.indexing.delta import (
    AddedDocument,
    DocumentCard,
    UpdatesManifest,
    read_updates_manifest,
)
from rag.indexing.errors import GuideIndexError
from rag.indexing.layout import STORE
from rag.indexing.manifest import Manifest, SourceCount, read_manifest, source_of


class DocumentEntry(DocumentCard):
    """One document an index answers from (`guideqa corpus list`)."""

    chunks: int = Field(description="Passages indexed.")
    pages: int | None = Field(default=None, description="Pages of a paged source (PDF), when known.")
    added_by_user: bool = Field(description="Added with `guideqa corpus add` or POST /v1/documents (not the corpus build).")
    added_at: str | None = None

    @classmethod
    def of_added(cls, e: AddedDocument, chunks: int | None = None) -> DocumentEntry:
        return cls(**e.model_dump(include=set(DocumentCard.model_fields)), chunks=e.chunks if chunks is None else chunks,
                   pages=e.pages, added_by_user=True, added_at=e.added_at)


def build_path(index_dir: Path, name: str) -> Path:
    """The build folder index `name` points at, or a GuideIndexError saying how to build it."""
    link = Path(index_dir) / name
    if not link.exists():
        raise GuideIndexError(f"no index named {name!r} in {index_dir}; build it with: guideqa index build --name {name}")
    return link.resolve()


def _connect(store: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{store}?mode=ro", uri=True)


def build_counts(store: Path, ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(chunks, sentences) of each of `ids` that the build holds (ids it does not hold are left out)."""
    ids = list(dict.fromkeys(ids))
    out: dict[str, tuple[int, int]] = {}
    con = _connect(store)
    try:
        for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            part = ids[start : start + 900]
            marks = ",".join("?" * len(part))
            held = [r[0] for r in con.execute(f"SELECT id FROM documents WHERE id IN ({marks})", part)]
            chunks = dict(con.execute(f"SELECT doc_id, COUNT(*) FROM chunks WHERE doc_id IN ({marks}) GROUP BY doc_id", part))
            try:
                sentences = dict(con.execute(f"SELECT c.doc_id, COUNT(*) FROM sentences s JOIN chunks c ON c.row = s.chunk_row "
                                             f"WHERE c.doc_id IN ({marks}) GROUP BY c.doc_id", part))
            except sqlite3.OperationalError:  # format 1: no sentences table
                sentences = {}
            out.update((i, (chunks.get(i, 0), sentences.get(i, 0))) for i in held)
    finally:
        con.close()
    return out


def masked_ids(updates: UpdatesManifest | None, in_build: Iterable[str]) -> tuple[list[str], list[str]]:
    """(removed, replaced): build documents hidden by a tombstone, and by an added document of the same id."""
    if updates is None:
        return [], []
    held = set(in_build)
    removed = [r.id for r in updates.removed if r.id in held]
    replaced = [i for i in updates.indexed_ids() if i in held]
    return removed, replaced


def updates_fingerprint(build_fingerprint: str, indexed: list[AddedDocument], removed: list[str]) -> str:
    """The index's fingerprint with its updates: the build's own when nothing is added or removed."""
    if not indexed and not removed:
        return build_fingerprint
    h = hashlib.sha256(build_fingerprint.encode())
    for e in sorted(indexed, key=lambda e: e.id):
        h.update(f"+{e.id}\0{e.content_hash}\n".encode())
    for i in sorted(removed):
        h.update(f"-{i}\n".encode())
    return h.hexdigest()[:16]


def combine_manifest(build: Manifest, updates: UpdatesManifest | None, counts: dict[str, tuple[int, int]]) -> Manifest:
    """The build's manifest with its updates folded into the counts and fingerprint; `counts` are build_counts of
    the removed and added ids."""
    if updates is None:
        return build
    removed, replaced = masked_ids(updates, counts)
    indexed = [e for e in updates.added if e.indexed]
    m = build.model_copy(deep=True)
    sources = {k: v.model_copy() for k, v in m.sources.items()}
    for doc_id in {*removed, *replaced}:
        c = sources.setdefault(source_of(doc_id), SourceCount())
        c.documents -= 1
        c.chunks -= counts[doc_id][0]
    for e in indexed:
        c = sources.setdefault(source_of(e.id), SourceCount())
        c.documents += 1
        c.chunks += e.chunks
    hidden = {*removed, *replaced}
    m.sources = sources
    m.documents = build.documents - len(hidden) + len(indexed)
    m.chunks = build.chunks - sum(counts[i][0] for i in hidden) + updates.chunks
    m.sentences = build.sentences - sum(counts[i][1] for i in hidden) + updates.sentences
    m.fingerprint = updates_fingerprint(build.fingerprint, indexed, removed)
    m.updates = {
        "generation": updates.generation, "updated_at": updates.updated_at,
        "added_documents": len(updates.added), "added_in_delta": len(indexed), "delta_chunks": updates.chunks,
        "replaced_build_documents": len(replaced), "removed_documents": len(removed),
        "build_fingerprint": build.fingerprint, "build_documents": build.documents, "build_chunks": build.chunks,
    }
    return m


def index_manifest(index_dir: Path, name: str) -> Manifest:
    """Index `name`'s manifest with its updates (what `guideqa index info` prints)."""
    path = build_path(index_dir, name)
    build = read_manifest(path)
    updates = read_updates_manifest(index_dir, name)
    if updates is None:
        return build
    ids = [r.id for r in updates.removed] + updates.indexed_ids()
    return combine_manifest(build, updates, build_counts(path / STORE, ids))


def list_documents(index_dir: Path, name: str) -> list[DocumentEntry]:
    """Every document index `name` answers from: the build's (less removed and replaced ones), then the added ones."""
    path = build_path(index_dir, name)
    manifest = read_manifest(path)  # a clear error for a broken build
    updates = read_updates_manifest(index_dir, name)
    added = {e.id: e for e in updates.added} if updates else {}
    hidden = {r.id for r in updates.removed} | set(updates.indexed_ids()) if updates else set()
    rows = []
    for store in [path / e.folder / STORE for e in manifest.shards] or [path / STORE]:  # a sharded index: in row order
        con = _connect(store)
        try:
            page = "MAX(c.page)" if any(r[1] == "page" for r in con.execute("PRAGMA table_info(chunks)")) else "NULL"
            rows += con.execute(f"SELECT d.id, d.title, d.kind, d.source, d.year, d.url, COUNT(c.row), {page} FROM "
                                "documents d LEFT JOIN chunks c ON c.doc_id = d.id GROUP BY d.id ORDER BY MIN(c.row)").fetchall()
        except sqlite3.DatabaseError as exc:
            raise GuideIndexError(f"index {name!r}: chunk store is unreadable ({exc}); rebuild it") from exc
        finally:
            con.close()
    out = [DocumentEntry(id=r[0], title=r[1], kind=r[2], source=r[3], year=r[4], url=r[5], chunks=r[6], pages=r[7],
                         added_by_user=r[0] in added, added_at=added[r[0]].added_at if r[0] in added else None)
           for r in rows if r[0] not in hidden]
    for e in added.values():
        if e.indexed:
            out.append(DocumentEntry.of_added(e))
    return out
