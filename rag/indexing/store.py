"""An index folder's chunk store (SQLite) and the loaded index: opening a folder, checking it, and reading chunks."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from rag.indexing.bm25 import read_bm25
from rag.indexing.dense import read_dense
from rag.indexing.embedding import resolve_backend
from rag.indexing.errors import GuideIndexError
from rag.indexing.layout import BM25_DIR, DENSE, READABLE_FORMATS, SENTENCES, STORE
from rag.indexing.manifest import Manifest, read_manifest
from rag.settings import Settings
from rag.types import KINDS, Chunk, DocSection, Document, IndexInfo

SCHEMA = """
CREATE TABLE documents (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL,
  year INTEGER, url TEXT, identifiers TEXT NOT NULL, license TEXT NOT NULL, sections TEXT NOT NULL
);
CREATE TABLE chunks (
  row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL REFERENCES documents(id),
  kind TEXT NOT NULL, section_index INTEGER NOT NULL, section TEXT NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, n_tokens INTEGER NOT NULL,
  page INTEGER
);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE TABLE sentences (
  row INTEGER PRIMARY KEY, chunk_row INTEGER NOT NULL REFERENCES chunks(row), start INTEGER NOT NULL, "end" INTEGER NOT NULL
);
CREATE INDEX sentences_chunk ON sentences(chunk_row);
"""


def write_store(path: Path, docs: Sequence[Document], chunks: Sequence[Chunk], spans: Sequence[Sequence[tuple[int, int]]]) -> None:
    """Write documents, chunks (row = FAISS row) and each chunk's quotable sentence offsets to a new store."""
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (d.id, d.kind, d.title, d.source, d.year, d.url, json.dumps(d.identifiers), d.license,
                 json.dumps([s.title for s in d.sections]))
                for d in docs
            ],
        )
        con.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (row, c.id, c.doc_id, c.kind, c.section_index, c.section, c.start, c.end, c.text, c.n_tokens, c.page)
                for row, c in enumerate(chunks)
            ],
        )
        # Sentence rows follow chunk order, matching the rows of sentences.npy.
        con.executemany(
            "INSERT INTO sentences VALUES (?,?,?,?)",
            ((i, row, a, b) for i, (row, a, b) in enumerate((row, a, b) for row, s in enumerate(spans) for a, b in s)),
        )
        con.commit()
    finally:
        con.close()


