"""What `guideqa eval retrieval|answers|conversations` run: pick the queries, evaluate, write the report."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from evals import datasets as ds
from evals.answers import evaluate_answers
from evals.conversations import evaluate_conversation_answers, follow_up_recall
from evals.datasets import Conversation, EvalQuery
from evals.report import (
    write_answer_report,
    write_follow_up_report,
    write_retrieval_report,
)
from evals.retrieval import evaluate_retrieval
from rag.answering.verify import Judge
from rag.pipeline import Pipeline
from rag.settings import Settings

Progress = Callable[[Iterable, str], Iterable]
Say = Callable[[str], None]


def beir_queries(folder: Path, settings: Settings, tmp: Path, say: Say) -> tuple[str, list[EvalQuery], dict]:
    """(report name, queries, notes) of a BEIR folder, its documents indexed into `tmp` (where `settings` then point)."""
    from rag.indexing.build import build_index

    docs, queries = ds.load_beir(folder)
    settings.index.dir, settings.index.name = tmp, "beir"
    say(f"indexing {len(docs)} BEIR documents into a temporary index…")
    build_index(docs, settings)
    return f"beir:{folder.name}", queries, {}


def dataset_queries(settings: Settings, dataset: str, say: Say) -> tuple[str, list[EvalQuery], dict]:
    """(report name, queries, notes) of one of `evals.datasets.DATASETS`."""
    if dataset == "liveqa":
        queries, coverage = ds.liveqa(settings)
        say(f"LiveQA judgments mapped to this MedQuAD release: {coverage}")
        return dataset, queries, {"liveqa_coverage": coverage.model_dump()}
    return dataset, ds.DATASETS[dataset](settings), {}


def pick_queries(queries: Sequence[EvalQuery], indexed: frozenset[str] | set[str], sample: int | None, seed: int,
                 limit: int | None, notes: dict) -> tuple[list[EvalQuery], dict]:
    """The queries with a gold document in the index: a reproducible sample of them, then the first `limit`."""
    queries = [q for q in queries if set(q.qrels) & indexed]
    if sample is not None and sample < len(queries):
        queries = sorted(random.Random(seed).sample(queries, sample), key=lambda q: q.id)
        notes = notes | {"sample": {"size": sample, "seed": seed}}
    return queries[: limit or None], notes


def run_retrieval(pipe: Pipeline, settings: Settings, name: str, queries: Sequence[EvalQuery], notes: dict, depth: int,
                  out: Path, progress: Progress) -> tuple[dict, dict]:
    """(scores per retriever, the metrics written to `out`)."""
    scores, rows, seconds = evaluate_retrieval(pipe.retriever, queries, depth=depth, progress=progress)
    metrics = write_retrieval_report(out, dataset=name, scores=scores, rows=rows, seconds=seconds, settings=settings,
                                     index=pipe.index.info.model_dump(), n_queries=len(queries), notes=notes)
    return scores, metrics


def product_rewrite(pipe: Pipeline) -> Callable:
    """Follow-ups rewritten as the product does (the LLM when configured, else the rules)."""
    return lambda question, history: pipe.rewrite(question, history)[0]


def run_answers(pipe: Pipeline, settings: Settings, dataset: str, conversations: Sequence[Conversation], judge: Judge,
                limit: int | None, out: Path, progress: Progress) -> tuple[dict, str]:
    """(the metrics written to `out`, what was asked). With conversations, every turn and the follow-up retrieval;
    else the dataset's questions with a gold document in the index, plus our out-of-corpus ones (for abstention)."""
    follow_up = None
    if conversations:
        summary, rows, seconds = evaluate_conversation_answers(pipe, conversations, judge, progress=progress)
        try:
            follow_up, _ = follow_up_recall(pipe.retriever, conversations, rewrite=product_rewrite(pipe))
        except ValueError:
            pass  # no follow-up with gold documents and a standalone rewrite: answer metrics only
        asked = f"{len(conversations)} conversations, {len(rows)} turns"
    else:
        indexed = pipe.index.document_ids
        queries = [q for q in ds.DATASETS[dataset](settings) if set(q.qrels) & indexed][: limit or None]
        queries += ds.out_of_corpus()
        summary, rows, seconds = evaluate_answers(pipe, queries, judge, progress=progress)
        asked = f"{len(queries)} questions"
    metrics = write_answer_report(out, dataset=dataset, summary=summary, rows=rows, seconds=seconds, judge=judge.name,
                                  settings=settings, index=pipe.index.info.model_dump(), follow_up=follow_up)
    return metrics, asked


def run_follow_ups(pipe: Pipeline, conversations: Sequence[Conversation], out: Path | None) -> dict:
    """Follow-up retrieval recall, rewritten vs standalone vs raw; written to `out` when given."""
    scores, rows = follow_up_recall(pipe.retriever, conversations, rewrite=product_rewrite(pipe))
    if out:
        write_follow_up_report(out, scores=scores, rows=rows, index=pipe.index.info.model_dump())
    return scores
