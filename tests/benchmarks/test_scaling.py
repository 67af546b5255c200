"""`guideqa bench scaling` on the session's small real index: real chunk vectors, real encoded questions."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from benchmarks.scaling import (
    ScalingResult,
    ScalingRow,
    load_index_vectors,
    make_vectors,
    recall_at_k,
    recommend,
    run_scaling,
    sample_questions,
)
from rag.cli import app

SIZES = [2000, 5000]
runner = CliRunner()


@pytest.fixture(scope="module")
def real_inputs(index_settings, built_index, embedder):
    vectors, manifest = load_index_vectors(index_settings, "test")
    assert len(vectors) == manifest.chunks and vectors.shape[1] == embedder.dim
    queries = embedder.encode_queries(sample_questions(index_settings, 30, seed=0))
    return vectors, queries


@pytest.fixture(scope="module")
def result(real_inputs) -> ScalingResult:
    vectors, queries = real_inputs
    return run_scaling(vectors, queries, SIZES, seed=0)


def rows(result, index_prefix, size):
    return {r.search: r for r in result.rows if r.size == size and r.index.startswith(index_prefix)}


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


def test_timings_and_memory_are_recorded(result):
    for row in result.rows:
        assert 0 < row.p50_ms <= row.p95_ms
        assert 0 < row.p50_ms_threads <= row.p95_ms_threads
        assert row.batch_qps > 0 and row.build_seconds >= 0
        assert row.rss_before_mb > 0 and row.rss_after_mb > 0
    assert result.threads_default >= 1 and result.queries == 30


def test_synthetic_vectors_are_labelled_and_not_copy_clumps(result):
    assert result.real_vectors < SIZES[0]  # the test index is small, so both sizes need synthetic vectors
    for info in result.sizes:
        assert info.vectors == "real+synthetic"
        assert info.real == result.real_vectors and info.synthetic == info.size - result.real_vectors
        # The noise rule: a copy sits about as far from its source as a real chunk from its nearest neighbour.
        assert info.cos_to_source_mean == pytest.approx(result.real_nn_cosine_median, abs=0.05)
        assert info.cos_to_source_mean < 0.95
        assert 0 <= info.nearest_is_source <= info.nearest_same_source <= 1
        # A query's exact top-10 is not a handful of near-identical copies.
        assert info.distinct_sources_top10 > 5
    assert result.noise_sigma > 0 and {r.vectors for r in result.rows} == {"real+synthetic"}


def test_make_vectors_subsets_real_rows_and_adds_unit_norm_copies(real_inputs):
    real, _ = real_inputs
    rng = np.random.default_rng(7)
    subset, source = make_vectors(real, len(real) // 2, 0.03, rng)
    assert len(set(source)) == len(source) == len(real) // 2
    assert np.array_equal(subset, real[source])

    grown, source = make_vectors(real, len(real) + 300, 0.03, np.random.default_rng(7))
    again, _ = make_vectors(real, len(real) + 300, 0.03, np.random.default_rng(7))
    assert np.array_equal(grown, again)  # seeded
    assert np.array_equal(grown[: len(real)], real) and np.array_equal(source[: len(real)], np.arange(len(real)))
    copies = grown[len(real) :]
    assert np.allclose(np.linalg.norm(copies, axis=1), 1, atol=1e-5)
    assert not np.any(np.all(copies == real[source[len(real) :]], axis=1))  # perturbed, not duplicated


def test_recall_counts_ties_but_not_wrong_answers():
    vectors = np.eye(4, dtype=np.float32)[[0, 1, 1, 2, 3]]  # rows 1 and 2 are identical twins
    query = np.array([[0.1, 1.0, 0.0, 0.0]], dtype=np.float32)
    kth = np.array([1.0], dtype=np.float32)  # exact top-1 is row 1 (or its twin) with score 1.0
    assert recall_at_k(np.array([[1]]), vectors, query, kth, k=1) == 1.0
    assert recall_at_k(np.array([[2]]), vectors, query, kth, k=1) == 1.0
    assert recall_at_k(np.array([[0]]), vectors, query, kth, k=1) == 0.0
    assert recall_at_k(np.array([[-1]]), vectors, query, kth, k=1) == 0.0


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


def test_run_scaling_rejects_bad_input(real_inputs):
    vectors, queries = real_inputs
    with pytest.raises(ValueError, match="same width"):
        run_scaling(vectors, queries[:, :100], [2000])
    with pytest.raises(ValueError, match="at least"):
        run_scaling(vectors, queries, [10])


def test_cli_writes_json_that_round_trips(index_settings, built_index, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    out = tmp_path / "bench" / "scaling.json"
    result = runner.invoke(
        app, ["bench", "scaling", "--index", "test", "--sizes", "2000", "--queries", "8", "--out", str(out), "--seed", "3"],
        env={"COLUMNS": "220"},
    )
    assert result.exit_code == 0, result.output
    assert "recommendation:" in result.stdout and "HNSW32" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    parsed = ScalingResult.model_validate(data)
    assert parsed.model_dump(mode="json") == data
    assert parsed.index_name == "test" and parsed.queries == 8 and parsed.seed == 3
    assert {r.size for r in parsed.rows} == {2000}
    assert " ".join(parsed.recommendation.split()) in " ".join(result.stdout.split())  # rich may wrap the line


def test_cli_reports_a_missing_index_and_bad_sizes(index_settings, built_index, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    result = runner.invoke(app, ["bench", "scaling", "--index", "missing", "--sizes", "2000", "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "no index named 'missing'" in result.stderr
    result = runner.invoke(app, ["bench", "scaling", "--index", "test", "--sizes", "2000,lots"])
    assert result.exit_code == 2 and "comma list" in result.stderr
    assert not (tmp_path / "x.json").exists()
