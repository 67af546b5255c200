"""The printed verdict of the build benchmark."""

from __future__ import annotations

from benchmarks.index_build.comparison import compare
from benchmarks.index_build.report import summary_line
from tests.benchmarks.index_build.conftest import _base, _ours


def test_a_slower_build_is_called_slower():
    line = summary_line(compare(_ours(seconds=8.0), _base(seconds=2.0)))
    assert "4.00× slower" in line and "faster than" not in line
