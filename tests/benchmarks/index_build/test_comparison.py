"""guideqa vs the baseline: the ratios come from the measured numbers."""

from __future__ import annotations

import pytest

from benchmarks.index_build.comparison import compare
from benchmarks.index_build.report import summary_line
from tests.benchmarks.index_build.conftest import _base, _ours


def test_comparison_is_the_ratio_of_the_measured_numbers():
    c = compare(_ours(seconds=2.0), _base(seconds=5.0))
    assert c.speedup == 5.0 / 2.0
    assert c.end_to_end_speedup == (0.5 + 1.0 + 5.0) / (0.5 + 1.5 + 2.0)
    assert c.ms_per_chunk_guideqa == pytest.approx(1000 * 2.0 / 40)
    assert c.ms_per_chunk_baseline == pytest.approx(1000 * 5.0 / 25)
    assert c.ms_per_1k_tokens_guideqa == pytest.approx(1e6 * 2.0 / 6000)
    assert c.tokens_per_second_ratio == pytest.approx((6000 / 2.0) / (5000 / 5.0))
    assert c.peak_rss_ratio == pytest.approx(600 / 500)
    assert "2.50× faster" in summary_line(c)
