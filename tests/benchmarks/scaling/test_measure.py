"""Measuring an index: timings and memory recorded, recall counting ties but not wrong answers."""

import numpy as np

from benchmarks.scaling.measure import recall_at_k


def test_timings_and_memory_are_recorded(result):
    for row in result.rows:
        assert 0 < row.p50_ms <= row.p95_ms
        assert 0 < row.p50_ms_threads <= row.p95_ms_threads
        assert row.batch_qps > 0 and row.build_seconds >= 0
        assert row.rss_before_mb > 0 and row.rss_after_mb > 0
    assert result.threads_default >= 1 and result.queries == 30


def test_recall_counts_ties_but_not_wrong_answers():
    vectors = np.eye(4, dtype=np.float32)[[0, 1, 1, 2, 3]]  # rows 1 and 2 are identical twins
    query = np.array([[0.1, 1.0, 0.0, 0.0]], dtype=np.float32)
    kth = np.array([1.0], dtype=np.float32)  # exact top-1 is row 1 (or its twin) with score 1.0
    assert recall_at_k(np.array([[1]]), vectors, query, kth, k=1) == 1.0
    assert recall_at_k(np.array([[2]]), vectors, query, kth, k=1) == 1.0
    assert recall_at_k(np.array([[0]]), vectors, query, kth, k=1) == 0.0
    assert recall_at_k(np.array([[-1]]), vectors, query, kth, k=1) == 0.0
