"""Every FAISS variant at every size: what each is, its recall, and its size on disk."""

import pytest

from tests.benchmarks.scaling.conftest import SIZES, rows


def test_every_index_and_setting_is_measured_at_every_size(result):
    for size in SIZES:
        assert set(rows(result, "Flat", size)) == {"exact"}
        assert set(rows(result, "HNSW32", size)) == {"efSearch=64", "efSearch=128"}
        pq = [r for r in result.rows if r.size == size and ",PQ48x8" in r.index]
        assert {r.search for r in pq} == {"nprobe=8", "nprobe=32"}
        ivf_flat = [r for r in result.rows if r.size == size and r.index.startswith("IVF") and r.index.endswith(",Flat")]
        assert {r.search for r in ivf_flat} == {"nprobe=8", "nprobe=32"}


def test_flat_is_exact_and_hnsw_finds_the_real_neighbours(result):
    for size in SIZES:
        assert rows(result, "Flat", size)["exact"].recall_at_10 == 1.0
        for row in rows(result, "HNSW32", size).values():
            assert row.recall_at_10 > 0.9, row


def test_ivf_flat_recall_cannot_fall_when_more_lists_are_probed(result):
    # IVF-Flat scores exactly, and nprobe=32 searches a superset of nprobe=8's lists.
    for size in SIZES:
        ivf_flat = {r.search: r for r in result.rows if r.size == size and r.index.endswith(",Flat") and r.index != "Flat"}
        assert ivf_flat["nprobe=32"].recall_at_10 >= ivf_flat["nprobe=8"].recall_at_10


def test_ivf_pq_is_much_smaller_than_flat(result):
    for size in SIZES:
        flat = rows(result, "Flat", size)["exact"]
        pq = next(r for r in result.rows if r.size == size and ",PQ" in r.index)
        assert flat.raw_bytes == size * result.dimensions * 4
        assert flat.raw_bytes <= flat.index_bytes < flat.raw_bytes * 1.01
        # Per vector: 48 code bytes + an 8-byte id. Fixed: the coarse centroids and 256 codewords per sub-space.
        nlist = int(pq.index.split(",")[0].removeprefix("IVF"))
        fixed = nlist * result.dimensions * 4 + 256 * result.dimensions * 4
        assert pq.index_bytes == pytest.approx(size * (48 + 8) + fixed, rel=0.02)
        assert pq.index_bytes < flat.index_bytes / 3
        assert pq.bytes_per_vector == pytest.approx(pq.index_bytes / size, abs=0.1)
