import json
from pathlib import Path

from typer.testing import CliRunner

from evals.datasets import EvalQuery
from evals.retrieval import evaluate_retrieval
from rag.cli import app

BEIR = Path(__file__).resolve().parents[1] / "fixtures" / "beir_tiny"


def test_metrics_per_retriever_on_the_test_index(pipeline):
    queries = [
        EvalQuery(id="pdph", question="What needle type reduces the risk of post-dural puncture headache?", qrels={"ngc-10908": 1}),
        EvalQuery(id="miss", question="What needle type reduces the risk of post-dural puncture headache?", qrels={"pubmed:0": 1}),
    ]
    scores, rows, seconds = evaluate_retrieval(pipeline.retriever, queries, modes=("bm25", "hybrid"), depth=20)
    assert set(scores) == {"bm25", "hybrid"} and set(seconds) == {"bm25", "hybrid"}
    for mode in scores:
        # One query finds its gold document, the other cannot (its gold is not in the index): recall@50 is exactly 0.5.
        assert scores[mode]["recall@50"] == 0.5
        assert 0 < scores[mode]["ndcg@10"] <= 0.5 and 0 < scores[mode]["mrr@10"] <= 0.5
    assert {r.first_gold_rank is None for r in rows if r.id == "miss"} == {True}


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


def test_retrieval_evaluator_is_a_callable_returning_flat_metrics(pipeline):
    from evals.retrieval import RetrievalEvaluator

    evaluator = RetrievalEvaluator([EvalQuery(id="pdph", question="What needle type reduces the risk of post-dural puncture headache?",
                                              qrels={"ngc-10908": 1})], modes=("hybrid",), depth=20)
    metrics = evaluator(pipeline.retriever)
    assert evaluator.primary_metric in metrics and metrics["hybrid/recall@10"] == 1.0
    assert len(evaluator.rows) == 1 and evaluator.rows[0].first_gold_rank is not None


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
