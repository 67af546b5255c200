"""`guideqa bench build`: structure and internal consistency of the numbers, never their size."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from benchmarks import build as bench
from benchmarks.build import BaselineBuild, BuildBenchmark, GuideqaBuild, compare
from rag.cli import app
from rag.indexing.embedding import resolve_backend

LIMIT = 2


def _ours(backend: str = "torch", seconds: float = 2.0) -> GuideqaBuild:
    return GuideqaBuild(backend=backend, documents=4, chunks=40, tokens=6000, load_seconds=0.5, model_load_seconds=1.5,
                        build_seconds=seconds, chunks_per_second=40 / seconds, tokens_per_second=6000 / seconds,
                        stage_seconds={"embed": seconds}, embedding_cache={"reused": 0, "embedded": 40},
                        peak_rss_mb=600.0, index_mb=1.0)


def _base(seconds: float = 5.0) -> BaselineBuild:
    return BaselineBuild(documents=4, chunks=25, tokens=5000, truncated_chunks=0, load_seconds=0.5, model_load_seconds=1.0,
                         build_seconds=seconds, chunks_per_second=25 / seconds, tokens_per_second=5000 / seconds,
                         stage_seconds={"embed+faiss": seconds}, peak_rss_mb=500.0, index_mb=0.5)


def test_comparison_is_the_ratio_of_the_measured_numbers():
    c = compare(_ours(seconds=2.0), _base(seconds=5.0))
    assert c.speedup == 5.0 / 2.0
    assert c.end_to_end_speedup == (0.5 + 1.0 + 5.0) / (0.5 + 1.5 + 2.0)
    assert c.ms_per_chunk_guideqa == pytest.approx(1000 * 2.0 / 40)
    assert c.ms_per_chunk_baseline == pytest.approx(1000 * 5.0 / 25)
    assert c.ms_per_1k_tokens_guideqa == pytest.approx(1e6 * 2.0 / 6000)
    assert c.tokens_per_second_ratio == pytest.approx((6000 / 2.0) / (5000 / 5.0))
    assert c.peak_rss_ratio == pytest.approx(600 / 500)
    assert "2.50× faster" in bench.summary_line(c)


def test_a_slower_build_is_called_slower():
    line = bench.summary_line(compare(_ours(seconds=8.0), _base(seconds=2.0)))
    assert "4.00× slower" in line and "faster than" not in line


def test_run_builds_each_backend_then_the_baseline(monkeypatch, mirror_settings):
    calls = []

    def fake_worker(side, settings, preset, limit_docs, backend=None, add_docs=0):
        calls.append((side, preset, limit_docs, backend))
        return _ours(backend, seconds=1.0 + len(calls)) if side == "guideqa" else _base(seconds=6.0)

    monkeypatch.setattr(bench, "_run_worker", fake_worker)
    report = bench.run_benchmark(mirror_settings, preset="all", limit_docs=3, backends=["onnx", "torch"])
    assert calls == [("guideqa", "all", 3, "onnx"), ("guideqa", "all", 3, "torch"), ("baseline", "all", 3, None)]
    assert [c.backend for c in report.comparisons] == ["onnx", "torch"]
    assert [c.speedup for c in report.comparisons] == [6.0 / 2.0, 6.0 / 3.0]

    calls.clear()
    report = bench.run_benchmark(mirror_settings, skip_baseline=True)
    assert calls == [("guideqa", "default", None, resolve_backend(mirror_settings.embedding.backend))]
    assert report.baseline is None and report.comparisons == []


def test_cli_rejects_unknown_backends_and_presets(tmp_path):
    runner = CliRunner()
    bad_backend = runner.invoke(app, ["bench", "build", "--backends", "torch,cuda", "--out", str(tmp_path / "x.json")])
    assert bad_backend.exit_code == 2 and "cuda" in bad_backend.output
    bad_preset = runner.invoke(app, ["bench", "build", "--preset", "no-such-preset", "--out", str(tmp_path / "x.json")])
    assert bad_preset.exit_code == 1 and "no-such-preset" in bad_preset.output
    assert not (tmp_path / "x.json").exists()


def test_peak_rss_of_a_worker_is_its_own_not_its_parents():
    # getrusage's ru_maxrss keeps the parent's peak across exec; the worker must not report it.
    ballast = b"\x01" * (400 * 1024 * 1024)  # written pages, so they are resident
    code = "from benchmarks.common import peak_rss_bytes; print(peak_rss_bytes())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert 0 < int(out) < 200 * 1024 * 1024
    del ballast


@pytest.fixture(scope="module")
def cli_run(mirror_settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "nested" / "build.json"
    result = CliRunner().invoke(app, ["bench", "build", "--limit-docs", str(LIMIT), "--add-docs", "1", "--out", str(out)])
    return result, out


def test_cli_builds_both_sides_and_writes_the_json(cli_run):
    result, out = cli_run
    assert result.exit_code == 0, result.output
    assert "LangChain baseline" in result.output and "langchain torch" in result.output
    report = BuildBenchmark.model_validate_json(out.read_text(encoding="utf-8"))
    assert BuildBenchmark.model_validate_json(report.model_dump_json()) == report
    assert report.preset == "default" and report.limit_docs == LIMIT
    assert report.machine.cpu_count and report.versions["langchain-community"] != "not installed"


def test_guideqa_numbers_are_consistent(cli_run, mirror_settings):
    report = BuildBenchmark.model_validate_json(cli_run[1].read_text(encoding="utf-8"))
    [ours] = report.guideqa
    assert ours.backend == resolve_backend(mirror_settings.embedding.backend)  # the configured one by default
    assert ours.documents == LIMIT and ours.chunks > 0 and ours.tokens > ours.chunks
    assert ours.embedding_cache == {"reused": 0, "embedded": ours.chunks}  # cold: nothing came from a cache
    assert ours.tokens_per_second == pytest.approx(ours.tokens / ours.build_seconds)
    assert ours.chunks_per_second == pytest.approx(ours.chunks / ours.build_seconds)
    assert set(ours.stage_seconds) == {"chunk", "embed", "faiss", "bm25", "store"}
    assert sum(ours.stage_seconds.values()) <= ours.build_seconds + 0.05  # stages are rounded to 0.01 s
    assert ours.peak_rss_mb > 100 and ours.index_mb > 0  # an encoder was loaded; files were written
    # Adding a document re-embeds only its chunks; every other vector comes from the cache.
    assert ours.added_documents == 1 and ours.added_build_seconds is not None
    assert ours.added_cache["reused"] == ours.chunks and ours.added_cache["embedded"] > 0


def test_baseline_numbers_are_consistent_and_its_chunks_reproducible(cli_run, mirror_settings):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from rag.corpus.sources import iter_documents

    report = BuildBenchmark.model_validate_json(cli_run[1].read_text(encoding="utf-8"))
    base = report.baseline
    assert base is not None and base.documents == LIMIT and base.backend == "torch"
    # The same documents split the same way outside the worker give the same chunk count.
    docs = list(itertools.islice(iter_documents(mirror_settings, preset="default"), LIMIT))
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    assert base.chunks == sum(len(splitter.split_text(bench._baseline_text(d))) for d in docs) > 0
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


def test_guideqa_chunks_and_tokens_match_the_chunker(cli_run, mirror_settings, embedder):
    from rag.corpus.sources import iter_documents
    from rag.indexing.chunking import Chunker

    [ours] = BuildBenchmark.model_validate_json(cli_run[1].read_text(encoding="utf-8")).guideqa
    docs = list(itertools.islice(iter_documents(mirror_settings, preset="default"), LIMIT))
    chunker = Chunker(mirror_settings, embedder.count_tokens_batch, embedder.max_tokens)
    chunks = [c for d in docs for c in chunker.chunk(d)]
    assert ours.chunks == len(chunks)
    assert ours.tokens == sum(c.n_tokens for c in chunks)
