import numpy as np

from evals import calibrate as cal


def test_calibrate_picks_a_separating_threshold():
    in_scores = np.array([0.7, 0.65, 0.8, 0.6, 0.55])
    out_scores = np.array([0.2, 0.3, 0.25, 0.35, 0.5])
    c = cal.calibrate(in_scores, out_scores, threshold=0.5)
    assert c.in_corpus_abstention == 0.0 and c.out_of_corpus_abstention == 0.8
    assert 0.5 < c.suggested_threshold <= 0.55
    assert c.suggested_in_corpus_abstention == 0.0 and c.suggested_out_of_corpus_abstention == 1.0


def test_question_sets_are_well_formed():
    ooc = cal.out_of_corpus()
    dev = cal.guideline_dev()
    assert len(ooc) >= 30 and len({q.id for q in ooc}) == len(ooc)
    assert all(q.qrels and all(g.startswith("ngc-") for g in q.qrels) for q in dev)


def test_recall_on_the_test_index(pipeline):
    queries = cal.pubmedqa_queries(pipeline)
    assert len(queries) == 60  # only questions whose abstract is in the index
    recall = cal.recall_at(pipeline, queries[:15], ks=(1, 10), modes=("bm25", "hybrid"))
    assert set(recall) == {"bm25", "hybrid"}
    assert recall["hybrid"]["recall@10"] >= 0.9
    assert recall["bm25"]["recall@1"] <= recall["bm25"]["recall@10"]


def test_in_corpus_questions_score_above_out_of_corpus_ones(pipeline):
    inside = cal.best_scores(pipeline, cal.pubmedqa_queries(pipeline)[:10])
    outside = cal.best_scores(pipeline, cal.out_of_corpus()[:10])
    assert np.median(inside) > np.median(outside) + 0.1


def test_the_calibration_run_reports_recall_abstention_and_quantiles(pipeline, index_settings):
    results = cal.run_calibration(pipeline, index_settings, limit=5)
    assert results["n_pubmedqa"] == 5 and results["index"]["name"] == "test"
    assert set(results["pubmedqa_recall"]) == {"bm25", "dense", "hybrid"}
    assert set(results["pubmedqa_recall"]["hybrid"]) == {"recall@1", "recall@5", "recall@10"}
    assert results["abstention"]["n_in"] == 5 and results["abstention"]["threshold"] == index_settings.answer.abstain_threshold
    assert all(len(q) == 5 for q in results["best_score_quantiles"].values())
