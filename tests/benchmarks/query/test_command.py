"""`guideqa bench query`: options parsed, JSON written, bad input refused."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from benchmarks.query.command import parse_levels
from rag.cli import app

runner = CliRunner()


@pytest.fixture
def env(index_settings, built_index, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "test")
    return index_settings


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
