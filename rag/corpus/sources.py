"""Corpus sources: the manifest, fetching verified files, and loaders that yield Documents.

The manifest (``corpus/sources.toml``) names each source, its files (path, public URL,
sha256), its loader and loader options; ``[index.NAME]`` presets pick sources and
override options. ``fetch`` places verified copies in ``settings.corpus.data_dir``
(from the local mirror, or downloaded); ``iter_documents`` reads them (falling back to
the mirror) through the loaders below, plus the user's own folders.

Loaders never crash on a bad record: they append it to a ``LoadReport`` (and log a
warning) and go on.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import tarfile
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import frontmatter
import httpx
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rag.corpus.guideline_status import ngc_identifiers
from rag.settings import Settings
from rag.types import DocSection, Document, Kind

log = logging.getLogger(__name__)

LoaderName = Literal["ngc", "pubmedqa", "medquad"]
FETCH_COMMAND = "guideqa corpus fetch"


class CorpusError(RuntimeError):
    """A corpus file is missing or wrong, or the manifest is invalid."""


# --------------------------------------------------------------------------- manifest


class SourceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="Path relative to data_dir / the mirror.")
    url: str = Field(default="", description="Public download address ('' for files only the mirror has).")
    sha256: str

    @field_validator("path")
    @classmethod
    def _relative(cls, v: str) -> str:
        # The path is joined to data_dir: refuse anything that could escape it.
        p = PurePosixPath(v)
        if p.is_absolute() or ".." in p.parts or not p.parts:
            raise ValueError(f"file path must be relative and inside the corpus folder: {v!r}")
        return v

    @field_validator("sha256")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", v.lower()):
            raise ValueError(f"sha256 must be 64 hex digits: {v!r}")
        return v.lower()


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    kind: Kind
    loader: LoaderName
    license: str = ""
    upstream: str = ""
    files: list[SourceFile]
    options: dict[str, Any] = Field(default_factory=dict)


class IndexPreset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    sources: list[str]
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Per-source option overrides.")


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: dict[str, Source]
    indexes: dict[str, IndexPreset] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _presets_resolve(self) -> "Manifest":
        for preset in self.indexes.values():
            unknown = [s for s in [*preset.sources, *preset.options] if s not in self.sources]
            if unknown:
                raise ValueError(f"index preset {preset.name!r} names unknown sources: {unknown}")
            stray = [s for s in preset.options if s not in preset.sources]
            if stray:
                raise ValueError(f"index preset {preset.name!r} sets options for sources it omits: {stray}")
        return self


def load_manifest(settings: Settings) -> Manifest:
    """Read and validate ``settings.corpus.manifest``."""
    path = settings.corpus.manifest
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(f"sources manifest not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"sources manifest {path} is not valid TOML: {exc}") from None
    try:
        return Manifest(
            sources={name: Source(name=name, **body) for name, body in raw.get("source", {}).items()},
            indexes={name: IndexPreset(name=name, **body) for name, body in raw.get("index", {}).items()},
        )
    except (ValidationError, TypeError) as exc:
        raise CorpusError(f"sources manifest {path} is invalid: {exc}") from None


# --------------------------------------------------------------------------- load reports


class SkippedRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    where: str = Field(description="File and line / member / key of the record.")
    reason: str


class LoadReport(BaseModel):
    """What one loader run produced and what it left out."""

    model_config = ConfigDict(extra="forbid")
    source: str
    loaded: int = 0
    skipped: list[SkippedRecord] = Field(default_factory=list, description="Malformed or rejected records.")
    filtered: int = Field(default=0, description="Valid records left out by an option (e.g. min_year).")
    empty: int = Field(default=0, description="Records with no usable text (e.g. MedQuAD files without answers).")
    duplicates: int = Field(default=0, description="Documents dropped because all their text was seen before.")
    duplicate_sections: int = Field(default=0, description="Sections dropped as repeats of earlier text.")

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(SkippedRecord(where=where, reason=reason))
        log.warning("%s: skipped %s: %s", self.source, where, reason)


# --------------------------------------------------------------------------- text helpers


def _byte_class(lo: int, hi: int) -> str:
    """Regex class of the characters a byte in [lo, hi] becomes when misread as latin-1 or cp1252."""
    chars: set[str] = set()
    for b in range(lo, hi + 1):
        chars.add(chr(b))
        try:
            chars.add(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            pass
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


_CONT = _byte_class(0x80, 0xBF)
_MOJIBAKE_RE = re.compile(
    f"(?:{_byte_class(0xC2, 0xDF)}{_CONT}|{_byte_class(0xE0, 0xEF)}{_CONT}{{2}}|{_byte_class(0xF0, 0xF4)}{_CONT}{{3}})+"
)
# Cheap pre-checks: the full pattern is slow on the ~57 M characters of NGC.
_SUSPECT_RE = re.compile(
    "[\u0080-\u00bf\u00c2-\u00f4\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)
_PAIR_RE = re.compile(f"{_byte_class(0xC2, 0xF4)}{_CONT}")
_INVISIBLE_RE = re.compile("[\u00ad\u200b]")


def _char_byte(c: str) -> int:
    return ord(c) if ord(c) < 256 else c.encode("cp1252")[0]


def _undo_mojibake(match: re.Match[str]) -> str:
    try:
        return bytes(_char_byte(c) for c in match.group(0)).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return match.group(0)


def repair_text(text: str) -> str:
    """Undo UTF-8 read as latin-1/cp1252 ("ï¬\\x81" -> "ﬁ"), drop soft hyphens and zero-width spaces."""
    if _SUSPECT_RE.search(text) and _PAIR_RE.search(text):
        text = _MOJIBAKE_RE.sub(_undo_mojibake, text)
    # A mis-decoded no-break space whose second byte was later turned into a plain space.
    text = text.replace("\u00c2 ", " ")
    return _INVISIBLE_RE.sub("", text) if "\u00ad" in text or "\u200b" in text else text


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces within lines; keep line breaks and blank-line paragraph breaks."""
    paragraphs = re.split(r"\n[ \t\r\f\v]*\n\s*", text.strip())
    out = []
    for para in paragraphs:
        lines = [" ".join(line.split()) for line in para.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)


