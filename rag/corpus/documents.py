"""Iterating the corpus: the Documents of the chosen sources (or a preset's), then the user's folders.

Each source's file is read from data_dir if fetched, else from the mirror; a document id seen
before is skipped, so the first source to yield it keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rag.corpus.manifest import (
    CorpusError,
    Manifest,
    Source,
    load_manifest,
    pick_file,
    source_files,
)
from rag.corpus.medquad import load_medquad
from rag.corpus.ngc import load_ngc
from rag.corpus.pubmedqa import load_pubmedqa, pubmedqa_options
from rag.corpus.records import LoadReport
from rag.corpus.user_files import load_user_dir
from rag.settings import Settings
from rag.types import Document

Loader = Callable[[Path, dict[str, Any] | None, LoadReport], Iterator[Document]]
# Each loader and the one file (by name pattern) of its source that it reads.
LOADERS: dict[str, tuple[Loader, str]] = {
    "ngc": (load_ngc, "*.jsonl*"),
    "pubmedqa": (load_pubmedqa, "ori_pqal.json"),
    "medquad": (load_medquad, "*.tar.gz"),
}
Job = tuple[LoadReport, Callable[[LoadReport], Iterator[Document]]]


def _plan(
    manifest: Manifest, sources: list[str] | None, preset: str | None
) -> list[tuple[Source, dict[str, Any]]]:
    """The sources to load, each with its effective options."""
    if sources is not None and preset is not None:
        raise CorpusError("pass either sources or a preset, not both")
    overrides: dict[str, dict[str, Any]] = {}
    if preset is not None:
        if preset not in manifest.indexes:
            raise CorpusError(f"no index preset {preset!r}; known: {', '.join(manifest.indexes) or 'none'}")
        sources, overrides = manifest.indexes[preset].sources, manifest.indexes[preset].options
    plan = []
    for name in manifest.source_names(sources):
        src = manifest.sources[name]
        options = {"license": src.license, **src.options, **overrides.get(name, {})}
        plan.append((src, options))
    return plan


def iter_documents(
    settings: Settings,
    sources: list[str] | None = None,
    preset: str | None = None,
    reports: list[LoadReport] | None = None,
) -> Iterator[Document]:
    """Documents of the named sources (or a preset's; default every source), then the user folders.

    Files are checked before the first document is produced, so a missing file raises
    CorpusError at the call. Reports (one per source and user folder) are appended to
    ``reports`` as loading starts; their counts are final once the iterator is exhausted.
    """
    manifest = load_manifest(settings)
    jobs: list[Job] = []
    for src, options in _plan(manifest, sources, preset):
        loader, pattern = LOADERS[src.loader]
        if src.loader == "pubmedqa":  # the title cache, when settings.corpus.pubmed_titles is on
            options = {**options, **pubmedqa_options(settings)}
        path = pick_file(source_files(settings, src), pattern, src.name)
        jobs.append((LoadReport(source=src.name), lambda r, f=loader, p=path, o=options: f(p, o, r)))
    for folder in settings.corpus.user_dirs:
        if not folder.is_dir():
            raise CorpusError(f"user document folder not found: {folder} (settings.corpus.user_dirs)")
        jobs.append((LoadReport(source=f"user:{folder}"), lambda r, d=folder: load_user_dir(d, r)))
    return _run(jobs, reports)


def _run(jobs: list[Job], reports: list[LoadReport] | None) -> Iterator[Document]:
    first_seen: dict[str, str] = {}
    for report, load in jobs:
        if reports is not None:
            reports.append(report)
        for doc in load(report):
            if doc.id in first_seen:
                report.loaded -= 1
                report.skip(doc.id, f"duplicate document id (already loaded from {first_seen[doc.id]})")
                continue
            first_seen[doc.id] = report.source
            yield doc
