"""The `guideqa bench build` command: options, run, print, write the JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from benchmarks.common import settings_or_exit, write_json
from benchmarks.index_build.job import BenchError
from benchmarks.index_build.report import render
from benchmarks.index_build.run import run_benchmark

BACKENDS = ("auto", "bf16", "torch", "onnx", "onnx-int8")
DEFAULT_OUT = Path("reports/bench/build.json")


def parse_backends(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [b.strip() for b in value.split(",") if b.strip()]
    unknown = [b for b in names if b not in BACKENDS]
    if unknown or not names:
        raise typer.BadParameter(f"unknown backend(s) {unknown or value!r}; choose from {', '.join(BACKENDS)}")
    return list(dict.fromkeys(names))


def register(app: typer.Typer) -> None:
    @app.command("build")
    def build(
        preset: Annotated[str, typer.Option("--preset", help="Corpus preset whose documents both pipelines index.")] = "default",
        all_: Annotated[bool, typer.Option("--all", help="The 'all' preset (every source in full).")] = False,
        limit_docs: Annotated[Optional[int], typer.Option("--limit-docs", min=1, help="Only the first N documents (quick runs).")] = None,
        backends: Annotated[Optional[str], typer.Option("--backends", help="Comma-separated guideqa encoder backends to build with, e.g. torch,onnx,onnx-int8 (default: the configured one).")] = None,
        out: Annotated[Path, typer.Option("--out", help="Where to write the JSON results.")] = DEFAULT_OUT,
        skip_baseline: Annotated[bool, typer.Option("--skip-baseline", help="Only the guideqa build(s).")] = False,
        add_docs: Annotated[int, typer.Option("--add-docs", min=0, help="Then add N unindexed documents and rebuild with the embedding cache warm (0: skip).")] = 10,
    ) -> None:
        """Index build speed and memory: guideqa vs the LangChain recipe on the same documents, in one run."""
        from rich.console import Console
        from rich.markup import escape

        from rag.corpus.manifest import CorpusError

        console, err = Console(), Console(stderr=True)
        names = parse_backends(backends)
        settings = settings_or_exit(err)
        with console.status("starting…") as status:
            try:
                report = run_benchmark(settings, preset="all" if all_ else preset, limit_docs=limit_docs,
                                       backends=names, skip_baseline=skip_baseline, add_docs=add_docs,
                                       note=lambda message: status.update(f"{message}…"))
            except (BenchError, CorpusError) as exc:
                err.print(f"[bold red]error:[/] {escape(str(exc))}")
                raise typer.Exit(1)
        render(report, console)
        console.print(f"results → {write_json(report, out)}")
