"""The local cache of PubMed article titles, journals and years (SQLite), and what the PubMedQA loader reads from it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rag.corpus.manifest import CorpusError
from rag.settings import Settings

CACHE_NAME = "pubmed_titles.sqlite"
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    pmid TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    journal TEXT NOT NULL,
    journal_full TEXT NOT NULL,
    year INTEGER,
    fetched_at TEXT NOT NULL
)
"""


class ArticleSummary(BaseModel):
    """What a PubMed reference shows beside the PMID, as NCBI's document summary gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    pmid: str
    title: str = Field(description="Article title, HTML entities and inline markup removed, no final period.")
    journal: str = Field(description="Journal as PubMed's citation line shows it (NLM abbreviation, e.g. 'J Clin Oncol').")
    journal_full: str = Field(default="", description="The journal's full name.")
    year: int | None = Field(default=None, description="Publication year.")


def cache_path(settings: Settings) -> Path:
    """Where the cache lives: beside the fetched corpus files, so one data_dir holds all downloaded corpus data."""
    return settings.corpus.data_dir / CACHE_NAME


class TitleCache:
    """The cache, open for reading and writing; every put is committed at once so an interrupted run keeps its batches."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA_VERSION):
                raise CorpusError(f"{path} has PubMed title cache schema {version}; this guideqa writes "
                                  f"{_SCHEMA_VERSION} (delete the file and run `guideqa corpus enrich-pubmed` again)")
            self.db.execute(_SCHEMA)
            self.db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            raise CorpusError(f"cannot open the PubMed title cache {path}: {exc}") from None

    def __enter__(self) -> TitleCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def known(self, pmids: Iterable[str]) -> set[str]:
        """The PMIDs among `pmids` that the cache already holds."""
        wanted = list(dict.fromkeys(pmids))
        found: set[str] = set()
        for i in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            part = wanted[i:i + 500]
            rows = self.db.execute(f"SELECT pmid FROM articles WHERE pmid IN ({','.join('?' * len(part))})", part)
            found.update(r[0] for r in rows)
        return found

    def put(self, summaries: Iterable[ArticleSummary]) -> int:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [(s.pmid, s.title, s.journal, s.journal_full, s.year, stamp) for s in summaries]
        with self.db:  # one transaction per batch
            self.db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)


def read_titles(path: Path) -> dict[str, ArticleSummary]:
    """Every cached summary by PMID, read-only ({} when there is no cache yet). Never touches the network."""
    if not path.is_file():
        return {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT pmid, title, journal, journal_full, year FROM articles").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise CorpusError(f"cannot read the PubMed title cache {path}: {exc}") from None
    return {p: ArticleSummary(pmid=p, title=t, journal=j, journal_full=f, year=y) for p, t, j, f, y in rows}
