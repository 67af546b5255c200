"""The benchmark's questions: a seeded mix of our guideline dev set and PubMedQA."""

from __future__ import annotations

import random

from pydantic import BaseModel


class QuestionSample(BaseModel):
    seed: int
    total: int
    pubmedqa: int
    guideline_dev: int


def sample_questions(settings, n: int, seed: int) -> tuple[list[str], QuestionSample]:
    """A seeded mix of real questions: up to half from our guideline dev set, the rest from PubMedQA."""
    from evals.datasets import guideline_dev, pubmedqa

    if n < 1:
        raise ValueError("need at least one question")
    rng = random.Random(seed)
    guideline = [q.question for q in guideline_dev()]
    research = [q.question for q in pubmedqa(settings)]
    n_guideline = min(len(guideline), n // 2)
    n_research = min(len(research), n - n_guideline)
    chosen = rng.sample(guideline, n_guideline) + rng.sample(research, n_research)
    rng.shuffle(chosen)
    return chosen, QuestionSample(seed=seed, total=len(chosen), pubmedqa=n_research, guideline_dev=n_guideline)
