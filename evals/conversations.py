"""Conversations: follow-up retrieval recall, and answer metrics for every turn.

Follow-up retrieval: does the product's rewriting recover what a standalone question finds?

Each follow-up turn is retrieved three ways: through the product's own
rewriting with the conversation's earlier turns, as the person-written
`standalone` text with no history (the ceiling), and as the raw follow-up with
no history (the floor).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from evals.answers import AnswerResult, score_answer, summarise
from evals.datasets import Conversation, EvalQuery
from evals.retrieval import rank_documents, ranx_scores
from rag.answering.verify import Judge
from rag.conversation import standalone_question
from rag.pipeline import Pipeline
from rag.retrieval.retriever import Retriever
from rag.types import Turn

KS = (1, 5, 10)
WAYS = ("rewritten", "standalone", "raw")


def follow_up_recall(retriever: Retriever, conversations: Sequence[Conversation], depth: int = 50,
                     rewrite: Callable[[str, list[Turn]], str] | None = None) -> tuple[dict, list[dict]]:
    """Recall of each follow-up's gold documents, asked three ways. `rewrite` is how the product rewrites
    (a pipeline's `rewrite`, LLM or rules); by default the rule-based rewriter."""
    rewrite = rewrite or (lambda question, history: standalone_question(question, history, retriever.settings))
    qrels: dict[str, dict[str, int]] = {}
    rankings: dict[str, dict[str, list[str]]] = {w: {} for w in WAYS}
    rows: list[dict] = []
    for conv in conversations:
        history: list[Turn] = []
        for i, turn in enumerate(conv.turns):
            rewritten = rewrite(turn.question, history)
            if i > 0 and turn.gold_doc_ids and turn.standalone:
                n = str(len(qrels))  # by position: conversation ids need not be unique
                qrels[n] = {d: 1 for d in turn.gold_doc_ids}
                texts = {"rewritten": rewritten, "standalone": turn.standalone, "raw": turn.question}
                row = {"conversation": conv.id, "turn": i + 1, **{f"{w}_query": t for w, t in texts.items()}}
                for way, text in texts.items():
                    docs = [d for d, _ in rank_documents(retriever, text, "hybrid", depth)]
                    rankings[way][n] = docs
                    row[f"{way}_first_gold_rank"] = next((r + 1 for r, d in enumerate(docs) if d in turn.gold_doc_ids), None)
                rows.append(row)
            history.append(Turn(question=turn.question, standalone_question=rewritten))
    if not qrels:
        raise ValueError("no follow-up turn has gold documents and a standalone rewrite")
    # Share of follow-ups with a gold document in the top k: ranx hit_rate@k, recall@k for one gold document.
    metrics = [f"hit_rate@{k}" for k in KS]
    scores = {w: ranx_scores(qrels, rankings[w], metrics) for w in WAYS}
    return {w: {f"recall@{k}": round(scores[w][f"hit_rate@{k}"], 4) for k in KS} | {"turns": len(qrels)} for w in WAYS}, rows


def evaluate_conversation_answers(
    pipeline: Pipeline,
    conversations: Sequence[Conversation],
    judge: Judge,
    progress: Callable[[Iterable, str], Iterable] = lambda x, _: x,
) -> tuple[dict[str, float | None], list[AnswerResult], float]:
    """Answer every turn in order, each follow-up with the conversation's earlier turns, and score it like any answer."""
    started = time.perf_counter()
    rows: list[AnswerResult] = []
    for conv in progress(conversations, "conversations"):
        history: list[Turn] = []
        for i, turn in enumerate(conv.turns, 1):
            answer = pipeline.ask(turn.question, history)
            q = EvalQuery(id=f"{conv.id}#{i}", question=turn.question,
                          qrels={d: 1 for d in turn.gold_doc_ids}, answerable=turn.answerable)
            rows.append(score_answer(q, answer, pipeline, judge))
            history.append(Turn(question=turn.question, standalone_question=answer.standalone_question))
    return summarise(rows), rows, round(time.perf_counter() - started, 2)


def flat_follow_up_metrics(scores: dict) -> dict[str, float]:
    """followup/recall@k (rewritten with history), followup/standalone_recall@k, followup/raw_recall@k."""
    prefix = {"rewritten": "followup/", "standalone": "followup/standalone_", "raw": "followup/raw_"}
    return {f"{prefix[way]}{name}": v for way, values in scores.items() for name, v in values.items() if name != "turns"}
