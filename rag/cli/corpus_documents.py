"""`guideqa corpus add|remove|list`: your own documents in a built index, added and removed in seconds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from rag.cli.common import console, fail, load_settings

IndexName = Annotated[Optional[str], typer.Option("--index", help="Index name (default: GUIDEQA_INDEX__NAME, else 'default').")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def corpus_add(
    paths: Annotated[list[Path], typer.Argument(help="Files (PDF, HTML, DOCX, Markdown, text) or folders of them.")],
    index: IndexName = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="guideline, research or patient (default: what the file says, else guideline).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Title (default: what the file says).")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Issuing body or journal.")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="Publication or revision year.")] = None,
    url: Annotated[Optional[str], typer.Option("--url", help="Where the document lives.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add files to an index: only they are chunked and embedded, and `guideqa serve` answers from them within a
    second. Adding a file again replaces it. Exits non-zero when nothing was added."""
    from pydantic import ValidationError

    from rag.corpus.files.meta import FileMeta
    from rag.corpus.files.reader import read_files
    from rag.indexing.embedding import EmbeddingError
    from rag.indexing.errors import GuideIndexError
    from rag.indexing.updates import add_documents

    s = load_settings(index)
    try:
        given = {"kind": kind, "title": title, "source": source, "year": year, "url": url}
        overrides = FileMeta(**given) if any(v is not None for v in given.values()) else None
    except ValidationError as exc:
        fail(f"invalid option: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    read: list[tuple[Path, object]] = []  # (the file, the document read from it)
    rejected: list[tuple[str, str]] = []
    notes: list = []
    seen: dict[str, Path] = {}
    with console.status("reading files…"):
        for path in _files(paths):  # one at a time, so each document is reported with the file it came from
            docs, rejections = read_files([path], s, overrides, notes)
            rejected.extend((r.path, r.reason) for r in rejections)
            for d in docs:
                if d.id in seen:
                    rejected.append((str(path), f"same content as {seen[d.id]}, read already"))
                else:
                    seen[d.id] = path
                    read.append((path, d))
    for n in notes:
        console.print(f"[dim]{escape(n.path)}: {escape(n.note)}[/]")
    report = None
    if read:
        try:
            with console.status(f"adding {len(read)} document{'s' * (len(read) != 1)} to index {s.index.name!r}…"):
                report = add_documents(s.index.name, [d for _, d in read], s)
        except (GuideIndexError, EmbeddingError) as exc:
            fail(str(exc))
    if as_json:
        out = {"report": report.model_dump(mode="json") if report else None,
               "files": [{"path": str(p), "doc_id": d.id} for p, d in read],
               "rejected": [{"path": p, "reason": r} for p, r in rejected]}
        console.out(json.dumps(out, indent=2), highlight=False)
    else:
        _print_add(read, rejected, report)
    if report is None:
        raise typer.Exit(1)


def _files(paths: list[Path]) -> list[Path]:
    """The paths given, with each folder replaced by the supported files in it (recursively, hidden ones left out)."""
    from rag.corpus.files.reader import SUPPORTED_SUFFIXES

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(path).parts)))
        else:
            out.append(path)
    return out


def _print_add(read, rejected, report) -> None:
    entries = {e.id: e for e in report.documents} if report else {}
    for path, doc in read:
        e = entries[doc.id]
        state = "replaced" if doc.id in report.replaced else "added"
        pages = f", {e.pages} pages" if e.pages else ""
        console.print(f"[green]{state}[/]  {escape(str(path))} → {escape(doc.id)} “{escape(e.title)}” ({e.chunks} chunks{pages})")
    for path, reason in rejected:
        console.print(f"[red]rejected[/] {escape(path)}: {escape(reason)}")
    if report:
        console.print(f"index {report.index!r}: {len(report.added)} added, {len(report.replaced)} replaced, {len(rejected)} "
                      f"rejected; {report.chunks} chunks ({report.chunks_embedded} embedded) in {report.seconds:.1f} s; "
                      f"fingerprint {report.fingerprint}")
    else:
        console.print("[red]nothing was added[/]")


def corpus_remove(
    doc_ids: Annotated[list[str], typer.Argument(help="Document ids (guideqa corpus list shows them).")],
    index: IndexName = None,
) -> None:
    """Remove documents from an index at once: your own, or the corpus's (kept out of later builds too)."""
    from rag.indexing.errors import GuideIndexError
    from rag.indexing.updates import remove_documents

    s = load_settings(index)
    try:
        report = remove_documents(s.index.name, doc_ids, s)
    except GuideIndexError as exc:
        fail(str(exc))
    console.print(f"removed {', '.join(map(escape, report.removed))} from index {report.index!r} in "
                  f"{report.seconds * 1000:.0f} ms; fingerprint {report.fingerprint}")


def corpus_list(index: IndexName = None, as_json: JsonOpt = False,
                added: Annotated[bool, typer.Option("--added", help="Only the documents you added.")] = False) -> None:
    """The documents an index answers from."""
    from rag.indexing.errors import GuideIndexError
    from rag.indexing.updates import list_documents

    s = load_settings(index)
    try:
        rows = [e for e in list_documents(s.index.name, s) if e.added_by_user or not added]
    except GuideIndexError as exc:
        fail(str(exc))
    if as_json:
        console.out(json.dumps([e.model_dump(mode="json") for e in rows], indent=2), highlight=False)
        return
    table = Table("id", "kind", "title", "source", "year", "chunks", "pages", "added",
                  title=f"{len(rows)} {'added ' if added else ''}documents in index {s.index.name!r}")
    for e in rows:
        table.add_row(escape(e.id), e.kind, escape(e.title[:70]), escape(e.source[:40]), str(e.year or ""), str(e.chunks),
                      str(e.pages or ""), (e.added_at or "yes") if e.added_by_user else "")
    console.print(table)
