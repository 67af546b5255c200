"""`guideqa corpus fetch`: get the source corpus files; `add`, `remove`, `list`: your own documents in an index."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from rag.cli.common import console, fail, load_settings
from rag.cli.corpus_documents import corpus_add, corpus_list, corpus_remove

corpus_app = typer.Typer(help="Get and inspect the source corpora; add and remove your own documents.", no_args_is_help=True)
corpus_app.command("add")(corpus_add)
corpus_app.command("remove")(corpus_remove)
corpus_app.command("list")(corpus_list)


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


@corpus_app.command("enrich-pubmed")
def corpus_enrich_pubmed(
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only the corpus's first N PMIDs.")] = None,
) -> None:
    """Fetch PubMed titles, journals and years from NCBI into the local cache (needs internet; see corpus.pubmed_titles)."""
    from rag.corpus.enrich_pubmed import enrich_pubmed
    from rag.corpus.manifest import CorpusError

    s = load_settings()
    try:
        with console.status("fetching PubMed summaries…") as status:
            r = enrich_pubmed(s, limit=limit, progress=lambda done, total: status.update(f"PMIDs {done}/{total}"))
    except CorpusError as exc:
        fail(str(exc))
    console.print(f"PubMed titles in {r.cache}: fetched {r.fetched}, already cached {r.cached}, failed {r.failed} "
                  f"of {r.requested} ({r.requests} request{'' if r.requests == 1 else 's'})")
    if r.missing:
        console.print(f"NCBI has no summary for {len(r.missing)}: {', '.join(r.missing[:10])}{' …' if len(r.missing) > 10 else ''}")
    if r.error:
        kept = f"the {r.fetched} fetched before it are kept; " if r.fetched else ""
        fail(f"{r.error}. {kept}run the command again to fetch the other {r.unfinished}.")
    if not s.corpus.pubmed_titles:
        console.print("References show them once GUIDEQA_CORPUS__PUBMED_TITLES=true and the index is rebuilt.")
