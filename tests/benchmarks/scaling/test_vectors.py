"""The vector sets: subsets of real rows, unit-norm perturbed copies, labelled and not clumped."""

import numpy as np
import pytest

from benchmarks.scaling.vectors import make_vectors
from tests.benchmarks.scaling.conftest import SIZES


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
