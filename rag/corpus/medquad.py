"""Loader for MedQuAD's question-answer XML files, and the map from its answer ids to our documents."""

from __future__ import annotations

import hashlib
import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rag.corpus.manifest import load_manifest, pick_file, source_files
from rag.corpus.records import LoaderOptions, LoadReport, error_text, parse_options
from rag.corpus.repair import normalise_whitespace
from rag.settings import Settings
from rag.text import text_key
from rag.types import DocSection, Document


class MedQuADOptions(LoaderOptions):
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


def _file_source(root: ET.Element, doc_id: str) -> str:
    return root.get("source") or _folder_source(doc_id.split(":", 1)[1].split("/")[0])


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
    opts = parse_options(MedQuADOptions, options, "medquad")
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
    source = _file_source(root, doc_id)
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
        report.skip(member, error_text(exc))
        return None


def _medquad_answer(raw: str) -> str:
    # Bullets often sit on one line separated by runs of spaces ("...    - Next point"): give each its line.
    return normalise_whitespace(re.sub(r"[ \t]{2,}- ", "\n- ", raw))


def _answer_digest(answer: str) -> bytes:
    # 16-byte digests rather than the texts: the set of seen answers stays small.
    return hashlib.blake2b(text_key(answer).encode("utf-8"), digest_size=16).digest()


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
        digest = _answer_digest(answer)
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
    files = source_files(settings, load_manifest(settings).sources["medquad"])
    holder: dict[bytes, str] = {}  # answer text digest -> document keeping it
    candidates: dict[str, list[str]] = {}
    members = _read_medquad_members(pick_file(files, "*.tar.gz", "medquad"), LoadReport(source="medquad"))
    for doc_id, _member, data in members:
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            continue
        source = _file_source(root, doc_id)
        for pair in root.iter("QAPair"):
            answer = _medquad_answer(pair.findtext("Answer") or "")
            if answer:
                answer_id = f"{source}_{root.get('id') or ''}_Sec{pair.get('pid')}"
                candidates.setdefault(answer_id, []).append(holder.setdefault(_answer_digest(answer), doc_id))
    result = AnswerIdMap()
    for answer_id, doc_ids in candidates.items():
        unique = list(dict.fromkeys(doc_ids))
        result.doc_ids[answer_id] = unique[0]
        if len(unique) > 1:
            result.ambiguous[answer_id] = unique
    return result
