"""`guideqa corpus fetch`: get the source corpus files."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from rag.cli.common import console, fail, load_settings

corpus_app = typer.Typer(help="Get and inspect the source corpora.", no_args_is_help=True)


@corpus_app.command("fetch")
def corpus_fetch(
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only these sources (default: all).")] = None,
) -> None:
    """Copy the corpus files from the mirror, or download them, verifying checksums."""
    from rag.corpus.fetch import fetch
    from rag.corpus.manifest import CorpusError

    s = load_settings()
    try:
        results = fetch(s, source or None)
    except CorpusError as exc:
        fail(str(exc))
    table = Table("source", "file", "status", title=f"corpus files in {s.corpus.data_dir}")
    for r in results:
        table.add_row(r.source, str(r.path), r.status)
    console.print(table)
