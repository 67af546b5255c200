"""Does the answer answer the question? Key facts, statement precision, follow-ups and gaps.

Faithfulness metrics cannot fail on a verbatim quote that misses the point. These can:
each labelled turn names the facts a correct answer must state (regexes over one
statement) and the guidelines that state them. Per turn:

- key-fact recall: the share of its key facts stated by some statement;
- first-statement hit: the bottom line (the first statement) states a key fact;
- statement precision: the share of statements from a gold guideline or stating a key fact;
- on-point rate: the share of statements stating a key fact (the strict form);
- judged precision: the share of statements an LLM judge says help answer the question (`--judge llm`);
- abstention: a turn whose gold guidelines are not in the index (or that has none) must abstain.

A turn is answerable *for the index being evaluated*: the dataset names gold guidelines,
and the index decides whether it holds them. So one dataset measures gaps in the default
index and answers in an index with every guideline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evals.datasets import DATA, ConversationTurn, DatasetError, _jsonl, out_of_corpus  # noqa: F401 (DatasetError: callers catch it)
from evals.report import write_run
from rag.pipeline import Pipeline
from rag.types import Answer, Turn

DATASET = DATA / "answer_quality_dev.jsonl"
Split = Literal["tune", "heldout"]


class QualityTurn(ConversationTurn):
    key_facts: list[str] = Field(default_factory=list, description="Regexes (case-insensitive), each matched within one statement.")
    constraint: str | None = Field(default=None, description="What a follow-up adds (population, comorbidity, ...).")

    @field_validator("key_facts")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for pattern in v:
            try:
                re.compile(pattern, re.I)
            except re.error as exc:
                raise ValueError(f"key fact {pattern!r} is not a regex: {exc}") from exc
        return v


class QualityConversation(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    split: Split
    category: str
    topic: str = ""
    turns: list[QualityTurn] = Field(min_length=1)


def load_answer_quality(path: Path = DATASET, split: str | None = None) -> list[QualityConversation]:
    out = []
    for n, row in enumerate(_jsonl(Path(path)), 1):
        try:
            conv = QualityConversation.model_validate(row)
        except Exception as exc:
            raise DatasetError(f"{path}:{n}: not an answer-quality conversation ({exc})") from exc
        if split in (None, "all") or conv.split == split:
            out.append(conv)
    if split not in (None, "all", "tune", "heldout"):
        raise DatasetError(f"unknown split {split!r}; choose tune, heldout or all")
    return out


class StatementRow(BaseModel):
    text: str
    doc_id: str
    role: str | None = None
    gold: bool
    facts: list[int] = Field(default_factory=list, description="Indexes of the key facts this statement states.")
    judged: bool | None = Field(default=None, description="The relevance judge's verdict (None: no judge).")


class QualityRow(BaseModel):
    id: str
    split: str
    category: str
    turn: int
    question: str
    asked_as: str | None = None
    constraint: str | None = None
    kind: Literal["answerable", "gap", "out_of_corpus"]
    gold: list[str]
    abstained: bool
    statements: list[StatementRow] = Field(default_factory=list)
    facts_total: int = 0
    facts_found: int = 0
    first_has_fact: bool | None = None
    precision: float | None = None
    on_point: float | None = None
    judged_precision: float | None = None

    @property
    def miss(self) -> bool:
        if self.kind != "answerable":
            return not self.abstained
        return self.abstained or self.facts_found < self.facts_total or not self.first_has_fact


def _doc_of(answer: Answer, n: int) -> str:
    return next((r.doc_id for r in answer.references if r.n == n), "")


class RelevanceJudge:
    """Asks a chat model whether each statement helps answer its question (yes/no)."""

    def __init__(self, chat_model, timeout_s: float | None = None):
        self.chat, self.timeout_s = chat_model, timeout_s
        self.name = f"llm({type(chat_model).__name__})"

    def __call__(self, question: str, statement: str) -> bool:
        from rag.answering.chat_model import invoke_with_timeout, reply_text
        from rag.answering.prompts import relevance_prompt

        prompt = relevance_prompt(question, statement)
        text = invoke_with_timeout(self.chat, prompt, self.timeout_s) if self.timeout_s else reply_text(self.chat.invoke(prompt))
        return text.strip().lower().startswith("yes")


def score_turn(conv: QualityConversation, i: int, turn: QualityTurn, answer: Answer, indexed: frozenset[str],
               judge: Callable[[str, str], bool] | None = None) -> QualityRow:
    answerable = bool(set(turn.gold_doc_ids) & indexed) and bool(turn.key_facts)
    patterns = [re.compile(p, re.I) for p in turn.key_facts]
    statements = []
    for section in answer.sections:
        if section.kind == "related":
            continue  # labelled as not answering
        for st in section.statements:
            docs = [_doc_of(answer, n) for n in st.citations]
            statements.append(StatementRow(
                text=st.text, doc_id=docs[0] if docs else "", role=getattr(st, "role", None) or st.group,
                gold=any(d in turn.gold_doc_ids for d in docs),
                facts=[k for k, p in enumerate(patterns) if p.search(st.text)],
            ))
    row = QualityRow(
        id=conv.id, split=conv.split, category=conv.category, turn=i, question=turn.question,
        asked_as=answer.standalone_question if answer.standalone_question != turn.question else None,
        constraint=turn.constraint, kind="answerable" if answerable else "gap", gold=turn.gold_doc_ids,
        abstained=answer.abstained, statements=statements,
    )
    if answerable:
        found = {k for s in statements for k in s.facts}
        row.facts_total, row.facts_found = len(patterns), len(found)
        row.first_has_fact = bool(statements and statements[0].facts)
        if statements:
            row.precision = round(sum(s.gold or bool(s.facts) for s in statements) / len(statements), 4)
            row.on_point = round(sum(bool(s.facts) for s in statements) / len(statements), 4)
            if judge is not None:  # asked with the question the pipeline answered (follow-ups stand alone)
                for s in statements:
                    s.judged = judge(answer.standalone_question, s.text)
                row.judged_precision = round(sum(bool(s.judged) for s in statements) / len(statements), 4)
    return row


def evaluate_answer_quality(
    pipeline: Pipeline,
    conversations: Sequence[QualityConversation],
    progress: Callable[[Iterable, str], Iterable] = lambda x, _: x,
    with_out_of_corpus: bool = True,
    judge: Callable[[str, str], bool] | None = None,
) -> tuple[dict[str, dict[str, float | int | None]], list[QualityRow], float]:
    """Answer every turn in order (follow-ups with the pipeline's own earlier turns); metrics per split and overall."""
    started = time.perf_counter()
    indexed = pipeline.index.document_ids
    rows: list[QualityRow] = []
    for conv in progress(conversations, "answer quality"):
        history: list[Turn] = []
        for i, turn in enumerate(conv.turns, 1):
            answer = pipeline.ask(turn.question, history)
            rows.append(score_turn(conv, i, turn, answer, indexed, judge))
            history.append(Turn(question=turn.question, standalone_question=answer.standalone_question))
    if with_out_of_corpus:
        for q in out_of_corpus():
            answer = pipeline.ask(q.question)
            rows.append(QualityRow(id=q.id, split="out_of_corpus", category="out of corpus", turn=1, question=q.question,
                                   kind="out_of_corpus", gold=[], abstained=answer.abstained))
    groups = {"all": [r for r in rows if r.kind != "out_of_corpus"]}
    for split in ("tune", "heldout"):
        groups[split] = [r for r in rows if r.split == split]
    summary = {name: summarise_quality(group) for name, group in groups.items()}
    ooc = [r for r in rows if r.kind == "out_of_corpus"]
    summary["all"]["abstention_out_of_corpus"] = _ratio(sum(r.abstained for r in ooc), len(ooc))
    return summary, rows, round(time.perf_counter() - started, 2)


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarise_quality(rows: Sequence[QualityRow]) -> dict[str, float | int | None]:
    answerable = [r for r in rows if r.kind == "answerable"]
    answered = [r for r in answerable if not r.abstained]
    gaps = [r for r in rows if r.kind == "gap"]
    follow_ups = [r for r in answerable if r.turn > 1]
    # Recall counts an abstention as stating nothing: a wrong abstention is a miss, not a skipped row.
    recall = lambda rs: _mean([r.facts_found / r.facts_total for r in rs])  # noqa: E731
    return {
        "turns": len(rows),
        "answerable": len(answerable),
        "gaps": len(gaps),
        "follow_ups": len(follow_ups),
        "key_fact_recall": recall(answerable),
        "key_fact_all_found": _ratio(sum(r.facts_found == r.facts_total for r in answerable), len(answerable)),
        "key_fact_first_statement": _ratio(sum(bool(r.first_has_fact) for r in answerable), len(answerable)),
        "statement_precision": _mean([r.precision for r in answered if r.precision is not None]),
        "statement_on_point": _mean([r.on_point for r in answered if r.on_point is not None]),
        "statement_precision_judge": _mean([r.judged_precision for r in answered if r.judged_precision is not None]),
        "follow_up_key_fact_recall": recall(follow_ups),
        "abstention_on_gaps": _ratio(sum(r.abstained for r in gaps), len(gaps)),
        "false_abstention": _ratio(sum(r.abstained for r in answerable), len(answerable)),
    }


def write_quality_report(out: Path, *, summary: dict, rows: Sequence[QualityRow], seconds: float, settings, index: dict,
                         dataset: str) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    metrics = {"kind": "answer_quality", "dataset": dataset, "writer": settings.writer, "index": index,
               "metrics": summary, "seconds": seconds}
    metrics = write_run(out, metrics, settings, rows, "turns.jsonl")
    names = list(next(iter(summary.values())))
    lines = [f"# Answer quality: {dataset}", "", f"index `{index['name']}` ({index['fingerprint']}) · writer `{settings.writer}`",
             "", "| metric | " + " | ".join(summary) + " |", "|---" * (len(summary) + 1) + "|"]
    for name in names + ["abstention_out_of_corpus"]:
        lines.append(f"| {name} | " + " | ".join(_cell(summary[s].get(name)) for s in summary) + " |")
    lines += ["", "## Every turn", "", "| id | turn | split | kind | question | abstained | facts | first | precision |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.kind == "out_of_corpus" and r.abstained:
            continue
        flag = " **miss**" if r.miss else ""
        facts = f"{r.facts_found}/{r.facts_total}" if r.kind == "answerable" else ""
        lines.append(f"| {r.id}{flag} | {r.turn} | {r.split} | {r.kind} | {_md(r.question)} | {r.abstained} | {facts} | "
                     f"{_cell(r.first_has_fact)} | {_cell(r.precision)} |")
    lines += ["", "## Misses, with what was said", ""]
    for r in rows:
        if not r.miss:
            continue
        lines.append(f"### {r.id} turn {r.turn} ({r.kind}, {r.category}): {_md(r.question)}")
        if r.asked_as:
            lines.append(f"asked as: {_md(r.asked_as)}")
        lines.append(f"gold: {', '.join(r.gold) or '-'} · abstained: {r.abstained}")
        for s in r.statements:
            lines.append(f"- [{s.doc_id}{' gold' if s.gold else ''}{' fact ' + str(s.facts) if s.facts else ''}] {_md(s.text)}")
        lines.append("")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return metrics


def _cell(v) -> str:
    return "n/a" if v is None else str(v)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def run_answer_quality(pipeline: Pipeline, settings, dataset: str, limit: int | None, out: Path, console,
                       judge: Callable[[str, str], bool] | None = None) -> dict:
    """`guideqa eval answers --dataset answer-quality[:tune|:heldout]`: evaluate, write the report, print the table."""
    from rich.progress import track
    from rich.table import Table

    split = dataset.partition(":")[2] or "all"
    conversations = load_answer_quality(split=split)[: limit or None]
    summary, rows, seconds = evaluate_answer_quality(pipeline, conversations, judge=judge,
                                                     progress=lambda x, d: track(x, d, console=console))
    metrics = write_quality_report(out, summary=summary, rows=rows, seconds=seconds, settings=settings,
                                   index=pipeline.index.info.model_dump(), dataset=dataset)
    table = Table("metric", *summary, title=f"{dataset}: {len(conversations)} conversations, {len(rows)} turns → {out}")
    for name in list(summary["all"]):
        table.add_row(name, *(_cell(summary[g].get(name)) for g in summary))
    console.print(table)
    return metrics
