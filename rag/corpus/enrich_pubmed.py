"""The enrich step: fetch the corpus's PubMed titles, journals and years from NCBI once, into the local title cache."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import httpx
from pydantic import BaseModel, ConfigDict, Field

from rag.corpus.eutils import EsummaryClient, EutilsError
from rag.corpus.manifest import CorpusError, load_manifest, pick_file, source_files
from rag.corpus.pubmed_titles import TitleCache, cache_path
from rag.settings import Settings

Progress = Callable[[int, int], None]  # (PMIDs done, PMIDs to fetch)


class EnrichReport(BaseModel):
    """What one enrich run did; the cache keeps every batch fetched before an error."""

    model_config = ConfigDict(extra="forbid")
    cache: str = Field(description="The cache file.")
    requested: int = Field(default=0, description="PMIDs considered (the corpus's, or the first --limit of them).")
    cached: int = Field(default=0, description="Already in the cache: not asked again.")
    fetched: int = Field(default=0, description="Fetched from NCBI and stored in this run.")
    missing: list[str] = Field(default_factory=list, description="PMIDs NCBI returned no summary (or no title) for.")
    unfinished: int = Field(default=0, description="PMIDs left unfetched because the requests kept failing.")
    requests: int = Field(default=0, description="HTTP requests sent, retries included.")
    error: str | None = Field(default=None, description="Why the run stopped early, when it did.")

    @property
    def failed(self) -> int:
        return len(self.missing) + self.unfinished


def corpus_pmids(settings: Settings) -> list[str]:
    """The PMIDs of every PubMedQA source's abstracts, in file order (the same file the loader reads)."""
    manifest = load_manifest(settings)
    pmids: dict[str, None] = {}
    for src in manifest.sources.values():
        if src.loader != "pubmedqa":
            continue
        path = pick_file(source_files(settings, src), "ori_pqal.json", src.name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorpusError(f"cannot read the PMIDs of {src.name} from {path}: {exc}") from None
        if isinstance(data, dict):
            pmids.update((str(p).strip(), None) for p in data if str(p).strip().isdigit())
    return list(pmids)


def enrich_pubmed(
    settings: Settings,
    pmids: Sequence[str] | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
) -> EnrichReport:
    """Fetch the summaries the cache lacks for `pmids` (default: the corpus's; the first `limit` of them).

    Only PMIDs not yet cached are requested, so a second run sends nothing. A network failure or a server that
    keeps failing stops the run with `error` set; what was fetched before it stays in the cache.
    """
    wanted = list(dict.fromkeys(corpus_pmids(settings) if pmids is None else pmids))
    if limit is not None:
        wanted = wanted[:limit]
    path = cache_path(settings)
    report = EnrichReport(cache=str(path), requested=len(wanted))
    with TitleCache(path) as cache:
        have = cache.known(wanted)
        todo = [p for p in wanted if p not in have]
        report.cached = len(have)
        if not todo:
            return report
        with EsummaryClient(settings.corpus.eutils, transport=transport) as client:
            done = 0
            try:
                for batch, found in client.summaries(todo):
                    report.fetched += cache.put(found.values())  # committed now: an interruption keeps it
                    report.missing += [p for p in batch if p not in found]
                    done += len(batch)
                    if progress:
                        progress(done, len(todo))
            except EutilsError as exc:
                report.error = str(exc)
                report.unfinished = len(todo) - done
            finally:
                report.requests = client.requests
    return report
