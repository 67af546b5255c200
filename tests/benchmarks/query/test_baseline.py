"""The LangChain baseline of the query benchmark searches the same chunks."""

from __future__ import annotations

from tests.benchmarks.query.conftest import QUESTIONS, ordered


def test_baseline_searches_the_same_chunks(result):
    b = result.baseline
    assert b is not None and b.chunks == result.chunks and b.k == result.k
    assert b.search.n == QUESTIONS and ordered(b.search)
    assert b.mean_results == min(result.k, result.chunks)
