"""`guideqa eval retrieval|answers|conversations` end to end through typer's runner: arguments, reports, tables."""

import json
from pathlib import Path

from typer.testing import CliRunner

from rag.cli import app
from tests.evals.test_conversations import _write_conversations

BEIR = Path(__file__).resolve().parents[2] / "fixtures" / "beir_tiny"


def test_beir_cli_writes_a_report(tmp_path, index_settings, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["eval", "retrieval", "--beir", str(BEIR), "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dataset"] == "beir:beir_tiny" and metrics["queries"] == 3
    assert metrics["metrics"]["hybrid/ndcg@10"] == metrics["retrieval"]["hybrid"]["ndcg@10"]
    assert {"bm25/recall@10", "dense/mrr@10", "hybrid/recall@50"} <= set(metrics["metrics"])
    assert metrics["retrieval"]["hybrid"]["recall@5"] == 1.0  # three easy questions over five documents
    assert metrics["versions"]["ranx"] and metrics["settings"]["retrieval"]["rrf_k"] == 10
    assert (out / "success_at_k.png").stat().st_size > 1000
    assert "| hybrid |" in (out / "report.md").read_text()
    assert len((out / "queries.jsonl").read_text().splitlines()) == 3 * 3
    # The temporary index is gone and the configured one untouched.
    assert not list(Path(index_settings.index.dir).glob("beir*"))


def test_cli_rejects_bad_arguments():
    runner = CliRunner()
    assert "exactly one" in runner.invoke(app, ["eval", "retrieval"]).stderr
    assert "unknown dataset" in runner.invoke(app, ["eval", "retrieval", "--dataset", "nope"]).stderr
    assert "not a BEIR folder" in runner.invoke(app, ["eval", "retrieval", "--beir", "/tmp"]).stderr


def test_a_sample_is_reproducible_and_recorded(tmp_path, index_settings, built_index, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "test")
    ids = []
    for run in ("a", "b"):
        out = tmp_path / run
        args = ["eval", "retrieval", "--dataset", "pubmedqa", "--sample", "5", "--seed", "7", "--depth", "20", "--out", str(out)]
        result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        metrics = json.loads((out / "metrics.json").read_text())
        assert metrics["queries"] == 5 and metrics["dataset_notes"]["sample"] == {"size": 5, "seed": 7}
        ids.append(sorted({json.loads(line)["id"] for line in (out / "queries.jsonl").read_text().splitlines()}))
    assert ids[0] == ids[1] and len(ids[0]) == 5


def test_cli_writes_an_answer_report(tmp_path, index_settings, built_index, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "test")
    out = tmp_path / "answers"
    result = CliRunner().invoke(app, ["eval", "answers", "--dataset", "pubmedqa", "--limit", "3", "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["judge"].startswith("lexical") and metrics["answers"]["answers"] == 3 + 40
    assert metrics["metrics"]["answers/abstain_rate_unanswerable"] == 1.0
    assert {"answers/support_rate", "answers/citation_precision", "answers/false_abstain_rate"} <= set(metrics["metrics"])
    assert (out / "answer_metrics.png").stat().st_size > 1000 and (out / "support_by_section.png").stat().st_size > 1000
    assert set(metrics["support_rate_by_section"]) <= {"guideline", "research", "patient"}
    assert all(v == 1.0 for v in metrics["support_rate_by_section"].values())
    assert len((out / "answers.jsonl").read_text().splitlines()) == 43


def test_cli_answers_over_a_conversation_file(tmp_path, index_settings, built_index, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "test")
    _write_conversations(tmp_path / "c.jsonl")
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["eval", "answers", "--dataset", f"conversations:{tmp_path / 'c.jsonl'}", "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["answers"]["answers"] == 4
    assert metrics["metrics"]["followup/recall@10"] == 1.0 and metrics["metrics"]["followup/standalone_recall@10"] == 1.0
    assert metrics["metrics"]["followup/raw_recall@10"] <= metrics["metrics"]["followup/recall@10"]
    assert "Follow-up retrieval" in (out / "report.md").read_text()
    assert len((out / "answers.jsonl").read_text().splitlines()) == 4


def test_cli_rejects_a_missing_conversation_file(tmp_path):
    result = CliRunner().invoke(app, ["eval", "answers", "--dataset", f"conversations:{tmp_path / 'nope.jsonl'}"])
    assert result.exit_code != 0 and "nope.jsonl" in result.output


def test_cli_reports_follow_up_retrieval(tmp_path, env):
    _write_conversations(tmp_path / "c.jsonl")
    out = tmp_path / "conv"
    result = CliRunner().invoke(app, ["eval", "conversations", "--file", str(tmp_path / "c.jsonl"), "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "follow-up retrieval (1 turns)" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["kind"] == "conversations" and metrics["index"]["name"] == "test"
    assert metrics["follow_up_retrieval"]["standalone"] == {"recall@1": 1.0, "recall@5": 1.0, "recall@10": 1.0, "turns": 1}
    rows = [json.loads(line) for line in (out / "turns.jsonl").read_text().splitlines()]
    assert [(r["conversation"], r["turn"]) for r in rows] == [("a", 2)]
