"""The build benchmark runs one worker per backend, then the baseline."""

from __future__ import annotations

from benchmarks.index_build import run as bench
from rag.indexing.embedding import resolve_backend
from tests.benchmarks.index_build.conftest import _base, _ours


def test_run_builds_each_backend_then_the_baseline(monkeypatch, mirror_settings):
    calls = []

    def fake_worker(side, settings, preset, limit_docs, backend=None, add_docs=0):
        calls.append((side, preset, limit_docs, backend))
        return _ours(backend, seconds=1.0 + len(calls)) if side == "guideqa" else _base(seconds=6.0)

    monkeypatch.setattr(bench, "run_worker", fake_worker)
    report = bench.run_benchmark(mirror_settings, preset="all", limit_docs=3, backends=["onnx", "torch"])
    assert calls == [("guideqa", "all", 3, "onnx"), ("guideqa", "all", 3, "torch"), ("baseline", "all", 3, None)]
    assert [c.backend for c in report.comparisons] == ["onnx", "torch"]
    assert [c.speedup for c in report.comparisons] == [6.0 / 2.0, 6.0 / 3.0]

    calls.clear()
    report = bench.run_benchmark(mirror_settings, skip_baseline=True)
    assert calls == [("guideqa", "default", None, resolve_backend(mirror_settings.embedding.backend))]
    assert report.baseline is None and report.comparisons == []
