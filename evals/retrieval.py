"""Retrieval metrics per retriever (BM25, dense, hybrid) with ranx.

Documents are ranked by their best chunk: a chunk ranking is folded into a
document ranking (first occurrence wins), since gold labels name documents.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel

from evals.datasets import EvalQuery
from rag.retrieval.retriever import Retriever

METRICS = ["ndcg@10", "recall@1", "recall@5", "recall@10", "recall@50", "mrr@10"]
MODES = ("bm25", "dense", "hybrid")


class QueryResult(BaseModel):
    id: str
    mode: str
    question: str
    gold: dict[str, int]
    ranked: list[str]
    first_gold_rank: int | None


def rank_documents(retriever: Retriever, question: str, mode: str, depth: int) -> list[tuple[str, float]]:
    hits = retriever.search(question, k=depth, mode=mode)
    seen: dict[str, float] = {}
    for h in hits:
        seen.setdefault(h.chunk.doc_id, h.score)
    return list(seen.items())


def ranx_scores(qrels: dict[str, dict[str, int]], rankings: dict[str, list[str]], metrics: Sequence[str]) -> dict[str, float]:
    """ranx `metrics` of document rankings against gold documents (both keyed by query), averaged over the queries."""
    from ranx import Qrels, Run, evaluate

    # ranx wants strictly ordered scores; use the rank, not fusion scores that may tie.
    run = {q: {doc: float(len(docs) - i) for i, doc in enumerate(docs)} or {"__none__": 0.0} for q, docs in rankings.items()}
    result = evaluate(Qrels(qrels), Run(run), list(metrics), make_comparable=True)
    return {m: float(v) for m, v in result.items()} if isinstance(result, dict) else {metrics[0]: float(result)}


def evaluate_retrieval(
    retriever: Retriever,
    queries: Sequence[EvalQuery],
    modes: Sequence[str] = MODES,
    depth: int = 100,
    progress: Callable[[Iterable, str], Iterable] = lambda x, _: x,
) -> tuple[dict[str, dict[str, float]], list[QueryResult], dict[str, float]]:
    """Returns ({mode: {metric: value}}, per-query results, seconds per mode)."""
    judged = [q for q in queries if q.qrels]
    if not judged:
        raise ValueError("no query has a gold document")
    qrels = {q.id: dict(q.qrels) for q in judged}
    scores: dict[str, dict[str, float]] = {}
    rows: list[QueryResult] = []
    seconds: dict[str, float] = {}
    # Retrieval may return fewer than `depth` chunks per document; keep the whole document ranking.
    per_doc_depth = max(depth, retriever.settings.retrieval.max_per_document * 50)
    for mode in modes:
        started = time.perf_counter()
        rankings: dict[str, list[str]] = {}
        for q in progress(judged, f"{mode:>6}"):
            ids = [d for d, _ in rank_documents(retriever, q.question, mode, per_doc_depth)[:depth]]
            rankings[q.id] = ids
            first = next((i + 1 for i, d in enumerate(ids) if d in q.qrels), None)
            rows.append(QueryResult(id=q.id, mode=mode, question=q.question, gold=q.qrels, ranked=ids[:10], first_gold_rank=first))
        seconds[mode] = round(time.perf_counter() - started, 2)
        scores[mode] = {m: round(v, 4) for m, v in ranx_scores(qrels, rankings, METRICS).items()}
    return scores, rows, seconds


def recall_curve(rows: Sequence[QueryResult], mode: str, ks: Sequence[int] = (1, 2, 3, 5, 10)) -> list[float]:
    """Share of queries with a gold document within the top k (from the per-query ranks)."""
    mine = [r for r in rows if r.mode == mode]
    return [sum(r.first_gold_rank is not None and r.first_gold_rank <= k for r in mine) / len(mine) for k in ks]


class RetrievalEvaluator:
    """Callable in the sentence-transformers shape: evaluator(retriever) -> {"hybrid/ndcg@10": …, …}.

    Keeps the last run's per-query results in `.rows`, for reports and error analysis.
    """

    primary_metric = "hybrid/ndcg@10"

    def __init__(self, queries: Sequence[EvalQuery], modes: Sequence[str] = MODES, depth: int = 100, name: str = ""):
        self.queries, self.modes, self.depth, self.name = list(queries), tuple(modes), depth, name
        self.rows: list[QueryResult] = []
        self.seconds: dict[str, float] = {}

    def __call__(self, retriever: Retriever) -> dict[str, float]:
        scores, self.rows, self.seconds = evaluate_retrieval(retriever, self.queries, self.modes, self.depth)
        return {f"{mode}/{metric}": value for mode, values in scores.items() for metric, value in values.items()}
