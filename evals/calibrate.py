"""Retrieval recall and abstention calibration on the loaded index.

- Recall@k of the gold document for PubMedQA questions (each question's own
  abstract) and for our guideline dev questions, per retriever.
- Abstention: the extractive writer abstains when the best evidence
  sentence's cosine to the question is below `answer.abstain_threshold`.
  We compare that score on in-corpus questions (PubMedQA) and on
  out-of-corpus questions we wrote (evals/data/out_of_corpus.jsonl), report
  both abstention rates, and suggest the threshold that maximises balanced
  accuracy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from pydantic import BaseModel

from evals.datasets import EvalQuery, guideline_dev, out_of_corpus, pubmedqa
from evals.retrieval import rank_documents, ranx_scores
from rag.pipeline import Pipeline
from rag.settings import Settings

__all__ = ["guideline_dev", "out_of_corpus", "pubmedqa_queries", "recall_at", "best_scores", "calibrate", "run_calibration"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def pubmedqa_queries(pipe: Pipeline, limit: int | None = None) -> list[EvalQuery]:
    """PubMedQA questions whose abstract is in the loaded index."""
    in_index = pipe.index.document_ids
    out = [q for q in pubmedqa(pipe.settings) if set(q.qrels) & in_index]
    return out[:limit] if limit else out


def recall_at(pipe: Pipeline, queries: list[EvalQuery], ks=(1, 5, 10), modes=("bm25", "dense", "hybrid"),
              progress: Callable[[Iterable], Iterable] = lambda x: x) -> dict[str, dict[str, float]]:
    """Per retriever, the share of queries with a gold document in the top k (ranx hit_rate@k: recall@k for one gold)."""
    qrels = {str(i): dict(q.qrels) for i, q in enumerate(queries)}  # by position: ids need not be unique
    out: dict[str, dict[str, float]] = {}
    for mode in modes:
        rankings = {str(i): [d for d, _ in rank_documents(pipe.retriever, q.question, mode, 50)]
                    for i, q in enumerate(progress(queries))}
        scores = ranx_scores(qrels, rankings, [f"hit_rate@{k}" for k in ks])
        out[mode] = {f"recall@{k}": round(scores[f"hit_rate@{k}"], 4) for k in ks}
    return out


def best_scores(pipe: Pipeline, queries: list[EvalQuery], progress=lambda x: x) -> np.ndarray:
    return np.array([pipe.gather(q.question).best_relevance for q in progress(queries)])


class Calibration(BaseModel):
    threshold: float
    in_corpus_abstention: float
    out_of_corpus_abstention: float
    suggested_threshold: float
    suggested_in_corpus_abstention: float
    suggested_out_of_corpus_abstention: float
    n_in: int
    n_out: int


def calibrate(in_scores: np.ndarray, out_scores: np.ndarray, threshold: float) -> Calibration:
    grid = np.round(np.arange(0.2, 0.8, 0.01), 2)
    # Balanced accuracy: answer in-corpus questions, abstain on out-of-corpus ones.
    bal = [((in_scores >= t).mean() + (out_scores < t).mean()) / 2 for t in grid]
    best = float(grid[int(np.argmax(bal))])
    return Calibration(
        threshold=threshold,
        in_corpus_abstention=round(float((in_scores < threshold).mean()), 4),
        out_of_corpus_abstention=round(float((out_scores < threshold).mean()), 4),
        suggested_threshold=best,
        suggested_in_corpus_abstention=round(float((in_scores < best).mean()), 4),
        suggested_out_of_corpus_abstention=round(float((out_scores < best).mean()), 4),
        n_in=len(in_scores),
        n_out=len(out_scores),
    )


def run_calibration(pipe: Pipeline, settings: Settings, limit: int | None = None,
                    progress: Callable[[Iterable, str], Iterable] = lambda x, _: x) -> dict:
    """`guideqa eval calibrate`: recall per retriever, abstention rates in vs out of corpus, best-score quantiles."""
    pubmed = pubmedqa_queries(pipe, limit)
    dev = [q for q in guideline_dev() if set(q.qrels) & pipe.index.document_ids]
    results: dict = {"index": pipe.index.info.model_dump(), "n_pubmedqa": len(pubmed), "n_guideline_dev": len(dev)}
    results["pubmedqa_recall"] = recall_at(pipe, pubmed, progress=lambda x: progress(x, "PubMedQA recall"))
    if dev:
        results["guideline_dev_recall"] = recall_at(pipe, dev, progress=lambda x: progress(x, "guideline recall"))
    in_scores = best_scores(pipe, pubmed, progress=lambda x: progress(x, "in-corpus scores"))
    out_scores = best_scores(pipe, out_of_corpus(), progress=lambda x: progress(x, "out-of-corpus scores"))
    results["abstention"] = calibrate(in_scores, out_scores, settings.answer.abstain_threshold).model_dump()
    results["best_score_quantiles"] = {
        "in_corpus": [round(float(q), 3) for q in np.quantile(in_scores, QUANTILES)],
        "out_of_corpus": [round(float(q), 3) for q in np.quantile(out_scores, QUANTILES)],
    }
    return results
