"""The recommendation is computed from the measured rows."""

from benchmarks.scaling.measure import ScalingRow
from benchmarks.scaling.recommend import recommend


def _row(size, index, search, p95, recall, bytes_per_vector=100.0):
    return ScalingRow(
        size=size, vectors="real", index=index, search=search, build_seconds=1, recall_at_10=recall,
        p50_ms=p95 / 2, p95_ms=p95, p50_ms_threads=p95 / 2, p95_ms_threads=p95, batch_qps=1,
        index_bytes=int(bytes_per_vector * size), bytes_per_vector=bytes_per_vector, raw_bytes=size * 1536,
        rss_before_mb=1, rss_after_mb=2,
    )


def test_recommendation_is_computed_from_the_rows():
    measured = [
        _row(10_000, "Flat", "exact", 5, 1.0), _row(10_000, "HNSW32", "efSearch=64", 0.5, 0.99),
        _row(50_000, "Flat", "exact", 25, 1.0),
        _row(50_000, "HNSW32", "efSearch=64", 0.8, 0.93), _row(50_000, "HNSW32", "efSearch=128", 1.4, 0.98),
        _row(50_000, "IVF894,PQ48x8np", "nprobe=32", 1.0, 0.80),
    ]
    line = recommend(measured, budget_ms=20)
    assert "first at 50,000" in line and "HNSW32 (efSearch=128)" in line and "0.980" in line
    assert "smallest" not in line  # the fastest is also the only one meeting the target

    compact = _row(50_000, "IVF894,PQ48x8np", "nprobe=64", 3.0, 0.96, bytes_per_vector=90)
    line = recommend(measured + [compact], budget_ms=20)
    assert "HNSW32 (efSearch=128)" in line and "smallest that does is IVF894,PQ48x8np (nprobe=64" in line

    line = recommend(measured, budget_ms=30)  # never crosses: extrapolate linearly from 50k at 25 ms
    assert "up to 50,000" in line and "60,000" in line

    line = recommend([r for r in measured if r.search != "efSearch=128"], budget_ms=20)
    assert "no alternative reaches recall@10 0.95" in line and "HNSW32 efSearch=64" in line
