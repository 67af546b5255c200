"""Index memory of the query benchmark: every ratio computed from its parts."""

from __future__ import annotations

import pytest

from benchmarks.common import folder_bytes


def test_memory_is_computed_from_its_parts(result, built_index):
    path, _ = built_index
    m = result.memory
    assert m.chunks == result.chunks and m.dimensions == 384
    assert m.raw_vector_bytes == m.chunks * m.dimensions * 4
    assert m.disk_bytes == folder_bytes(path) and m.disk_bytes > m.raw_vector_bytes  # FAISS alone stores the raw vectors
    assert m.index_rss_bytes > 0
    assert m.rss_to_raw_ratio == pytest.approx(m.index_rss_bytes / m.raw_vector_bytes, abs=1e-3)
    assert m.disk_to_raw_ratio == pytest.approx(m.disk_bytes / m.raw_vector_bytes, abs=1e-3)
    assert m.disk_bytes_per_chunk == pytest.approx(m.disk_bytes / m.chunks, abs=0.1)
