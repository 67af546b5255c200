"""What every command shares: the consoles, failing with a message, settings and loading the pipeline."""

from __future__ import annotations

from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape

from rag.settings import Settings

console = Console()
err = Console(stderr=True)

IndexOpt = Annotated[Optional[str], typer.Option("--index", help="Index name.")]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def load_settings(index: str | None = None) -> Settings:
    try:
        s = Settings()
    except Exception as exc:  # bad GUIDEQA_* variables
        fail(f"invalid settings: {exc}")
    if index:
        s.index.name = index
    return s


def load_pipeline(s: Settings, searchers_for=None):
    from rag.indexing.embedding import EmbeddingError
    from rag.indexing.errors import GuideIndexError
    from rag.pipeline import Pipeline

    try:
        with console.status("loading index and model…"):
            return Pipeline(s, searchers_for=searchers_for)
    except (GuideIndexError, EmbeddingError) as exc:
        fail(str(exc))
