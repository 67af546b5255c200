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
from rag.pipeline import Pipeline

__all__ = ["guideline_dev", "out_of_corpus", "pubmedqa_queries", "recall_at", "best_scores", "calibrate"]

def pubmedqa_queries(pipe: Pipeline, limit: int | None = None) -> list[EvalQuery]:
    """PubMedQA questions whose abstract is in the loaded index."""
    in_index = pipe.index.document_ids
    out = [q for q in pubmedqa(pipe.settings) if set(q.qrels) & in_index]
    return out[:limit] if limit else out


def ranked_docs(pipe: Pipeline, question: str, mode: str, depth: int = 50) -> list[str]:
    hits = pipe.retriever.search(question, k=depth, mode=mode)
    return list(dict.fromkeys(h.chunk.doc_id for h in hits))


def recall_at(pipe: Pipeline, queries: list[EvalQuery], ks=(1, 5, 10), modes=("bm25", "dense", "hybrid"),
              progress: Callable[[Iterable], Iterable] = lambda x: x) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for mode in modes:
        hits = {k: 0 for k in ks}
        for q in progress(queries):
            docs = ranked_docs(pipe, q.question, mode)
            for k in ks:
                hits[k] += any(g in docs[:k] for g in q.qrels)
        out[mode] = {f"recall@{k}": round(hits[k] / len(queries), 4) for k in ks}
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