def text_key(text: str) -> str:
    """Comparison key for de-duplication: whitespace- and case-insensitive."""
    return " ".join(text.split()).casefold()


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _error_text(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'document'}: {e['msg']}" for e in exc.errors())


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    license: str = Field(default="", description="The manifest source's license (filled in by iter_documents).")


def _parse_options(model: type[_Options], options: dict[str, Any] | None, loader: str) -> Any:
    try:
        return model(**(options or {}))
    except ValidationError as exc:
        raise CorpusError(f"invalid options for the {loader} loader: {_error_text(exc)}") from None


# --------------------------------------------------------------------------- NGC


class NGCOptions(_Options):
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


def _iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Lines of a (gzipped) text file, split on '\\n' only.

    The NGC mojibake holds U+0085 (NEL), on which str.splitlines would break a record.
    """
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError:
                yield lineno, raw.decode("utf-8", errors="replace")


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
        year=_int_or_none(rec.get("year")),
        url=url or None,
        identifiers={"ngc": doc_id.removeprefix("ngc-"), **ngc_identifiers(rec)},
        license=_ngc_license(opts.license, rec),
        sections=ngc_sections(rec["text"], opts.sections),
    )


def load_ngc(path: Path, options: dict[str, Any] | None, report: LoadReport) -> Iterator[Document]:
    """NGC summaries, one JSON object a line (optionally gzipped)."""
    opts: NGCOptions = _parse_options(NGCOptions, options, "ngc")
    try:
        for lineno, line in _iter_lines(path):
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
    year = _int_or_none(rec.get("year"))
    if opts.min_year is not None and (year is None or year < opts.min_year):
        report.filtered += 1
        return None
    try:
        return _ngc_document(rec, opts)
    except ValidationError as exc:
        report.skip(where, _error_text(exc))
        return None


# --------------------------------------------------------------------------- PubMedQA


class PubMedQAOptions(_Options):
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
    opts: PubMedQAOptions = _parse_options(PubMedQAOptions, options, "pubmedqa")
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
            year=_int_or_none(rec.get("YEAR")),
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            identifiers={"pmid": pmid},
            license=f"{opts.license} (PubMedQA)" if opts.license else "PubMedQA",
            sections=sections,
        )
    except ValidationError as exc:
        report.skip(where, _error_text(exc))
        return None


class PubMedQAQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pmid: str
    doc_id: str
    question: str
    decision: Literal["yes", "no", "maybe"]


def load_pubmedqa_questions(settings: Settings, split: Literal["all", "test"] = "all") -> list[PubMedQAQuestion]:
    """PubMedQA questions for evaluation; 'test' is the official 500-PMID test split."""
    files = _source_paths(settings, load_manifest(settings).sources["pubmedqa"])
    data = json.loads(_pick(files, "ori_pqal.json", "pubmedqa").read_text(encoding="utf-8"))
    if split == "test":
        truth = json.loads(_pick(files, "test_ground_truth.json", "pubmedqa").read_text(encoding="utf-8"))
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


# --------------------------------------------------------------------------- MedQuAD


class MedQuADOptions(_Options):
    license: str = "CC BY 4.0"
    dedupe: bool = Field(default=True, description="Drop answers whose text was seen before.")


MEDQUAD_PUBLISHERS = {
    "CancerGov": "National Cancer Institute (cancer.gov)",
    "GARD": "Genetic and Rare Diseases Information Center",
    "GHR": "Genetics Home Reference",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "NINDS": "National Institute of Neurological Disorders and Stroke",
    "NHLBI": "National Heart, Lung, and Blood Institute",
    "CDC": "Centers for Disease Control and Prevention",
    "MPlusHealthTopics": "MedlinePlus",
    "NIHSeniorHealth": "NIHSeniorHealth",
}
# Matches the mirror's "1_CancerGov_QA/x.xml" and GitHub's "MedQuAD-<commit>/1_CancerGov_QA/x.xml".
_MEDQUAD_MEMBER_RE = re.compile(r"(?:^|/)(\d+_[A-Za-z0-9_]+)/([^/]+)\.xml$")


def medquad_doc_id(member_name: str) -> str | None:
    """Our id for a MedQuAD tar member ('medquad:<folder>/<file>'), or None if it is not a QA file."""
    m = _MEDQUAD_MEMBER_RE.search(member_name)
    return f"medquad:{m.group(1)}/{m.group(2)}" if m else None


def _folder_source(folder: str) -> str:
    # Fallback when a file lacks the source attribute: "6_NINDS_QA" -> "NINDS".
    name = re.sub(r"^\d+_|_QA(?:_XML)?$", "", folder).replace("_", "")
    return {"SeniorHealth": "NIHSeniorHealth"}.get(name, name)


def _natural_key(doc_id: str) -> tuple[Any, ...]:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", doc_id))


def _read_medquad_members(path: Path, report: LoadReport) -> list[tuple[str, str, bytes]]:
    """(doc id, member name, bytes) of every QA XML file, read in one pass, in a stable order."""
    found = []
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                doc_id = medquad_doc_id(member.name) if member.isfile() else None
                fh = tar.extractfile(member) if doc_id else None
                if doc_id and fh is not None:
                    found.append((doc_id, member.name, fh.read()))
    except (tarfile.TarError, OSError, EOFError) as exc:
        report.skip(path.name, f"archive unreadable past this point: {exc}")
    # Sorted so that which copy of a repeated answer survives does not depend on how the tar was packed.
    found.sort(key=lambda item: _natural_key(item[0]))
    return found


def load_medquad(path: Path, options: dict[str, Any] | None, report: LoadReport) -> Iterator[Document]:
    """MedQuAD XML files from the mirror's tar.gz or GitHub's repository tarball."""
    opts: MedQuADOptions = _parse_options(MedQuADOptions, options, "medquad")
    seen: set[bytes] = set()
    ids: set[str] = set()
    for doc_id, member, data in _read_medquad_members(path, report):
        if doc_id in ids:
            report.skip(member, f"duplicate file for {doc_id}")
            continue
        ids.add(doc_id)
        doc = _medquad_file(doc_id, member, data, opts, seen, report)
        if doc is not None:
            report.loaded += 1
            yield doc


def _medquad_file(
    doc_id: str, member: str, data: bytes, opts: MedQuADOptions, seen: set[bytes], report: LoadReport
) -> Document | None:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        report.skip(member, f"malformed XML: {exc}")
        return None
    sections, answered = _medquad_sections(root, opts.dedupe, seen, report)
    if not sections:
        # Not an error: stripped answers upstream, or every answer repeats an earlier document.
        if answered:
            report.duplicates += 1
        else:
            report.empty += 1
        return None
    source = root.get("source") or _folder_source(doc_id.split(":", 1)[1].split("/")[0])
    identifiers = {"medquad_source": source}
    if root.get("id"):
        identifiers["medquad_id"] = root.get("id", "")
    try:
        return Document(
            id=doc_id,
            kind="patient",
            title=" ".join((root.findtext("Focus") or "").split()) or sections[0].title,
            source=MEDQUAD_PUBLISHERS.get(source, source),
            year=None,
            url=(root.get("url") or "").strip() or None,
            identifiers=identifiers,
            license=f"{opts.license} (MedQuAD)" if opts.license else "MedQuAD",
            sections=sections,
        )
    except ValidationError as exc:
        report.skip(member, _error_text(exc))
        return None


def _medquad_answer(raw: str) -> str:
    # Bullets often sit on one line separated by runs of spaces ("...    - Next point"): give each its line.
    return normalise_whitespace(re.sub(r"[ \t]{2,}- ", "\n- ", raw))


def _medquad_sections(
    root: ET.Element, dedupe: bool, seen: set[bytes], report: LoadReport
) -> tuple[list[DocSection], int]:
    """Sections of one file (question -> answer) and how many QAPairs had an answer at all."""
    sections: list[DocSection] = []
    answered = 0
    for pair in root.iter("QAPair"):
        answer = _medquad_answer(pair.findtext("Answer") or "")
        if not answer:
            continue
        answered += 1
        digest = hashlib.blake2b(text_key(answer).encode("utf-8"), digest_size=16).digest()
        if dedupe and digest in seen:
            report.duplicate_sections += 1
            continue
        seen.add(digest)
        sections.append(DocSection(title=" ".join((pair.findtext("Question") or "").split()), text=answer))
    return sections, answered


class AnswerIdMap(BaseModel):
    """MedQuAD answer ids as the LiveQA qrels write them ('GHR_0000804_Sec2') -> our document ids."""

    model_config = ConfigDict(extra="forbid")
    doc_ids: dict[str, str] = Field(
        default_factory=dict, description="Answer id (no '.txt') -> the indexed document holding that answer text."
    )
    ambiguous: dict[str, list[str]] = Field(default_factory=dict, description="Answer ids several files carry.")


def medquad_answer_ids(settings: Settings) -> AnswerIdMap:
    """Map '<source>_<XML Document id>_Sec<QAPair pid>' answer ids to MedQuAD document ids.

    An answer dropped as a repeat maps to the document that kept the first copy of its text, so
    every id maps into what load_medquad yields. Qrels ids of subsets without answers (ADAM,
    MPlusDrugs, MPlusHerbsSuppls) and of QAPairs missing from this MedQuAD version do not map.
    """
    files = _source_paths(settings, load_manifest(settings).sources["medquad"])
    holder: dict[bytes, str] = {}  # answer text digest -> document keeping it
    candidates: dict[str, list[str]] = {}
    members = _read_medquad_members(_pick(files, "*.tar.gz", "medquad"), LoadReport(source="medquad"))
    for doc_id, _member, data in members:
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            continue
        source = root.get("source") or _folder_source(doc_id.split(":", 1)[1].split("/")[0])
        for pair in root.iter("QAPair"):
            answer = _medquad_answer(pair.findtext("Answer") or "")
            if answer:
                digest = hashlib.blake2b(text_key(answer).encode("utf-8"), digest_size=16).digest()
                answer_id = f"{source}_{root.get('id') or ''}_Sec{pair.get('pid')}"
                candidates.setdefault(answer_id, []).append(holder.setdefault(digest, doc_id))
    result = AnswerIdMap()
    for answer_id, doc_ids in candidates.items():
        unique = list(dict.fromkeys(doc_ids))
        result.doc_ids[answer_id] = unique[0]
        if len(unique) > 1:
            result.ambiguous[answer_id] = unique
    return result


# --------------------------------------------------------------------------- user folders


_MD_HEADING_RE = re.compile(r"^(#{1,2})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def markdown_sections(body: str) -> tuple[str | None, list[DocSection]]:
    """Split on '#'/'##' headings; text before the first heading is a section titled ''.

    Returns the first level-1 heading (a default title) and the non-empty sections.
    """
    parts = _MD_HEADING_RE.split(body)
    first_h1 = next((parts[i + 1] for i in range(1, len(parts), 3) if parts[i] == "#"), None)
    sections = [DocSection(title="", text=normalise_whitespace(parts[0]))]
    for i in range(1, len(parts), 3):
        sections.append(DocSection(title=parts[i + 1].strip(), text=normalise_whitespace(parts[i + 2])))
    return first_h1, [s for s in sections if s.text]


def _user_markdown(path: Path, rel: str, report: LoadReport) -> Document | None:
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError, TypeError, ValueError) as exc:
        report.skip(rel, f"unreadable front matter or text: {exc}")
        return None
    meta = post.metadata
    first_h1, sections = markdown_sections(post.content)
    identifiers = meta.get("identifiers") or {}
    if isinstance(identifiers, dict):
        identifiers = {str(k): str(v) for k, v in identifiers.items()}
    try:
        return Document(
            id=str(meta.get("id") or f"user:{PurePosixPath(rel).with_suffix('')}"),
            kind=meta.get("kind") or "guideline",
            title=str(meta.get("title") or first_h1 or path.stem),
            source=str(meta.get("source") or ""),
            year=meta.get("year"),
            url=meta.get("url"),
            license=str(meta.get("license") or ""),
            identifiers=identifiers,
            sections=sections,
        )
    except ValidationError as exc:
        report.skip(rel, _error_text(exc))
        return None


def _user_jsonl(path: Path, rel: str, report: LoadReport) -> Iterator[Document]:
    for lineno, line in _iter_lines(path):
        if not line.strip():
            continue
        try:
            yield Document.model_validate_json(line)
        except ValidationError as exc:
            report.skip(f"{rel}:{lineno}", _error_text(exc))


def load_user_dir(path: Path, report: LoadReport) -> Iterator[Document]:
    """The user's own documents: *.jsonl of Document JSON, *.md / *.txt with optional YAML front matter."""
    if not path.is_dir():
        raise CorpusError(f"user document folder not found: {path}")
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path).as_posix()
        if file.suffix == ".jsonl":
            docs: Iterable[Document] = _user_jsonl(file, rel, report)
        elif file.suffix in (".md", ".txt"):
            doc = _user_markdown(file, rel, report)
            docs = [doc] if doc is not None else []
        else:
            continue
        for doc in docs:
            report.loaded += 1
            yield doc


