"""Loader for the National Guideline Clearinghouse summaries: one JSON object a line (optionally gzipped)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from rag.corpus.guideline_status import ngc_identifiers
from rag.corpus.records import (
    LoaderOptions,
    LoadReport,
    error_text,
    int_or_none,
    iter_lines,
    parse_options,
)
from rag.corpus.repair import repair_text
from rag.types import DocSection, Document


class NGCOptions(LoaderOptions):
    sections: list[str] | None = Field(default=None, description="Section headings to keep (None: all).")
    min_year: int | None = Field(
        default=None, description="Keep guidelines whose latest revision is this year or later."
    )
    license: str = "NGC summaries by ECRI for AHRQ"


_NGC_HEADING_RE = re.compile(r"^## ([^\n]+)$", re.MULTILINE)
# Section bodies that only say there is nothing there.
_NGC_PLACEHOLDERS = frozenset(
    {"none provided", "none provided.", "not stated", "not stated.", "none available", "none available.", "none"}
)


def _ngc_developer(name: str) -> str:
    # "American Academy of Neurology - Medical Specialty Society": drop NGC's developer type.
    body, sep, _category = name.rpartition(" - ")
    return body.strip() if sep and body.strip() else name.strip()


def _ngc_copyright(statement: str) -> str:
    s = " ".join(statement.split())
    if not s:
        return ""
    if m := re.search(r"copyrighted by (?:the )?(.+?)(?:\.\s|\.$|;|$)", s):
        return f"guideline © {m.group(1)}"
    if m := re.search(r"subject to (?:the )?(.+?)'s? copyright restrictions", s):
        holder = m.group(1)
        return "guideline © its developer" if holder == "guideline developer" else f"guideline © {holder}"
    low = s.lower()
    if "public domain" in low:
        return "guideline in the public domain"
    if "no copyright restrictions" in low:
        return "no copyright restrictions"
    return "guideline © its developer"


def _ngc_license(base: str, rec: dict[str, Any]) -> str:
    head = base.split(";")[0].strip()
    if rec.get("us_federal_developer") is True:
        tail = "public domain (US federal)"
    else:
        tail = _ngc_copyright(rec.get("copyright_statement") or "")
    return "; ".join(p for p in (head, tail) if p)


def _clean_ngc_body(body: str) -> str:
    # Lines carry stray leading/trailing spaces (" The following ..."), which only hurt sentence splitting.
    text = "\n".join(line.strip() for line in body.strip().split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text) if "\n\n\n" in text else text


def ngc_sections(text: str, keep: list[str] | None) -> list[DocSection]:
    """Split NGC markdown on '## Heading' lines; keep the listed headings, in document order (text repaired)."""
    parts = _NGC_HEADING_RE.split(text)
    wanted = set(keep) if keep is not None else None
    sections = []
    for heading, body in zip(parts[1::2], parts[2::2]):
        heading = heading.strip()
        if wanted is not None and heading not in wanted:
            continue
        body = _clean_ngc_body(repair_text(body))
        if body and not (len(body) < 20 and body.lower() in _NGC_PLACEHOLDERS):
            sections.append(DocSection(title=heading, text=body))
    return sections


def _ngc_document(rec: dict[str, Any], opts: NGCOptions) -> Document:
    developers = [_ngc_developer(repair_text(d)) for d in rec.get("developers") or [] if isinstance(d, str)]
    url = re.sub(r"\s*\([^()]*\)\s*$", "", str(rec.get("source_url") or "")).strip()
    if "guideline.gov" in url:
        # guideline.gov closed in July 2018; the Internet Archive keeps the summary pages.
        url = f"https://web.archive.org/web/2018/{url}"
    doc_id = rec["id"].strip()
    return Document(
        id=doc_id,
        kind="guideline",
        title=" ".join(repair_text(rec["title"]).split()),
        source="; ".join(dict.fromkeys(d for d in developers if d)) or "National Guideline Clearinghouse",
        year=int_or_none(rec.get("year")),
        url=url or None,
        identifiers={"ngc": doc_id.removeprefix("ngc-"), **ngc_identifiers(rec)},
        license=_ngc_license(opts.license, rec),
        sections=ngc_sections(rec["text"], opts.sections),
    )


def load_ngc(path: Path, options: dict[str, Any] | None, report: LoadReport) -> Iterator[Document]:
    """NGC summaries, one JSON object a line (optionally gzipped)."""
    opts = parse_options(NGCOptions, options, "ngc")
    try:
        for lineno, line in iter_lines(path):
            if not line.strip():
                continue
            doc = _ngc_record(line, f"{path.name}:{lineno}", opts, report)
            if doc is not None:
                report.loaded += 1
                yield doc
    except (OSError, EOFError) as exc:
        report.skip(path.name, f"file unreadable past this point: {exc}")


def _ngc_record(line: str, where: str, opts: NGCOptions, report: LoadReport) -> Document | None:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        report.skip(where, f"invalid JSON: {exc.msg} at column {exc.colno}")
        return None
    if not isinstance(rec, dict):
        report.skip(where, "not a JSON object")
        return None
    missing = [k for k in ("id", "title", "text") if not isinstance(rec.get(k), str) or not rec[k].strip()]
    if missing:
        report.skip(where, f"missing {', '.join(missing)}")
        return None
    where = f"{where} ({rec['id']})"
    year = int_or_none(rec.get("year"))
    if opts.min_year is not None and (year is None or year < opts.min_year):
        report.filtered += 1
        return None
    try:
        return _ngc_document(rec, opts)
    except ValidationError as exc:
        report.skip(where, error_text(exc))
        return None
