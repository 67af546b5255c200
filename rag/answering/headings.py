"""The sub-heading a sentence sits under ("Statement 4a. Repositioning Procedures as Initial Therapy").

Guidelines group their recommendations under headings that say what each group is about: diagnosis or
treatment, which drug class, which patients. The index keeps only a section's top-level name ("Major
Recommendations"), but a chunk keeps its lines, so a heading is a short paragraph of its own, without a
sentence's final full stop, found before the sentence in the same section.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from rag.types import Chunk

_NOT_HEADING_END = (".", ":", ";", ",")
# "Risks, harms, costs: None": a field of a table, not a heading ("Recommendation 3: Screening" is one).
_FIELD_RE = re.compile(r"^(?!(?:statement|recommendation|section|part|question|key question)\b)[^:]{1,60}:\s+\S", re.I)
_LIST_START_RE = re.compile(r"^(?:[-•*–]|\(?[a-z]\)|\d+[.)]\s+[a-z])")
_MAX_CHARS, _MAX_WORDS = 140, 18
# "OR" between two regimens of a list joins them; it heads nothing.
_CONNECTOR_RE = re.compile(r"^(?:or|and|and/or|plus|then|either)$", re.I)


def is_heading(line: str) -> bool:
    line = line.strip().strip("*#").strip()
    if not line or len(line) > _MAX_CHARS or len(line.split()) > _MAX_WORDS:
        return False
    if line.endswith(_NOT_HEADING_END) or _LIST_START_RE.match(line) or _FIELD_RE.match(line) or \
            _CONNECTOR_RE.match(line):
        return False
    return line[0].isupper() or line[0].isdigit()


SectionHeadings = dict[int, list[tuple[int, str]]]  # section index -> (offset, heading), in order


def document_headings(chunks: Iterable[Chunk]) -> SectionHeadings:
    """Every heading of one document's chunks, by section."""
    out: SectionHeadings = {}
    for chunk in chunks:
        found = out.setdefault(chunk.section_index, [])
        at = 0
        for part in chunk.text.split("\n\n"):  # a chunk's paragraphs; a heading is one of its own, on one line
            line = part.strip()
            if line and "\n" not in line and is_heading(line):
                found.append((chunk.start + at, line.strip("*#").strip()))
            at += len(part) + 2
    for found in out.values():
        found.sort()
    return out


def heading_of(headings: SectionHeadings, chunk: Chunk, sentence: str) -> str:
    """The last heading before the sentence in its section ("" when none is known)."""
    at = chunk.text.find(sentence)
    offset = chunk.start + (at if at >= 0 else 0)
    before = [heading for start, heading in headings.get(chunk.section_index, ()) if start < offset]
    if not before:
        return ""
    # A grading key's own sub-headings ("Classification of Evidence for Risk of Bias", then "Class I") are still the
    # key: "Relevant baseline characteristics are presented ..." under "Class I" describes a study, not the patient's
    # care. The key is returned as the sentence's heading.
    k = len(before) - 1
    while k > 0 and _SCHEME_LABEL_RE.match(before[k]) and not is_grading_heading(before[k]):
        k -= 1
    if k < len(before) - 1 and _is_key_heading(before[k]):
        return before[k]
    return before[-1]


# A grading key's sub-headings: "Class IIa", "Level 2", "B", "IV", "Evidence Classification for Prognostic Studies".
# (Under an ACC/AHA recommendation, "Class IIa" heads recommendations; that grading comes in brackets, see below.)
_SCHEME_LABEL_RE = re.compile(r"^(?:(?:class|level|grade|category|tier)\s*(?:[IVX]+|\d+|[A-E])[a-c+-]?|"
                              r"[A-E][+-]?|[IVX]+|.*\b(?:evidence|scheme)\b.*|"
                              r"diagnostic|therapeutic|prognostic|screening|causation)\W*$", re.I)


def _is_key_heading(heading: str) -> bool:
    """A grading key's heading, not a recommendation taken for a heading because it ends in its bracketed grade
    ("TEE is recommended when ... ( Level of Evidence: C )")."""
    return is_grading_heading(heading) and not heading.rstrip().endswith(")")


# What a heading says its recommendations are about, by the question's asks (rag.question.ASKS).
_HEADING_KINDS = {
    "treat": re.compile(r"\b(treat\w*|therap\w*|manag\w*|pharmacolog\w*|drugs?|medications?|antibiotics?|regimens?|"
                        r"replacement|supplementation|surgery|surgical|procedures?|interventions?|choice of|prophylaxis)\b", re.I),
    "test": re.compile(r"\b(diagnos\w*|tests?|testing|imaging|evaluation|assessment|investigations?|work-?up|laboratory)\b", re.I),
    "screen": re.compile(r"\b(screen\w*|surveillance|monitor\w*|follow-?up|interval|timing)\b", re.I),
    "duration": re.compile(r"\b(duration|length|extended|continu\w*|stop\w*|discontinu\w*)\b", re.I),
}
_ASK_KINDS = {"drug": {"treat"}, "treat": {"treat"}, "dose": {"treat"}, "test": {"test", "screen"},
              "interval": {"screen"}, "when": {"screen", "treat"}, "who": {"screen", "test"}, "duration": {"duration", "treat"}}
# Headings over definitions, grading keys and the profile of a statement: their sentences recommend nothing.
# Those over a grading key or a statement's profile are never statements; NICE heads the key to its own wording
# "Interventions That Should (or Should Not) Be Used".
GRADING_HEADING_RE = re.compile(r"\b(action statement profile|definitions?|strength of (the )?recommendations?|quality of "
                                r"(the )?evidence|grading|rating scheme|levels? of evidence|interpretation of|abbreviations|"
                                r"key to|evidence (grades|categories|levels)|interventions that (could|should|must)|"
                                r"classification of (\w+ )?(evidence|recommendations?)|grades? of (the )?recommendations?|"
                                r"levels? of certainty|certainty regarding net benefit)\b", re.I)
META_HEADING_RE = re.compile(GRADING_HEADING_RE.pattern + r"|\b(remarks|implementation)\b", re.I)


def heading_fits(heading: str, asks: Sequence[str]) -> float:
    """+1: the heading is about what the question asks (treatment, a test, screening, duration); -1: it is about
    another of those only (diagnosis when a treatment is asked for); 0: no heading or no verdict."""
    wanted = set().union(*(_ASK_KINDS.get(a, set()) for a in asks)) if asks else set()
    if not heading or not wanted:
        return 0.0
    found = heading_kinds(heading)
    if found & wanted:
        return 1.0
    return -1.0 if found else 0.0


@functools.lru_cache(maxsize=8192)
def heading_kinds(heading: str) -> frozenset[str]:
    """What a heading is about (treat, test, screen, duration); a guideline repeats its headings over many sentences."""
    return frozenset(kind for kind, pattern in _HEADING_KINDS.items() if pattern.search(heading))


@functools.lru_cache(maxsize=8192)
def is_meta_heading(heading: str) -> bool:
    return bool(META_HEADING_RE.search(heading))


@functools.lru_cache(maxsize=8192)
def is_grading_heading(heading: str) -> bool:
    return bool(heading) and bool(GRADING_HEADING_RE.search(heading))
