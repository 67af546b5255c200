"""In-process timings of the query benchmark: counts, stage means and abstentions."""

from __future__ import annotations

from benchmarks.query.in_process import STAGES, bench_in_process
from benchmarks.query.questions import sample_questions
from tests.benchmarks.query.conftest import QUESTIONS, SEED, ordered

# Indexed in the test index (tests/conftest.py): ngc-10908 answers it.
IN_CORPUS = "What needle type reduces the risk of post-dural puncture headache?"


def test_in_process_counts_and_stages(result, built_index, pipeline, index_settings):
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
    # The count is the answers' own: asking the run's seeded questions again abstains exactly as often.
    questions, _ = sample_questions(index_settings, QUESTIONS, SEED)
    assert ip.abstained == sum(pipeline.ask(q).abstained for q in questions)


def test_out_of_corpus_questions_are_counted_as_abstentions_and_an_answered_one_is_not(pipeline):
    from evals.datasets import out_of_corpus

    outside = [q.question for q in out_of_corpus()[:2]]
    ip, _ = bench_in_process(pipeline, [IN_CORPUS, *outside], warmup=0)
    assert ip.ask.n == 3 and ip.abstained == len(outside)
