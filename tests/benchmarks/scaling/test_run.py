"""The scaling run refuses input it cannot measure."""

import pytest

from benchmarks.scaling.run import run_scaling


def test_run_scaling_rejects_bad_input(real_inputs):
    vectors, queries = real_inputs
    with pytest.raises(ValueError, match="same width"):
        run_scaling(vectors, queries[:, :100], [2000])
    with pytest.raises(ValueError, match="at least"):
        run_scaling(vectors, queries, [10])
