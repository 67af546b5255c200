"""Index RAM (measured in a fresh process) and disk size next to its raw float32 vectors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, Field

from benchmarks.common import folder_bytes
from benchmarks.query.settings_env import subprocess_env


class MemoryResult(BaseModel):
    chunks: int
    dimensions: int
    index_rss_bytes: int = Field(description="RSS after load_index minus before, in a fresh process, imports done first.")
    disk_bytes: int = Field(description="All files in the index folder.")
    raw_vector_bytes: int = Field(description="chunks x dimensions x 4 (float32).")
    rss_bytes_per_chunk: float
    disk_bytes_per_chunk: float
    raw_vector_bytes_per_chunk: float
    rss_to_raw_ratio: float
    disk_to_raw_ratio: float


_MEMORY_PROBE = """
import gc, json, sys
import bm25s, faiss, numpy, psutil  # imported before the first reading: only the index's own data is counted
from benchmarks.common import rss_bytes
from rag.indexing.view import load_build
from rag.settings import Settings
settings = Settings.model_validate_json(sys.stdin.read())
gc.collect()
before = rss_bytes()
index = load_build(settings)  # one folder, or every shard of a sharded index
gc.collect()
after = rss_bytes()
print(json.dumps({"before": before, "after": after, "chunks": index.size, "dimensions": index.manifest.dimensions}))
"""


def measure_memory(settings, index_path: Path) -> MemoryResult:
    """Index RAM in a fresh interpreter, so nothing already loaded here hides or inflates it."""
    probe = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE], input=settings.model_dump_json(), capture_output=True, text=True,
        env=subprocess_env(settings), timeout=600,
    )
    if probe.returncode != 0:
        raise RuntimeError(f"memory probe failed: {probe.stderr[-2000:]}")
    data = json.loads(probe.stdout.strip().splitlines()[-1])
    chunks, dim = data["chunks"], data["dimensions"]
    rss = data["after"] - data["before"]
    disk = folder_bytes(index_path)
    raw = chunks * dim * 4
    return MemoryResult(
        chunks=chunks, dimensions=dim, index_rss_bytes=rss, disk_bytes=disk, raw_vector_bytes=raw,
        rss_bytes_per_chunk=round(rss / chunks, 1), disk_bytes_per_chunk=round(disk / chunks, 1),
        raw_vector_bytes_per_chunk=round(raw / chunks, 1),
        rss_to_raw_ratio=round(rss / raw, 3), disk_to_raw_ratio=round(disk / raw, 3),
    )
