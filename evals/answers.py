"""Answer and citation metrics over full answers.

Per answer: citation integrity (every [n] resolves, no reference uncited);
ALCE-style citation recall (the statement is supported by the union of its
cited passages) and precision (a citation's passage supports the statement on
its own, or the others do not without it); SourceCheckup-style statement
support rate and fully supported answers; gold-source hit; abstention.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel

from evals.datasets import EvalQuery
from rag.answering.verify import Judge
from rag.pipeline import Pipeline
from rag.types import Answer


class AnswerResult(BaseModel):
    id: str
    question: str
    answerable: bool
    abstained: bool
    statements: int
    supported: int
    citations: int
    precise_citations: int
    integrity: bool
    by_section: dict[str, list[int]] = {}  # section kind -> [supported, statements]
    gold_hit: bool | None
    cited: list[str]
    asked_as: str | None = None  # the standalone question the pipeline answered (follow-ups)
    writer: str = "extractive"
    llm_called: bool = False
    llm_fallback: str | None = None  # why the extractive answer replaced the LLM's
    llm_sentences: int = 0  # sentences the LLM wrote
    llm_removed: int = 0  # removed by verification (unsupported or uncited)
    llm_removed_citations: int = 0
    rewrite: str = "none"  # how a follow-up became standalone: "llm", "rules" or "none"
    rewrite_fallback: str | None = None


def cited_passages(answer: Answer, pipeline: Pipeline) -> dict[int, list[str]]:
    return {r.n: [c.text for c in (pipeline.index.chunk_by_id(cid) for cid in r.chunk_ids) if c] for r in answer.references}


def integrity(answer: Answer) -> bool:
    numbers = {r.n for r in answer.references}
    cited = set(answer.cited_numbers())
    return cited == numbers and all(1 <= n <= len(answer.references) for n in cited)


def score_answer(q: EvalQuery, answer: Answer, pipeline: Pipeline, judge: Judge) -> AnswerResult:
    passages = cited_passages(answer, pipeline)
    statements = supported = citations = precise = 0
    by_section: dict[str, list[int]] = {}
    for section in answer.sections:
        if section.kind == "related":
            continue  # labelled as not answering; not claims of the answer
        for st in section.statements:
            statements += 1
            union = [p for n in st.citations for p in passages.get(n, [])]
            ok = judge.supports(st.text, union)
            supported += ok
            tally = by_section.setdefault(section.kind, [0, 0])
            tally[0] += ok
            tally[1] += 1
            for n in st.citations:
                citations += 1
                alone = judge.supports(st.text, passages.get(n, []))
                others = [p for m in st.citations if m != n for p in passages.get(m, [])]
                precise += alone or (ok and not judge.supports(st.text, others))
    cited = [r.doc_id for r in answer.references]
    return AnswerResult(
        id=q.id, question=q.question, answerable=q.answerable, abstained=answer.abstained, statements=statements,
        supported=supported, citations=citations, precise_citations=precise, integrity=integrity(answer), by_section=by_section,
        gold_hit=(bool(set(cited) & set(q.qrels)) if q.qrels else None), cited=cited,
        asked_as=answer.standalone_question if answer.standalone_question != q.question else None,
        writer=answer.writer.name, llm_called=answer.writer.llm_called, llm_fallback=answer.writer.fallback,
        llm_sentences=answer.writer.sentences,
        llm_removed=answer.writer.removed_unsupported + answer.writer.removed_uncited,
        llm_removed_citations=answer.writer.removed_citations,
        rewrite=answer.writer.rewrite, rewrite_fallback=answer.writer.rewrite_fallback,
    )


def evaluate_answers(
    pipeline: Pipeline,
    queries: Sequence[EvalQuery],
    judge: Judge,
    progress: Callable[[Iterable, str], Iterable] = lambda x, _: x,
) -> tuple[dict[str, float], list[AnswerResult], float]:
    started = time.perf_counter()
    rows = [score_answer(q, pipeline.ask(q.question), pipeline, judge) for q in progress(queries, "answers")]
    return summarise(rows), rows, round(time.perf_counter() - started, 2)


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def support_by_section(rows: Sequence[AnswerResult]) -> dict[str, float | None]:
    totals: dict[str, list[int]] = {}
    for r in rows:
        for kind, (ok, n) in r.by_section.items():
            t = totals.setdefault(kind, [0, 0])
            t[0] += ok
            t[1] += n
    return {kind: _ratio(ok, n) for kind, (ok, n) in totals.items()}


def summarise(rows: Sequence[AnswerResult]) -> dict[str, float | None]:
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    answered = [r for r in answerable if not r.abstained]
    called = [r for r in rows if r.llm_called]  # the LLM writer was asked (evidence above the abstention gate)
    tried_llm_rewrite = any(r.rewrite == "llm" or r.rewrite_fallback for r in rows)
    return {
        "answers": len(rows),
        "citation_integrity": _ratio(sum(r.integrity for r in rows), len(rows)),
        "citation_recall": _ratio(sum(r.supported for r in answered), sum(r.statements for r in answered)),
        "citation_precision": _ratio(sum(r.precise_citations for r in answered), sum(r.citations for r in answered)),
        "statement_support_rate": _ratio(sum(r.supported for r in answered), sum(r.statements for r in answered)),
        "fully_supported_answers": _ratio(sum(r.statements > 0 and r.supported == r.statements for r in answered), len(answered)),
        "gold_source_hit_rate": _ratio(sum(bool(r.gold_hit) for r in answered), sum(r.gold_hit is not None for r in answered)),
        "abstention_on_unanswerable": _ratio(sum(r.abstained for r in unanswerable), len(unanswerable)),
        "false_abstention_on_answerable": _ratio(sum(r.abstained for r in answerable), len(answerable)),
        # The LLM writer: how often its answer was replaced, and how much verification removed.
        "llm_fallback_rate": _ratio(sum(r.llm_fallback is not None for r in called), len(called)),
        "llm_removed_sentence_rate": _ratio(sum(r.llm_removed for r in called), sum(r.llm_sentences for r in called)),
        "llm_removed_citations": sum(r.llm_removed_citations for r in called) if called else None,
        "llm_rewrite_rate": _ratio(sum(r.rewrite == "llm" for r in rows), sum(r.rewrite != "none" for r in rows))
        if tried_llm_rewrite else None,
    }


_FLAT = {
    "citation_integrity": "answers/citation_integrity",
    "citation_recall": "answers/citation_recall",
    "citation_precision": "answers/citation_precision",
    "statement_support_rate": "answers/support_rate",
    "fully_supported_answers": "answers/fully_supported_rate",
    "gold_source_hit_rate": "answers/gold_hit_rate",
    "abstention_on_unanswerable": "answers/abstain_rate_unanswerable",
    "false_abstention_on_answerable": "answers/false_abstain_rate",
    "llm_fallback_rate": "answers/llm_fallback_rate",
    "llm_removed_sentence_rate": "answers/llm_removed_sentence_rate",
    "llm_removed_citations": "answers/llm_removed_citations",
    "llm_rewrite_rate": "answers/llm_rewrite_rate",
}


def flat_answer_metrics(summary: dict) -> dict:
    """The stable, flat metric names other tools read (issue 4's command contract)."""
    return {flat: summary[key] for key, flat in _FLAT.items()}


class AnswerEvaluator:
    """Callable: evaluator(pipeline) -> {"answers/support_rate": …, …}; per-answer rows in `.rows`."""

    primary_metric = "answers/support_rate"

    def __init__(self, queries: Sequence[EvalQuery], judge: Judge):
        self.queries, self.judge = list(queries), judge
        self.rows: list[AnswerResult] = []

    def __call__(self, pipeline: Pipeline) -> dict[str, float | None]:
        summary, self.rows, _ = evaluate_answers(pipeline, self.queries, self.judge)
        return flat_answer_metrics(summary)