# --------------------------------------------------------------------------- resolving files and iterating

Loader = Callable[[Path, dict[str, Any] | None, LoadReport], Iterator[Document]]
# Each loader and the one file (by name pattern) of its source that it reads.
LOADERS: dict[str, tuple[Loader, str]] = {
    "ngc": (load_ngc, "*.jsonl*"),
    "pubmedqa": (load_pubmedqa, "ori_pqal.json"),
    "medquad": (load_medquad, "*.tar.gz"),
}


def corpus_file(settings: Settings, rel_path: str) -> Path:
    """Where to read a manifest file: data_dir if fetched, else the mirror."""
    fetched = settings.corpus.data_dir / rel_path
    if fetched.is_file():
        return fetched
    mirror = settings.corpus.mirror
    if mirror is not None and (mirror / rel_path).is_file():
        return mirror / rel_path
    where = f"{settings.corpus.data_dir}" + (f" or the mirror {mirror}" if mirror else " (no mirror configured)")
    raise CorpusError(f"corpus file {rel_path} not found in {where}; run `{FETCH_COMMAND}` first")


def _source_paths(settings: Settings, source: Source) -> list[Path]:
    return [corpus_file(settings, f.path) for f in source.files]


def _pick(paths: list[Path], pattern: str, source: str) -> Path:
    for p in paths:
        if fnmatch(p.name, pattern):
            return p
    raise CorpusError(f"source {source!r} has no file matching {pattern!r} in the manifest")


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
    names = list(manifest.sources) if sources is None else sources
    unknown = [n for n in names if n not in manifest.sources]
    if unknown:
        raise CorpusError(f"unknown sources {unknown}; known: {', '.join(manifest.sources)}")
    plan = []
    for name in dict.fromkeys(names):
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
    jobs: list[tuple[LoadReport, Callable[[LoadReport], Iterator[Document]]]] = []
    for src, options in _plan(manifest, sources, preset):
        loader, pattern = LOADERS[src.loader]
        path = _pick(_source_paths(settings, src), pattern, src.name)
        jobs.append((LoadReport(source=src.name), lambda r, f=loader, p=path, o=options: f(p, o, r)))
    for folder in settings.corpus.user_dirs:
        if not folder.is_dir():
            raise CorpusError(f"user document folder not found: {folder} (settings.corpus.user_dirs)")
        jobs.append((LoadReport(source=f"user:{folder}"), lambda r, d=folder: load_user_dir(d, r)))
    return _run(jobs, reports)


