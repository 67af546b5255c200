"""Sentence focus of the query benchmark: shortlist levels consistent, a full shortlist is the truth itself."""

from __future__ import annotations

from benchmarks.query.focus import sentence_focus
from tests.benchmarks.query.conftest import QUESTIONS


def test_sentence_focus_levels_are_consistent(result, index_settings):
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
