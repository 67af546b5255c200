"""Vectors of chunk texts already embedded, so a rebuild embeds only what is new or changed.

One SQLite file per model and backend (int8 vectors differ slightly from fp32
ones, so they never mix), keyed by the SHA-256 of the exact text embedded
(title prefix included). Vectors are raw float32 bytes: nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()[:20]


class EmbeddingCache:
    def __init__(self, cache_dir: Path, embedder_id: str, dim: int):
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder_id).strip("_")
        folder = Path(cache_dir) / "embeddings"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{slug}-{dim}.sqlite"
        self.dim = dim
        self.con = sqlite3.connect(self.path, timeout=60)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        size = self.dim * 4
        for start in range(0, len(keys), 900):  # SQLite's bound-parameter limit
            part = keys[start : start + 900]
            sql = f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})"
            for key, blob in self.con.execute(sql, part):
                if len(blob) == size:  # a truncated row is ignored, and overwritten on put
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors)]
        with self.con:
            self.con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def __len__(self) -> int:
        return self.con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        self.con.close()
