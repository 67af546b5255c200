"""The LangChain side of a real `guideqa bench build` run: numbers consistent, chunks reproducible."""

from __future__ import annotations

import itertools

import pytest

from benchmarks.index_build.baseline import baseline_text
from benchmarks.index_build.run import BuildBenchmark
from tests.benchmarks.index_build.conftest import LIMIT


def test_baseline_numbers_are_consistent_and_its_chunks_reproducible(cli_run, mirror_settings):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from rag.corpus.documents import iter_documents

    report = BuildBenchmark.model_validate_json(cli_run[1].read_text(encoding="utf-8"))
    base = report.baseline
    assert base is not None and base.documents == LIMIT and base.backend == "torch"
    # The same documents split the same way outside the worker give the same chunk count.
    docs = list(itertools.islice(iter_documents(mirror_settings, preset="default"), LIMIT))
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    assert base.chunks == sum(len(splitter.split_text(baseline_text(d))) for d in docs) > 0
    assert base.tokens_per_second == pytest.approx(base.tokens / base.build_seconds)
    assert base.chunks_per_second == pytest.approx(base.chunks / base.build_seconds)
    assert set(base.stage_seconds) == {"split", "embed+faiss", "save"}
    assert sum(base.stage_seconds.values()) <= base.build_seconds + 0.001  # stages are rounded
    assert 0 <= base.truncated_chunks <= base.chunks
    assert base.peak_rss_mb > 100 and base.index_mb > 0

    [c] = report.comparisons
    assert c.backend == report.guideqa[0].backend
    assert c.speedup == pytest.approx(base.build_seconds / report.guideqa[0].build_seconds, rel=1e-12)
    assert c.tokens_per_second_ratio == pytest.approx(report.guideqa[0].tokens_per_second / base.tokens_per_second)
