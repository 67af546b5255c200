"""Loader for PubMedQA's abstracts (ori_pqal.json), and its questions for evaluation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from rag.corpus.manifest import load_manifest, pick_file, source_files
from rag.corpus.records import (
    LoaderOptions,
    LoadReport,
    error_text,
    int_or_none,
    parse_options,
)
from rag.settings import Settings
from rag.types import DocSection, Document


class PubMedQAOptions(LoaderOptions):
    license: str = "MIT"


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
    for pmid, rec in data.items():
        doc = _pubmedqa_record(str(pmid).strip(), rec, opts, report)
        if doc is not None:
            report.loaded += 1
            yield doc


def _pubmedqa_record(pmid: str, rec: Any, opts: PubMedQAOptions, report: LoadReport) -> Document | None:
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
    try:
        return Document(
            id=f"pubmed:{pmid}",
            kind="research",
            title=f"PubMed abstract {pmid}",  # the file has no article title (QUESTION is derived from it)
            source="PubMed",
            year=int_or_none(rec.get("YEAR")),
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            identifiers={"pmid": pmid},
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
