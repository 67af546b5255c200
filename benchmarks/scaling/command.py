"""The `guideqa bench scaling` command: options, inputs from an index, run, print, write the JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from benchmarks.common import settings_or_exit, write_json
from benchmarks.scaling.inputs import load_index_vectors, sample_questions
from benchmarks.scaling.recommend import LATENCY_BUDGET_MS
from benchmarks.scaling.report import print_report
from benchmarks.scaling.run import MIN_SIZE, run_scaling

DEFAULT_SIZES = "10000,50000,200000"
DEFAULT_OUT = Path("reports/bench/scaling.json")


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"not a comma list of integers: {text!r}") from None
    if not sizes or min(sizes) < MIN_SIZE:
        raise typer.BadParameter(f"sizes must be at least {MIN_SIZE}: {text!r}")
    return sizes


def register(app: typer.Typer) -> None:
    @app.command("scaling")
    def scaling(
        index: Annotated[Optional[str], typer.Option(help="Index whose vectors to use (default: the settings' index).")] = None,
        sizes: Annotated[str, typer.Option(help="Comma list of index sizes (vectors).")] = DEFAULT_SIZES,
        queries: Annotated[int, typer.Option(min=1, help="PubMedQA questions to encode as queries.")] = 200,
        out: Annotated[Path, typer.Option(help="JSON report path.")] = DEFAULT_OUT,
        seed: Annotated[int, typer.Option(help="Seed for the question sample, subsets and synthetic vectors.")] = 0,
        budget_ms: Annotated[float, typer.Option(help="Single-query p95 budget behind the recommendation.")] = LATENCY_BUDGET_MS,
    ) -> None:
        """How latency, memory and ANN recall grow with index size (Flat vs HNSW vs IVF-PQ)."""
        from rich.console import Console
        from rich.markup import escape

        from rag.indexing.embedding import EmbeddingError, get_embedder
        from rag.indexing.errors import GuideIndexError

        console, err = Console(), Console(stderr=True)

        def fail(message: str) -> NoReturn:
            err.print(f"[bold red]error:[/] {escape(message)}")
            raise typer.Exit(1)

        size_list = parse_sizes(sizes)
        settings = settings_or_exit(err)
        name = index or settings.index.name
        try:
            with console.status(f"reading index {name!r}, encoding {queries} questions…"):
                vectors, manifest = load_index_vectors(settings, name)
                texts = sample_questions(settings, queries, seed)
                query_vectors = get_embedder(settings).encode_queries(texts)
        except (GuideIndexError, EmbeddingError) as exc:
            fail(str(exc))
        console.print(f"[dim]{len(vectors):,} real vectors of {vectors.shape[1]} dims from {name!r}, {len(texts)} queries[/]")
        result = run_scaling(vectors, query_vectors, size_list, seed, budget_ms=budget_ms,
                             progress=lambda message: console.print(f"[dim]{escape(message)}[/]"))
        result = result.model_copy(update={
            "index_name": name, "model": manifest.model, "backend": manifest.backend,
            "query_source": f"pubmedqa questions, seeded sample of {len(texts)}",
        })
        print_report(result, console)
        console.print(f"wrote {write_json(result, out)}")
