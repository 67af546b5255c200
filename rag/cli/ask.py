"""`guideqa ask` and `guideqa chat`: answer questions in the terminal."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from rag.cli.common import IndexOpt, console, err, fail, load_pipeline, load_settings

KindOpt = Annotated[Optional[list[str]], typer.Option("--kind", help="guideline, research or patient (repeatable).")]
YearFrom = Annotated[Optional[int], typer.Option("--year-from", help="Only sources from this year on.")]
YearTo = Annotated[Optional[int], typer.Option("--year-to", help="Only sources up to this year.")]
SourceOpt = Annotated[Optional[list[str]], typer.Option("--source", help="Issuing body or journal (substring, repeatable).")]


def _filters(kind, year_from, year_to, source):
    from pydantic import ValidationError

    from rag.types import Filters

    try:
        return Filters(kind=kind or None, year_from=year_from, year_to=year_to, source=source or None)
    except ValidationError as exc:
        fail(f"invalid filter: {exc.errors()[0]['msg']}")


def render_answer(answer, out: Console = console) -> None:
    """The query searched, the abstention in a box, the answer's text, then who wrote it and how long it took."""
    out.print()
    if answer.standalone_question != answer.question:
        out.print(f"[dim]searched for: {escape(answer.standalone_question)}[/]")
    if answer.degraded:
        out.print(f"[red]part of the index did not answer ({escape(', '.join(answer.degraded))}): this answer may miss "
                  "evidence[/]")
    if answer.abstention:
        out.print(Panel(escape(answer.abstention), title="Not directly addressed", border_style="yellow"))
    # Boxed above, so the text leaves the abstention out.
    for line in answer.model_copy(update={"abstention": None}).to_text(markup=True).split("\n"):
        out.print(line)
    w = answer.writer
    if w.name == "llm":
        if w.fallback:
            out.print(f"[yellow]LLM answer not used ({escape(w.fallback)}); this is the extractive answer.[/]")
        elif w.llm_called:
            removed = w.removed_unsupported + w.removed_uncited
            out.print(f"[dim]written by {escape(w.model or 'the LLM')}; {w.kept} of {w.sentences} sentences verified "
                      f"by {escape(w.judge or '')}, {removed} removed, {w.removed_citations} invalid citations dropped[/]")
    total = answer.timings_ms.get("total")
    if total is not None:
        out.print(f"[dim]{total:.0f} ms · index {answer.index.name} ({answer.index.fingerprint})[/]")


def ask(
    question: Annotated[str, typer.Argument(help="The clinical question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
    index: IndexOpt = None,
    kind: KindOpt = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: SourceOpt = None,
) -> None:
    """Answer one question from the indexed guidelines and research."""
    from rag.pipeline import QuestionError
    from rag.retrieval.retriever import FilterError

    s = load_settings(index)
    filters = _filters(kind, year_from, year_to, source)
    pipe = load_pipeline(s)
    try:
        answer = pipe.ask(question, filters=filters)
    except (QuestionError, FilterError) as exc:
        fail(str(exc), code=2)
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    else:
        render_answer(answer)


def chat(index: IndexOpt = None, kind: KindOpt = None) -> None:
    """Interactive conversation: ask, then ask follow-ups ("what about in pregnancy?"). Empty line or Ctrl-D ends."""
    from rag.pipeline import QuestionError
    from rag.types import Turn

    s = load_settings(index)
    filters = _filters(kind, None, None, None)
    pipe = load_pipeline(s)
    history: list[Turn] = []
    console.print("[dim]Ask a question; follow-ups use the conversation so far. Empty line to quit.[/]")
    while True:
        try:
            question = console.input("[bold]> [/]")
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        try:
            answer = pipe.ask(question, history, filters=filters)
        except QuestionError as exc:
            err.print(f"[red]{escape(str(exc))}[/]")
            continue
        render_answer(answer)
        history.append(Turn(question=answer.question, standalone_question=answer.standalone_question))
