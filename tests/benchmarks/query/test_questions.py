"""The query benchmark's question sample is seeded."""

from __future__ import annotations

from benchmarks.query.questions import sample_questions


def test_question_sample_is_seeded(index_settings):
    a, _ = sample_questions(index_settings, 6, seed=1)
    b, _ = sample_questions(index_settings, 6, seed=1)
    c, _ = sample_questions(index_settings, 6, seed=2)
    assert a == b and a != c and len(set(a)) == 6
