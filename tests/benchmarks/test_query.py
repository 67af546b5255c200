"""`guideqa bench query` on the session's small real index: counts, consistency and output, never speed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from benchmarks.common import LatencyStats, folder_bytes
from benchmarks.query import (
    STAGES,
    QueryBench,
    parse_levels,
    run_query_bench,
    sample_questions,
    settings_env,
)
from rag.cli import app
from rag.settings import Settings

runner = CliRunner()
QUESTIONS, REQUESTS, LEVELS = 5, 10, (1, 2)


@pytest.fixture(scope="module")
def result(index_settings, built_index) -> QueryBench:
    # One full run (in process, live server, baseline, memory probe) shared by the assertions below.
    return run_query_bench(index_settings, questions=QUESTIONS, requests=REQUESTS, concurrency=LEVELS, seed=3)


@pytest.fixture
def env(index_settings, built_index, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "test")
    return index_settings


def ordered(stats: LatencyStats) -> bool:
    return 0 <= stats.min_ms <= stats.p50_ms <= stats.p95_ms <= stats.p99_ms <= stats.max_ms and stats.min_ms <= stats.mean_ms <= stats.max_ms


def test_in_process_counts_and_stages(result, built_index):
    _, manifest = built_index
    assert result.index == "test" and result.fingerprint == manifest.fingerprint and result.chunks == manifest.chunks
    assert result.sample.total == QUESTIONS and result.sample.guideline_dev + result.sample.pubmedqa == QUESTIONS
    assert result.sample.guideline_dev == QUESTIONS // 2
    ip = result.in_process
    assert ip.retrieve.n == QUESTIONS and ip.ask.n == QUESTIONS
    assert ordered(ip.retrieve) and ordered(ip.ask)
    assert set(STAGES) <= set(ip.stage_means_ms)
    assert all(v >= 0 for v in ip.stage_means_ms.values())
    # The stages are parts of the total, so their means cannot add up to more than the mean total.
    parts = sum(v for k, v in ip.stage_means_ms.items() if k != "total")
    assert parts <= ip.stage_means_ms["total"] + 0.05 * len(STAGES)
    assert 0 <= ip.abstained <= QUESTIONS


def test_server_levels_answer_every_request(result):
    assert result.server is not None and result.server.startup_seconds > 0
    assert [lvl.concurrency for lvl in result.server.levels] == list(LEVELS)
    for level in result.server.levels:
        assert level.requests == REQUESTS and level.ok == REQUESTS and level.non_200 == 0
        assert level.statuses == {"200": REQUESTS}
        assert level.latency is not None and level.latency.n == REQUESTS and ordered(level.latency)
        assert level.requests_per_second == pytest.approx(REQUESTS / level.wall_seconds, rel=0.01)
    assert result.server.rss_bytes_ready and result.server.rss_bytes_peak >= result.server.rss_bytes_ready


def test_baseline_searches_the_same_chunks(result):
    b = result.baseline
    assert b is not None and b.chunks == result.chunks and b.k == result.k
    assert b.search.n == QUESTIONS and ordered(b.search)
    assert b.mean_results == min(result.k, result.chunks)


def test_memory_is_computed_from_its_parts(result, built_index):
    path, _ = built_index
    m = result.memory
    assert m.chunks == result.chunks and m.dimensions == 384
    assert m.raw_vector_bytes == m.chunks * m.dimensions * 4
    assert m.disk_bytes == folder_bytes(path) and m.disk_bytes > m.raw_vector_bytes  # FAISS alone stores the raw vectors
    assert m.index_rss_bytes > 0
    assert m.rss_to_raw_ratio == pytest.approx(m.index_rss_bytes / m.raw_vector_bytes, abs=1e-3)
    assert m.disk_to_raw_ratio == pytest.approx(m.disk_bytes / m.raw_vector_bytes, abs=1e-3)
    assert m.disk_bytes_per_chunk == pytest.approx(m.disk_bytes / m.chunks, abs=0.1)


def test_json_round_trips(result, tmp_path):
    from benchmarks.common import write_json

    path = write_json(result, tmp_path / "deep" / "query.json")
    assert QueryBench.model_validate_json(path.read_text()) == result


def test_question_sample_is_seeded(index_settings):
    a, _ = sample_questions(index_settings, 6, seed=1)
    b, _ = sample_questions(index_settings, 6, seed=1)
    c, _ = sample_questions(index_settings, 6, seed=2)
    assert a == b and a != c and len(set(a)) == 6


def test_settings_reach_a_subprocess_through_the_environment(index_settings, monkeypatch):
    s = index_settings.model_copy(deep=True)
    s.retrieval.k = 5
    s.api.api_keys = ["secret"]
    for key, value in settings_env(s).items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    assert Settings() == s


def test_parse_levels():
    assert parse_levels("1,8") == [1, 8]
    for bad in ("0", "a,2", ""):
        with pytest.raises(Exception):
            parse_levels(bad)


def test_cli_writes_json(env, tmp_path):
    out = tmp_path / "reports" / "query.json"
    args = ["bench", "query", "--questions", "3", "--skip-server", "--skip-baseline", "--out", str(out), "--seed", "1"]
    res = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "Query latency" in res.stdout and "Index memory" in res.stdout
    data = json.loads(out.read_text())
    assert data["index"] == "test" and data["in_process"]["ask"]["n"] == 3
    assert data["server"] is None and data["baseline"] is None


def test_cli_refuses_bad_input(env, tmp_path):
    res = runner.invoke(app, ["bench", "query", "--concurrency", "0", "--out", str(tmp_path / "q.json")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["bench", "query", "--index", "missing", "--skip-server", "--out", str(tmp_path / "q.json")])
    assert res.exit_code == 1 and "guideqa index build --name missing" in res.stderr
    assert not (tmp_path / "q.json").exists()


def test_sentence_focus_levels_are_consistent(result, index_settings):
    from benchmarks.query import sentence_focus
    from rag.pipeline import Pipeline

    f = result.focus
    assert f is not None and 0 < f.questions <= QUESTIONS
    assert [lvl.rescore_top for lvl in f.levels] == sorted({0, 4, 8, index_settings.answer.rescore_top})
    for level in f.levels:
        assert 0 <= level.top1_agreement <= 1 and 0 <= level.top3_overlap <= 1 and 0 < level.pick_quality <= 1
    # A shortlist as long as every candidate is the independent ranking itself.
    pipeline = Pipeline(index_settings)
    everything = sentence_focus(pipeline, ["What lowers the risk of falls in older adults?"], levels=(1000,))
    assert everything.questions == 1
    assert everything.levels[0].top1_agreement == 1.0 and everything.levels[0].top3_overlap == 1.0
    assert everything.levels[0].pick_quality == 1.0
