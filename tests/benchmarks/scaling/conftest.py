"""Shared by the scaling benchmark tests: the test index's real vectors and encoded questions, and one run on them."""

import pytest

from benchmarks.scaling.inputs import load_index_vectors, sample_questions
from benchmarks.scaling.run import ScalingResult, run_scaling

SIZES = [2000, 5000]


@pytest.fixture(scope="package")
def real_inputs(index_settings, built_index, embedder):
    vectors, manifest = load_index_vectors(index_settings, "test")
    assert len(vectors) == manifest.chunks and vectors.shape[1] == embedder.dim
    queries = embedder.encode_queries(sample_questions(index_settings, 30, seed=0))
    return vectors, queries


@pytest.fixture(scope="package")
def result(real_inputs) -> ScalingResult:
    vectors, queries = real_inputs
    return run_scaling(vectors, queries, SIZES, seed=0)


def rows(result, index_prefix, size):
    return {r.search: r for r in result.rows if r.size == size and r.index.startswith(index_prefix)}
