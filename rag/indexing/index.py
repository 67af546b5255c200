"""Build, save and load a self-describing index directory.

indexes/<name> is a symlink to indexes/.builds/<name>-<stamp>/, which holds:

  manifest.json   what built it: model, dimensions, chunking, sources and counts,
                  corpus fingerprint, build time, software versions
  dense.faiss     FAISS inner-product index over normalised vectors (row = chunk row)
  sentences.npy   float16 vectors of each chunk's quotable sentences, pooled from the chunk's own
                  forward pass, so answers score sentences without running the encoder
  bm25/           bm25s index (numpy arrays saved without pickle, JSON vocabulary)
  store.sqlite    documents and chunks (text, offsets, metadata)

A build writes a new folder and then swaps the symlink with os.replace, which
is atomic: a build killed halfway leaves the previous index serving.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rag.indexing.build_folders import BUILDS, clean_stale
from rag.indexing.chunking import Chunker, bm25_text, embed_prefix
from rag.indexing.embedding import Embedder, get_embedder, resolve_backend
from rag.settings import Settings
from rag.text import quotable_spans, stemmer
from rag.types import KINDS, Chunk, Document, IndexInfo
from rag.versions import INDEX_PACKAGES, package_versions

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: sentence vectors (sentences.npy + sentences table)
READABLE_FORMATS = (1, 2)  # format 1 has no sentence vectors: answers encode sentences at query time
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
SENTENCES = "sentences.npy"
BM25_DIR = "bm25"
STORE = "store.sqlite"


class GuideIndexError(RuntimeError):
    """An index cannot be built or loaded; the message says why and what to do."""




class SourceCount(BaseModel):
    documents: int = 0
    chunks: int = 0
    skipped: int = 0


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format_version: int = FORMAT_VERSION
    name: str
    fingerprint: str = Field(description="Hash of everything that shapes the index: corpus, model, chunking.")
    corpus_fingerprint: str
    model: str
    backend: str = Field(default="torch", description="How the encoder ran (torch, onnx, onnx-int8).")
    sentence_vectors: str = Field(default="pooled", description="'pooled' from each chunk's pass, or 'encoded' one by one.")
    dimensions: int
    model_max_tokens: int
    chunking: dict
    bm25: dict
    sources: dict[str, SourceCount]
    documents: int
    chunks: int
    sentences: int = 0
    chunk_tokens: dict[str, float] = Field(default_factory=dict, description="min/median/p95/max embedder tokens.")
    chunk_token_histogram: dict[str, int] = Field(default_factory=dict, description="Chunks per 32-token bucket.")
    built_at: str
    build_seconds: float
    stage_seconds: dict[str, float] = Field(default_factory=dict, description="Wall time per build stage.")
    embedding_cache: dict[str, int] = Field(default_factory=dict, description="Chunk vectors reused vs embedded.")
    versions: dict[str, str]


def bm25_config() -> dict:
    return {"stopwords": "en", "stemmer": "english", "method": "lucene", "k1": 1.5, "b": 0.75, "fields": "title+section+text", "hyphens": "split+joined"}


_HYPHENATED_RE = re.compile(r"\b\w+(?:-\w+)+\b")


def join_hyphenated(text: str) -> str:
    """Add the closed form of hyphenated words ("post-dural" -> "post-dural postdural"), so either spelling matches."""
    return _HYPHENATED_RE.sub(lambda m: f"{m.group()} {m.group().replace('-', '')}", text)


def bm25_tokenize(texts: Sequence[str], return_ids: bool = True, show_progress: bool = False):
    """The one tokenizer for BM25 indexing and querying: hyphen variants, English stopwords, Snowball stems."""
    import bm25s

    texts = [join_hyphenated(t) for t in texts]
    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer(), return_ids=return_ids, show_progress=show_progress)


def _bm25_corpus(chunks: Sequence[Chunk], titles: dict[str, str], step: int = 2048) -> tuple[list[np.ndarray], dict[str, int]]:
    """BM25 token ids of every chunk, tokenized a slice at a time into int32 arrays: Python lists of token
    strings or ints for a whole corpus took hundreds of MB at once."""
    vocab: dict[str, int] = {}
    ids: list[np.ndarray] = []
    for start in range(0, len(chunks), step):
        part = chunks[start : start + step]
        for tokens in bm25_tokenize([bm25_text(c, titles[c.doc_id]) for c in part], return_ids=False):
            ids.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in tokens), dtype=np.int32, count=len(tokens)))
    vocab.setdefault("", len(vocab))  # bm25s scores a query with no known word against this empty token
    return ids, vocab


def corpus_fingerprint(docs: Iterable[Document]) -> str:
    h = hashlib.sha256()
    for doc in sorted(docs, key=lambda d: d.id):
        h.update(doc.id.encode())
        h.update(doc.content_hash().encode())
    return h.hexdigest()


def index_fingerprint(corpus_fp: str, settings: Settings, dim: int) -> str:
    shape = {
        "format": FORMAT_VERSION,
        "corpus": corpus_fp,
        "model": settings.embedding.model,
        "backend": resolve_backend(settings.embedding.backend),
        "sentence_vectors": settings.embedding.sentence_vectors,
        "dim": dim,
        "chunking": settings.chunking.model_dump(mode="json"),
        "bm25": bm25_config(),
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- build

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
    _swap(link, final)
    clean_stale(settings.index.dir, replaced=name)  # older builds of `name`, and what dead builds left
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
    import bm25s
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
    source_of = {d.id: _source_name(d) for d in docs}

    chunks = _chunk_all(docs, chunker, embedder, settings, use_cache, note)
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
    vectors, cache_stats = _embed(texts, [c.n_tokens for c in chunks], prefixes, sentence_spans, starts, sentence_file, embedder, settings, use_cache, note)
    sentence_file.flush()
    del sentence_file
    lap("embed")
    index = faiss.IndexFlatIP(embedder.dim)
    index.add(vectors)
    faiss.write_index(index, str(work / DENSE))
    del vectors
    lap("faiss")

    note("bm25", 0, 1)
    retriever = bm25s.BM25(method=bm25_config()["method"], k1=bm25_config()["k1"], b=bm25_config()["b"])
    retriever.index(_bm25_corpus(chunks, titles), show_progress=False)
    retriever.save(str(work / BM25_DIR))
    note("bm25", 1, 1)
    lap("bm25")

    _write_store(work / STORE, docs, chunks, sentence_spans)
    lap("store")

    counts: dict[str, SourceCount] = {}
    for doc in docs:
        counts.setdefault(source_of[doc.id], SourceCount()).documents += 1
    for c in chunks:
        counts[source_of[c.doc_id]].chunks += 1
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
        bm25=bm25_config(),
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


def _chunk_all(docs: Sequence[Document], chunker: Chunker, embedder: Embedder, settings: Settings,
               use_cache: bool, note: Progress) -> list[Chunk]:
    """Every document's chunks; an unchanged document's come from the chunk cache (tokenizing is the slow part)."""
    import rag.indexing.chunking
    import rag.text
    from rag.indexing.build_cache import ChunkCache

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


def _embed(
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
    from rag.indexing.build_cache import EmbeddingCache, text_key

    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    keys = [text_key(t, s) for t, s in zip(texts, spans)]
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


def _source_name(doc: Document) -> str:
    # Corpus sources are named by id prefix (ngc-, pubmed:, medquad:); user documents by kind.
    if doc.id.startswith("ngc-"):
        return "ngc"
    if doc.id.startswith("pubmed:"):
        return "pubmedqa"
    if doc.id.startswith("medquad:"):
        return "medquad"
    return "user"


_SCHEMA = """
CREATE TABLE documents (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL,
  year INTEGER, url TEXT, identifiers TEXT NOT NULL, license TEXT NOT NULL, sections TEXT NOT NULL
);
CREATE TABLE chunks (
  row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL REFERENCES documents(id),
  kind TEXT NOT NULL, section_index INTEGER NOT NULL, section TEXT NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, n_tokens INTEGER NOT NULL
);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE TABLE sentences (
  row INTEGER PRIMARY KEY, chunk_row INTEGER NOT NULL REFERENCES chunks(row), start INTEGER NOT NULL, "end" INTEGER NOT NULL
);
CREATE INDEX sentences_chunk ON sentences(chunk_row);
"""


def _write_store(path: Path, docs: Sequence[Document], chunks: Sequence[Chunk], spans: Sequence[Sequence[tuple[int, int]]]) -> None:
    con = sqlite3.connect(path)
    try:
        con.executescript(_SCHEMA)
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (d.id, d.kind, d.title, d.source, d.year, d.url, json.dumps(d.identifiers), d.license,
                 json.dumps([s.title for s in d.sections]))
                for d in docs
            ],
        )
        con.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (row, c.id, c.doc_id, c.kind, c.section_index, c.section, c.start, c.end, c.text, c.n_tokens)
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


def _swap(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}.swap-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent))
    os.replace(tmp, link)


# --------------------------------------------------------------------------- load


def read_manifest(path: Path) -> Manifest:
    file = path / MANIFEST
    if not file.exists():
        raise GuideIndexError(f"{path} has no {MANIFEST}: not a guideqa index (or a build never finished)")
    try:
        return Manifest.model_validate_json(file.read_text(encoding="utf-8"))
    except Exception as exc:
        raise GuideIndexError(f"{file} is unreadable or corrupt: {exc}") from exc


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

    def doc_of(self, row: int) -> str:
        return self.doc_ids[self.doc_codes[row]]

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
            r[0]: Chunk(id=r[1], doc_id=r[2], kind=r[3], section_index=r[4], section=r[5], start=r[6], end=r[7], text=r[8], n_tokens=r[9])
            for r in self._con().execute(f'SELECT row, id, doc_id, kind, section_index, section, start, "end", text, n_tokens FROM chunks WHERE row IN ({marks})', list(map(int, rows)))
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
        from rag.types import DocSection

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


def load_index(settings: Settings, name: str | None = None) -> Index:
    """Open indexes/<name>, checking it is complete and was built with the configured model."""
    import bm25s
    import faiss

    name = name or settings.index.name
    path = settings.index.dir / name
    if not path.exists():
        raise GuideIndexError(f"no index named {name!r} in {settings.index.dir}; build it with: guideqa index build --name {name}")
    path = path.resolve()
    manifest = read_manifest(path)
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
    try:
        dense = faiss.read_index(str(path / DENSE))
    except Exception as exc:
        raise GuideIndexError(f"index {name!r}: {DENSE} is corrupt ({exc}); rebuild it") from exc
    if dense.d != manifest.dimensions or dense.ntotal != manifest.chunks:
        raise GuideIndexError(
            f"index {name!r}: FAISS holds {dense.ntotal} vectors of {dense.d} dims, manifest says "
            f"{manifest.chunks} of {manifest.dimensions}; rebuild it"
        )
    try:
        bm25 = bm25s.BM25.load(str(path / BM25_DIR), load_corpus=False, allow_pickle=False, mmap=True)  # postings stay on disk until a query term needs them
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
