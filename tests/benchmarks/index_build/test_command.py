"""`guideqa bench build`: bad input is refused, and a real run writes JSON that round-trips."""

from __future__ import annotations

from typer.testing import CliRunner

from benchmarks.index_build.run import BuildBenchmark
from rag.cli import app
from tests.benchmarks.index_build.conftest import LIMIT


def test_cli_rejects_unknown_backends_and_presets(tmp_path):
    runner = CliRunner()
    bad_backend = runner.invoke(app, ["bench", "build", "--backends", "torch,cuda", "--out", str(tmp_path / "x.json")])
    assert bad_backend.exit_code == 2 and "cuda" in bad_backend.output
    bad_preset = runner.invoke(app, ["bench", "build", "--preset", "no-such-preset", "--out", str(tmp_path / "x.json")])
    assert bad_preset.exit_code == 1 and "no-such-preset" in bad_preset.output
    assert not (tmp_path / "x.json").exists()


def test_cli_builds_both_sides_and_writes_the_json(cli_run):
    result, out = cli_run
    assert result.exit_code == 0, result.output
    assert "LangChain baseline" in result.output and "langchain torch" in result.output
    report = BuildBenchmark.model_validate_json(out.read_text(encoding="utf-8"))
    assert BuildBenchmark.model_validate_json(report.model_dump_json()) == report
    assert report.preset == "default" and report.limit_docs == LIMIT
    assert report.machine.cpu_count and report.versions["langchain-community"] != "not installed"
