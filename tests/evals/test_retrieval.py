from evals.datasets import EvalQuery
from evals.retrieval import evaluate_retrieval


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




def test_retrieval_evaluator_is_a_callable_returning_flat_metrics(pipeline):
    from evals.retrieval import RetrievalEvaluator

    evaluator = RetrievalEvaluator([EvalQuery(id="pdph", question="What needle type reduces the risk of post-dural puncture headache?",
                                              qrels={"ngc-10908": 1})], modes=("hybrid",), depth=20)
    metrics = evaluator(pipeline.retriever)
    assert evaluator.primary_metric in metrics and metrics["hybrid/recall@10"] == 1.0
    assert len(evaluator.rows) == 1 and evaluator.rows[0].first_gold_rank is not None
