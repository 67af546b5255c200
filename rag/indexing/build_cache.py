"""What earlier builds computed, so a rebuild redoes only what is new or changed.

EmbeddingCache: chunk and sentence vectors. One SQLite file per model and backend (int8 vectors differ slightly from fp32
ones, so they never mix), keyed by the SHA-256 of the exact text embedded
(title prefix included) and of its sentence spans. A row holds the chunk vector
(float32) and its sentence vectors (float16), as raw bytes: nothing is unpickled.

ChunkCache: each document's chunks (JSON), keyed by the document's content hash
and everything that shapes chunking (settings, tokenizer, token limit).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.types import Chunk

SCHEMA_VERSION = 2


def cache_key(text: str, spans: Sequence[tuple[int, int]] = ()) -> bytes:
    """The cache key of `text` embedded with these sentence spans: a content hash, not a normalised text."""
    h = hashlib.sha256(text.encode("utf-8"))
    h.update(repr(list(spans)).encode())
    return h.digest()[:20]


class EmbeddingCache:
    def __init__(self, cache_dir: Path, embedder_id: str, dim: int):
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder_id).strip("_")
        folder = Path(cache_dir) / "embeddings"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{slug}-{dim}-v{SCHEMA_VERSION}.sqlite"
        self.dim = dim
        self.con = sqlite3.connect(self.path, timeout=60)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL, spans BLOB NOT NULL)")

    def get(self, keys: Sequence[bytes]) -> dict[bytes, tuple[np.ndarray, np.ndarray]]:
        found: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        for start in range(0, len(keys), 900):  # SQLite's bound-parameter limit
            part = keys[start : start + 900]
            sql = f"SELECT key, vector, spans FROM vectors WHERE key IN ({','.join('?' * len(part))})"
            for key, blob, spans in self.con.execute(sql, part):
                # A damaged row is ignored (and overwritten on put).
                if len(blob) == self.dim * 4 and len(spans) % (self.dim * 2) == 0:
                    found[key] = (np.frombuffer(blob, dtype=np.float32),
                                  np.frombuffer(spans, dtype=np.float16).reshape(-1, self.dim))
        return found

    def put(self, keys: Sequence[bytes], vectors: np.ndarray, span_vectors: Sequence[np.ndarray]) -> None:
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes(), np.asarray(s, dtype=np.float16).tobytes())
                for k, v, s in zip(keys, vectors, span_vectors)]
        with self.con:
            self.con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        return self.con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        self.con.close()


class ChunkCache:
    def __init__(self, cache_dir: Path, chunking_key: str):
        folder = Path(cache_dir) / "chunks"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "chunks-v1.sqlite"
        self.salt = chunking_key.encode()
        self.con = sqlite3.connect(self.path, timeout=60)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("CREATE TABLE IF NOT EXISTS chunks (key BLOB PRIMARY KEY, chunks TEXT NOT NULL)")
        self.pending: list[tuple[bytes, str]] = []

    def key(self, content_hash: str) -> bytes:
        return hashlib.sha256(self.salt + content_hash.encode()).digest()[:20]

    def get(self, keys: Sequence[bytes]) -> dict[bytes, list[Chunk]]:
        found: dict[bytes, list[Chunk]] = {}
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            for key, text in self.con.execute(f"SELECT key, chunks FROM chunks WHERE key IN ({','.join('?' * len(part))})", part):
                try:
                    found[key] = [Chunk.model_validate(c) for c in json.loads(text)]
                except ValueError:
                    pass  # a damaged row is recomputed (and overwritten)
        return found

    def add(self, key: bytes, chunks: Sequence[Chunk]) -> None:
        self.pending.append((key, json.dumps([c.model_dump(mode="json") for c in chunks])))

    def close(self) -> None:
        with self.con:
            self.con.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?)", self.pending)
        self.con.close()
