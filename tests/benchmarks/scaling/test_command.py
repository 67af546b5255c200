"""`guideqa bench scaling` on the session's small real index: JSON that round-trips, clear errors."""

import json

from typer.testing import CliRunner

from benchmarks.scaling.run import ScalingResult
from rag.cli import app

runner = CliRunner()


def test_cli_writes_json_that_round_trips(index_settings, built_index, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    out = tmp_path / "bench" / "scaling.json"
    result = runner.invoke(
        app, ["bench", "scaling", "--index", "test", "--sizes", "2000", "--queries", "8", "--out", str(out), "--seed", "3"],
        env={"COLUMNS": "220"},
    )
    assert result.exit_code == 0, result.output
    assert "recommendation:" in result.stdout and "HNSW32" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    parsed = ScalingResult.model_validate(data)
    assert parsed.model_dump(mode="json") == data
    assert parsed.index_name == "test" and parsed.queries == 8 and parsed.seed == 3
    assert {r.size for r in parsed.rows} == {2000}
    assert " ".join(parsed.recommendation.split()) in " ".join(result.stdout.split())  # rich may wrap the line


def test_cli_reports_a_missing_index_and_bad_sizes(index_settings, built_index, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    result = runner.invoke(app, ["bench", "scaling", "--index", "missing", "--sizes", "2000", "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "no index named 'missing'" in result.stderr
    result = runner.invoke(app, ["bench", "scaling", "--index", "test", "--sizes", "2000,lots"])
    assert result.exit_code == 2 and "comma list" in result.stderr
    assert not (tmp_path / "x.json").exists()
