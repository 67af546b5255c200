"""The `guideqa bench query` command: options, run, print, write the JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from benchmarks.common import settings_or_exit, write_json
from benchmarks.query.report import print_report
from benchmarks.query.run import run_query_bench

DEFAULT_OUT = Path("reports/bench/query.json")


def parse_levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of integers") from None
    if not levels or any(c < 1 for c in levels):
        raise typer.BadParameter("concurrency levels must be integers of at least 1")
    return levels


def register(app: typer.Typer) -> None:
    @app.command("query")
    def query(
        index: Annotated[Optional[str], typer.Option("--index", help="Index name (default: the configured one).")] = None,
        questions: Annotated[int, typer.Option("--questions", min=1, help="Questions for the in-process and baseline timings.")] = 200,
        requests: Annotated[int, typer.Option("--requests", min=1, help="POST /v1/answers requests per concurrency level.")] = 200,
        concurrency: Annotated[str, typer.Option("--concurrency", help="Comma-separated concurrency levels.")] = "1,8",
        skip_server: Annotated[bool, typer.Option("--skip-server", help="Do not start guideqa serve.")] = False,
        skip_baseline: Annotated[bool, typer.Option("--skip-baseline", help="Do not time the LangChain baseline.")] = False,
        out: Annotated[Path, typer.Option("--out", help="Where the JSON result goes.")] = DEFAULT_OUT,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the question sample.")] = 0,
        focus_questions: Annotated[int, typer.Option("--focus-questions", min=0,
                                                     help="Questions for the sentence-ranking check (0 skips it).")] = 60,
    ) -> None:
        """Query latency in process and through the server, the LangChain baseline, and index memory."""
        from rich.console import Console

        from rag.indexing.embedding import EmbeddingError
        from rag.indexing.errors import GuideIndexError

        console, err = Console(), Console(stderr=True)
        levels = parse_levels(concurrency)
        settings = settings_or_exit(err)
        try:
            result = run_query_bench(settings, index=index, questions=questions, requests=requests, concurrency=levels,
                                     skip_server=skip_server, skip_baseline=skip_baseline, seed=seed,
                                     focus_questions=focus_questions,
                                     note=lambda message: err.print(f"[dim]{message}[/dim]"))
        except (GuideIndexError, EmbeddingError, RuntimeError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        print_report(result, console)
        console.print(f"wrote {write_json(result, out)}")
