"""Loader for PubMedQA's abstracts (ori_pqal.json), and its questions for evaluation."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rag.corpus.manifest import load_manifest, pick_file, source_files
from rag.corpus.pubmed_titles import ArticleSummary, cache_path, read_titles
from rag.corpus.records import (
    LoaderOptions,
    LoadReport,
    error_text,
    int_or_none,
    parse_options,
)
from rag.settings import Settings
from rag.types import DocSection, Document

log = logging.getLogger(__name__)


class PubMedQAOptions(LoaderOptions):
    license: str = "MIT"
    titles_cache: Path | None = Field(
        default=None, description="PubMed title cache to read titles, journals and years from (None: titles off; "
        "filled in from settings.corpus.pubmed_titles by pubmedqa_options).")


def pubmedqa_options(settings: Settings) -> dict[str, Any]:
    """The loader options the settings add: the title cache when corpus.pubmed_titles is on, else none, so the
    documents stay exactly what they were without the feature (their hashes feed the index fingerprint)."""
    return {"titles_cache": cache_path(settings)} if settings.corpus.pubmed_titles else {}


_SMALL_WORDS = frozenset({"a", "an", "and", "or", "of", "the", "in", "on", "for", "to", "with", "by", "at"})


def _label_title(label: str) -> str:
    words = label.strip(" ,;:").split()
    return " ".join(
        w.lower() if i and w.lower() in _SMALL_WORDS else w[:1].upper() + w[1:].lower() for i, w in enumerate(words)
    )


def _read_json(path: Path, report: LoadReport) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        report.skip(path.name, f"not valid JSON: {exc}")
        return None


def load_pubmedqa(path: Path, options: dict[str, Any] | None, report: LoadReport) -> Iterator[Document]:
    """PubMedQA ori_pqal.json: the abstract (CONTEXTS + LONG_ANSWER), never the question."""
    opts = parse_options(PubMedQAOptions, options, "pubmedqa")
    data = _read_json(path, report)
    if data is None:
        return
    if not isinstance(data, dict):
        report.skip(path.name, "expected a JSON object keyed by PMID")
        return
    titles = _titles(opts.titles_cache)
    for pmid, rec in data.items():
        pmid = str(pmid).strip()
        doc = _pubmedqa_record(pmid, rec, opts, report, titles.get(pmid))
        if doc is not None:
            report.loaded += 1
            yield doc


def _titles(cache: Path | None) -> dict[str, ArticleSummary]:
    if cache is None:
        return {}
    titles = read_titles(cache)  # read only: loading never goes to the network
    if not titles:
        log.warning("corpus.pubmed_titles is on but %s holds no titles; run `guideqa corpus enrich-pubmed`", cache)
    return titles


def _pubmedqa_record(
    pmid: str, rec: Any, opts: PubMedQAOptions, report: LoadReport, meta: ArticleSummary | None = None
) -> Document | None:
    where = f"PMID {pmid}"
    if not pmid.isdigit():
        report.skip(where, "key is not a PMID")
        return None
    if not isinstance(rec, dict) or not isinstance(rec.get("CONTEXTS"), list):
        report.skip(where, "no CONTEXTS list")
        return None
    labels = rec.get("LABELS") if isinstance(rec.get("LABELS"), list) else []
    sections = []
    for i, context in enumerate(rec["CONTEXTS"]):
        label = labels[i] if i < len(labels) and isinstance(labels[i], str) else ""
        if isinstance(context, str) and context.strip():
            sections.append(DocSection(title=_label_title(label), text=" ".join(context.split())))
    long_answer = rec.get("LONG_ANSWER")
    if isinstance(long_answer, str) and long_answer.strip():
        sections.append(DocSection(title="Conclusions", text=" ".join(long_answer.split())))
    identifiers = {"pmid": pmid}
    if meta is not None and meta.journal_full:
        identifiers["journal"] = meta.journal_full
    year = int_or_none(rec.get("YEAR"))
    try:
        return Document(
            id=f"pubmed:{pmid}",
            kind="research",
            # The file has no article title (QUESTION is derived from it): it comes from the cache, when on.
            title=meta.title if meta else f"PubMed abstract {pmid}",
            source=meta.journal if meta and meta.journal else "PubMed",
            year=meta.year if meta and meta.year is not None else year,
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            identifiers=identifiers,
            license=f"{opts.license} (PubMedQA)" if opts.license else "PubMedQA",
            sections=sections,
        )
    except ValidationError as exc:
        report.skip(where, error_text(exc))
        return None


class PubMedQAQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pmid: str
    doc_id: str
    question: str
    decision: Literal["yes", "no", "maybe"]


def load_pubmedqa_questions(settings: Settings, split: Literal["all", "test"] = "all") -> list[PubMedQAQuestion]:
    """PubMedQA questions for evaluation; 'test' is the official 500-PMID test split."""
    files = source_files(settings, load_manifest(settings).sources["pubmedqa"])
    data = json.loads(pick_file(files, "ori_pqal.json", "pubmedqa").read_text(encoding="utf-8"))
    if split == "test":
        truth = json.loads(pick_file(files, "test_ground_truth.json", "pubmedqa").read_text(encoding="utf-8"))
        pmids = [p for p in truth if p in data]
    else:
        truth, pmids = {}, list(data)
    return [
        PubMedQAQuestion(
            pmid=p,
            doc_id=f"pubmed:{p}",
            question=data[p]["QUESTION"],
            decision=truth.get(p, data[p]["final_decision"]),
        )
        for p in pmids
    ]
