"""Shared by the query benchmark tests: one full run (in process, live server, baseline, memory probe) for the package."""

from __future__ import annotations

import pytest

from benchmarks.common import LatencyStats
from benchmarks.query.run import QueryBench, run_query_bench

QUESTIONS, REQUESTS, LEVELS, SEED = 5, 10, (1, 2), 3


@pytest.fixture(scope="package")
def result(index_settings, built_index) -> QueryBench:
    # One full run (in process, live server, baseline, memory probe) shared by the assertions in this package.
    return run_query_bench(index_settings, questions=QUESTIONS, requests=REQUESTS, concurrency=LEVELS, seed=SEED)


def ordered(stats: LatencyStats) -> bool:
    return 0 <= stats.min_ms <= stats.p50_ms <= stats.p95_ms <= stats.p99_ms <= stats.max_ms and stats.min_ms <= stats.mean_ms <= stats.max_ms