def _run(
    jobs: list[tuple[LoadReport, Callable[[LoadReport], Iterator[Document]]]], reports: list[LoadReport] | None
) -> Iterator[Document]:
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


# --------------------------------------------------------------------------- fetching

FetchStatus = Literal["present", "copied from mirror", "downloaded"]
Progress = Callable[[str, int, int | None], None]
_CHUNK = 1 << 20


class FetchResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    path: str = Field(description="Path relative to data_dir.")
    status: FetchStatus
    sha256: str
    size: int


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _write_verified(
    dest: Path, chunks: Iterable[bytes], expected: str, origin: str, on_bytes: Callable[[int], None]
) -> int:
    """Stream chunks to a temp file beside dest, check sha256, then move into place (no partial files)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                on_bytes(size)
        actual = digest.hexdigest()
        if actual != expected:
            raise CorpusError(
                f"checksum mismatch for {dest.name} from {origin}: expected sha256 {expected}, got {actual}; "
                "the file was not kept"
            )
        os.replace(tmp, dest)
        return size
    finally:
        tmp.unlink(missing_ok=True)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def _download_chunks(url: str, total: list[int | None]) -> Iterator[bytes]:
    try:
        with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, read=120.0)) as client:
            with client.stream("GET", url) as response:
                response.raise_for_status()
                length = response.headers.get("content-length")
                total[0] = int(length) if length and length.isdigit() else None
                yield from response.iter_bytes(_CHUNK)
    except httpx.HTTPError as exc:
        raise CorpusError(f"download of {url} failed: {exc}") from None


def _fetch_file(settings: Settings, source: str, f: SourceFile, progress: Progress | None) -> FetchResult:
    dest = settings.corpus.data_dir / f.path
    if dest.is_file():
        if sha256_file(dest) == f.sha256:
            return FetchResult(source=source, path=f.path, status="present", sha256=f.sha256, size=dest.stat().st_size)
        log.warning("%s has the wrong checksum; fetching it again", dest)
    mirror = settings.corpus.mirror
    if mirror is not None and (mirror / f.path).is_file():
        origin = mirror / f.path
        total: list[int | None] = [origin.stat().st_size]
        chunks: Iterable[bytes] = _file_chunks(origin)
        status: FetchStatus = "copied from mirror"
    elif f.url:
        origin, total, status = f.url, [None], "downloaded"
        chunks = _download_chunks(f.url, total)
    else:
        why = "no mirror is configured" if mirror is None else f"{mirror} lacks it"
        raise CorpusError(
            f"{f.path} ({source}) is a derived file with no public download of its own: it is only "
            f"available from the corpus mirror, and {why} (set GUIDEQA_CORPUS__MIRROR)"
        )
    size = _write_verified(dest, chunks, f.sha256, str(origin), lambda n: progress and progress(f.path, n, total[0]))
    return FetchResult(source=source, path=f.path, status=status, sha256=f.sha256, size=size)


def fetch(settings: Settings, sources: list[str] | None = None, progress: Progress | None = None) -> list[FetchResult]:
    """Place every manifest file of the sources (default all) in data_dir, verified by sha256.

    Order of preference: already present and valid; copied from the mirror; downloaded from its URL.
    ``progress(path, bytes_done, bytes_total_or_None)`` is called as bytes arrive.
    """
    manifest = load_manifest(settings)
    names = list(manifest.sources) if sources is None else sources
    unknown = [n for n in names if n not in manifest.sources]
    if unknown:
        raise CorpusError(f"unknown sources {unknown}; known: {', '.join(manifest.sources)}")
    return [_fetch_file(settings, n, f, progress) for n in dict.fromkeys(names) for f in manifest.sources[n].files]


__all__ = [
    "AnswerIdMap",
    "CorpusError",
    "FetchResult",
    "IndexPreset",
    "LoadReport",
    "Manifest",
    "PubMedQAQuestion",
    "SkippedRecord",
    "Source",
    "SourceFile",
    "corpus_file",
    "fetch",
    "iter_documents",
    "load_manifest",
    "load_medquad",
    "load_ngc",
    "load_pubmedqa",
    "load_pubmedqa_questions",
    "load_user_dir",
    "medquad_answer_ids",
    "repair_text",
    "sha256_file",
]