class Index:
    """A loaded index: FAISS + BM25 + chunk store, with per-chunk filter columns in memory."""

    def __init__(self, path: Path, manifest: Manifest, dense, bm25, store: Path, sentences: np.ndarray | None):
        self.path = path
        self.sentences = sentences  # memory-mapped float16: only the rows answers touch are read
        self.manifest = manifest
        self.dense = dense
        self.bm25 = bm25
        self.store_path = store
        self._local = threading.local()
        con = self._con()
        # Per-chunk filter columns as small numpy arrays (not Python lists): they stay in RAM for every query.
        n = manifest.chunks
        self.kind_codes = np.full(n, -1, dtype=np.int8)
        self.years = np.full(n, -1, dtype=np.int32)
        self.source_codes = np.zeros(n, dtype=np.int32)
        self.doc_codes = np.zeros(n, dtype=np.int32)
        sources: dict[str, int] = {}
        docs: dict[str, int] = {}
        seen = 0
        for row, kind, year, source, doc_id in con.execute(
            "SELECT c.row, c.kind, d.year, d.source, c.doc_id FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.row"
        ):
            if row != seen or row >= n:
                raise GuideIndexError(f"{store} does not hold the {n} chunks the manifest lists: index is corrupt; rebuild it")
            self.kind_codes[row] = KINDS.index(kind)
            self.years[row] = year if year is not None else -1
            self.source_codes[row] = sources.setdefault(source, len(sources))
            self.doc_codes[row] = docs.setdefault(doc_id, len(docs))
            seen += 1
        if seen != n:
            raise GuideIndexError(f"{store} holds {seen} chunks, manifest says {n}: index is corrupt; rebuild it")
        # Filters look sources up by sorted name; re-code so code i is source_names[i].
        self.source_names = sorted(sources)
        order = np.array([self.source_names.index(name) for name in sources], dtype=np.int32)
        self.source_codes = order[self.source_codes] if len(order) else self.source_codes
        self.doc_ids = list(docs)
        self.document_ids = frozenset(docs)
        # Stores before format 3 have no page column: their chunks read page None.
        self._page = "page" if any(r[1] == "page" for r in con.execute("PRAGMA table_info(chunks)")) else "NULL"

    def doc_of(self, row: int) -> str:
        return self.doc_ids[self.doc_codes[row]]

    live_mask: np.ndarray | None = None  # every row of a build is live; an IndexView masks removed documents

    @property
    def term_stats(self):
        """Document frequencies as rag.answering.rank.Idf reads them: the bm25s index itself."""
        return self.bm25

    def dense_search(self, vector: np.ndarray, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """The `depth` rows nearest `vector` (inner product) among those `mask` allows, best first."""
        return self.dense.search(vector, depth, mask)

    def bm25_scores(self, words: Sequence[str]) -> np.ndarray | None:
        """BM25 score of every row for these query words; None when the index holds none of them."""
        ids = self.bm25.get_tokens_ids(list(words))
        return self.bm25.get_scores_from_ids(ids) if ids else None

    def bm25_avgdl(self) -> float | None:
        """Mean BM25 passage length, when the build recorded it (format 3 on)."""
        value = self.manifest.bm25.get("avgdl")
        return float(value) if value else None

    @property
    def info(self) -> IndexInfo:
        return IndexInfo(name=self.manifest.name, fingerprint=self.manifest.fingerprint)

    @property
    def size(self) -> int:
        return self.manifest.chunks

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.store_path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {
            r[0]: Chunk(id=r[1], doc_id=r[2], kind=r[3], section_index=r[4], section=r[5], start=r[6], end=r[7], text=r[8],
                        n_tokens=r[9], page=r[10])
            for r in self._con().execute(f'SELECT row, id, doc_id, kind, section_index, section, start, "end", text, n_tokens, '
                                         f'{self._page} FROM chunks WHERE row IN ({marks})', list(map(int, rows)))
        }
        return [found[int(r)] for r in rows]

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, dict[tuple[int, int], np.ndarray]]:
        """Stored vectors of the chunks' quotable sentences, by chunk id and (start, end) in the chunk text."""
        if not chunk_ids or self.sentences is None:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._con().execute(
            f'SELECT c.id, s.row, s.start, s."end" FROM sentences s JOIN chunks c ON c.row = s.chunk_row '
            f"WHERE c.id IN ({marks}) ORDER BY s.row", list(chunk_ids)
        ).fetchall()
        if not rows:
            return {}
        matrix = np.asarray(self.sentences[[r[1] for r in rows]], dtype=np.float32)
        out: dict[str, dict[tuple[int, int], np.ndarray]] = {}
        for (chunk_id, _, a, b), vec in zip(rows, matrix):
            out.setdefault(chunk_id, {})[(a, b)] = vec
        return out

    def titles(self, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self._con().execute(f"SELECT id, title FROM documents WHERE id IN ({marks})", ids).fetchall())

    def doc_rows(self, doc_id: str) -> list[int]:
        return [r[0] for r in self._con().execute("SELECT row FROM chunks WHERE doc_id = ? ORDER BY row", (doc_id,))]

    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        row = self._con().execute("SELECT row FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        return self.chunks([row[0]])[0] if row else None

    def document(self, doc_id: str) -> Document | None:
        """Document metadata with the indexed chunks as its sections' text (for reference display)."""
        r = self._con().execute(
            "SELECT id, kind, title, source, year, url, identifiers, license, sections FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if r is None:
            return None
        titles = json.loads(r[8])
        texts: dict[int, list[str]] = {}
        for idx, text in self._con().execute("SELECT section_index, text FROM chunks WHERE doc_id = ? ORDER BY row", (doc_id,)):
            texts.setdefault(idx, []).append(text)
        sections = [DocSection(title=titles[i], text=" ".join(texts[i])) for i in sorted(texts)]
        return Document(id=r[0], kind=r[1], title=r[2], source=r[3], year=r[4], url=r[5],
                        identifiers=json.loads(r[6]), license=r[7], sections=sections)

    def documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        out = {}
        for doc_id in dict.fromkeys(doc_ids):
            doc = self.document(doc_id)
            if doc is not None:
                out[doc_id] = doc
        return out


def index_folder(settings: Settings, name: str | None = None) -> tuple[Path, Manifest]:
    """The folder index `name` points at, and its manifest."""
    name = name or settings.index.name
    path = settings.index.dir / name
    if not path.exists():
        raise GuideIndexError(f"no index named {name!r} in {settings.index.dir}; build it with: guideqa index build --name {name}")
    path = path.resolve()
    return path, read_manifest(path)


def load_index(settings: Settings, name: str | None = None) -> Index:
    """Open indexes/<name>, an index in one folder (rag.indexing.view.open_index opens sharded ones too)."""
    name = name or settings.index.name
    path, manifest = index_folder(settings, name)
    if manifest.shards:
        raise GuideIndexError(f"index {name!r} is sharded ({len(manifest.shards)} shards): open it with open_index")
    return load_folder(settings, path, name, manifest=manifest)


def load_folder(settings: Settings, path: Path, name: str, *, manifest: Manifest | None = None, dense: bool = True) -> Index:
    """Open an index folder, checking it is complete and was built with the configured model. `dense=False` leaves
    the vectors on disk (a shard searched elsewhere)."""
    manifest = manifest or read_manifest(path)
    if manifest.format_version not in READABLE_FORMATS:
        raise GuideIndexError(f"index {name!r} has format {manifest.format_version}, this guideqa reads {READABLE_FORMATS}; rebuild it")
    if manifest.model != settings.embedding.model:
        raise GuideIndexError(
            f"index {name!r} was built with model {manifest.model!r} but the configured model is "
            f"{settings.embedding.model!r}; rebuild the index or set GUIDEQA_EMBEDDING__MODEL={manifest.model}"
        )
    if manifest.backend != resolve_backend(settings.embedding.backend):
        raise GuideIndexError(
            f"index {name!r} was built with the {manifest.backend!r} encoder backend but "
            f"{resolve_backend(settings.embedding.backend)!r} is configured; rebuild the index or set "
            f"GUIDEQA_EMBEDDING__BACKEND={manifest.backend}"
        )
    parts = (DENSE, BM25_DIR, STORE) + ((SENTENCES,) if manifest.format_version >= 2 else ())
    for part in parts:
        if not (path / part).exists():
            raise GuideIndexError(f"index {name!r} is incomplete: {part} is missing; rebuild it")
    dense = read_dense(path, manifest.dense, settings.index.ann, name, mmap=not dense)
    if dense.d != manifest.dimensions or dense.ntotal != manifest.chunks:
        raise GuideIndexError(
            f"index {name!r}: FAISS holds {dense.ntotal} vectors of {dense.d} dims, manifest says "
            f"{manifest.chunks} of {manifest.dimensions}; rebuild it"
        )
    try:
        bm25 = read_bm25(path / BM25_DIR)
    except Exception as exc:
        raise GuideIndexError(f"index {name!r}: BM25 index is corrupt ({exc}); rebuild it") from exc
    n_bm25 = int(bm25.scores.get("num_docs", manifest.chunks))
    if n_bm25 != manifest.chunks:
        raise GuideIndexError(f"index {name!r}: BM25 holds {n_bm25} passages, manifest says {manifest.chunks}; rebuild it")
    sentences = None
    if manifest.format_version >= 2:
        try:
            sentences = np.load(path / SENTENCES, mmap_mode="r", allow_pickle=False)
        except Exception as exc:
            raise GuideIndexError(f"index {name!r}: {SENTENCES} is corrupt ({exc}); rebuild it") from exc
    if sentences is not None and sentences.shape != (manifest.sentences, manifest.dimensions):
        raise GuideIndexError(
            f"index {name!r}: {SENTENCES} holds {sentences.shape}, manifest says ({manifest.sentences}, "
            f"{manifest.dimensions}); rebuild it"
        )
    try:
        return Index(path, manifest, dense, bm25, path / STORE, sentences)
    except sqlite3.DatabaseError as exc:
        raise GuideIndexError(f"index {name!r}: chunk store is corrupt ({exc}); rebuild it") from exc
