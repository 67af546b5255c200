"""The extractive writer: selected evidence sentences -> a sectioned answer of verbatim quotes with numbered citations.

Offline and deterministic. rag/answering/selection.py decides what is quoted (or that the answer abstains);
this module lays it out: roles and sub-headings, newer guidelines ahead of older ones that disagree, [n] by
first use, the abstention's wording and the disclaimer.
"""

from __future__ import annotations

import re

from rag.answering.candidates import Candidate
from rag.answering.disagreement import (
    find_conflicts,
    keep_newer_ahead,
    newer_first,
    notes,
)
from rag.answering.selection import Selection, select_statements
from rag.corpus.guideline_status import reference_fields
from rag.question import STEP_RE, QuestionFocus
from rag.settings import Settings
from rag.text import find_grade
from rag.types import Answer, AnswerSection, Citations, Document, IndexInfo, Statement
from rag.vocabulary import concepts as concepts_of

DISCLAIMER = (
    "guideqa condenses indexed guideline and research text for health professionals. It is not "
    "medical advice and does not replace clinical judgement, the full source documents or local "
    "protocols; check the cited sources and the patient's circumstances before acting."
)

SECTION_TITLES = {
    "guideline": "From the Guidelines",
    "research": "From the Research",
    "patient": "Patient information",
    "related": "Closely related evidence (does not directly answer the question)",
}

# Why an answer abstains, when no rarer word, animal or follow-up constraint says it more precisely.
ABSTENTION_REASONS = {
    "weak": "No indexed passage comes close enough to the question to answer it",
    "other_topic": "No document found is about most of what it asks",
    "no_treatment": "The indexed sources found on this condition do not say how to treat it",
    "no_quantity": "The indexed sources found on this topic do not state the dose, duration or interval asked for",
    "research_only": "Only research abstracts touch on it; no indexed guideline makes a recommendation on it",
    "remarks_only": "The closest guideline sentences are remarks on a recommendation's scope, not recommendations",
}

ROLE_ORDER = ["bottom_line", "consideration", "approach", "finding", "patient", "related"]
ROLE_HEADINGS = {"bottom_line": "Bottom line", "consideration": "Key considerations", "approach": "Clinical approach"}


def compose_answer(
    question: str,
    standalone: str,
    cands: list[Candidate],
    documents: dict[str, Document],
    settings: Settings,
    index: IndexInfo,
    force_abstain: bool = False,
    focus: QuestionFocus | None = None,
) -> Answer:
    """The extractive answer; `force_abstain` when something else (the LLM writer) found the evidence off-topic."""
    selection = select_statements(standalone, cands, settings, force_abstain, focus)
    abstention = None
    if selection.abstained:
        words = _question_words(standalone, selection.unknown)
        unmet = _question_words(standalone, selection.unmet)
        animal = selection.animal
        abstention = (
            f"The indexed guidelines and research do not directly address this question: \u201c{standalone}\u201d."
            + (f" No indexed source mentions {words}." if words else "")
            + (f" The evidence on this topic does not address {unmet}." if unmet else "")
            + (f" The indexed sources are about human patients, not about \u201c{animal}\u201d." if animal else "")
            + (_reason(selection, standalone) if not (words or unmet or animal) else "")
            + (" The closest evidence found is shown below, labelled as related only." if selection.groups else "")
        )

    citations = Citations(reference_fields)
    sections: list[AnswerSection] = []
    for kind, group in selection.groups:
        if not group:
            continue
        statements = []
        # Guidelines that disagree: the newer one first (rag/answering/disagreement.py).
        conflicts = find_conflicts(group, documents) if kind == "guideline" else []
        group = newer_first(group, conflicts)
        roles = keep_newer_ahead(group, assign_roles(kind, group), conflicts, ROLE_ORDER)
        # Ordered by role before numbering: references are numbered by first use as the reader meets them.
        placed = sorted(zip(group, roles), key=lambda p: ROLE_ORDER.index(p[1][0]))
        for cand, (role, heading) in placed:
            grade = find_grade(cand.text)
            n = citations.cite(documents[cand.hit.chunk.doc_id], cand.hit.chunk.id, grade, cand.hit.chunk.page)
            statements.append(Statement(text=cand.text, citations=[n], role=role, group=heading,
                                        grade=grade if kind == "guideline" else None))
        said = notes(conflicts, citations.numbers, documents)
        for cand, statement in zip((c for c, _ in placed), statements):
            statement.note = said.get(id(cand))
        sections.append(AnswerSection(title=SECTION_TITLES[kind], kind=kind, statements=statements))

    return Answer(
        question=question,
        standalone_question=standalone,
        sections=sections,
        references=citations.references,
        abstained=selection.abstained,
        abstention=abstention,
        disclaimer=DISCLAIMER,
        index=index,
    )


def _reason(selection: Selection, standalone: str) -> str:
    if not selection.reason:
        return ""
    lacking = _question_words(standalone, selection.uncovered)
    return f" {ABSTENTION_REASONS[selection.reason]}" + (f": the closest does not mention {lacking}." if lacking else ".")


_MAX_PHRASE = 4


def _question_words(question: str, concepts: list[str]) -> str:
    """The question's own words for concept keys (what the reader typed, not stems), quoted and joined."""
    words: list[str] = []
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", question)
    wanted = set(concepts)

    def names(ts: list[str]) -> bool:
        return bool(ts) and bool(concepts_of(" ".join(ts)) & wanted)
    for i in range(len(tokens)):
        # The shortest phrase from here that names one: "heart failure" is one concept, neither of its words is; a
        # phrase that still names it without its first word starts later ("has heart failure").
        n = next((n for n in range(1, _MAX_PHRASE + 1) if i + n <= len(tokens) and names(tokens[i:i + n])), 0)
        phrase = " ".join(tokens[i:i + n])
        if n and not names(tokens[i + 1:i + n]) and phrase not in words:
            words.append(phrase)
    quoted = [f"\u201c{w}\u201d" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if quoted else ""


def assign_roles(kind: str, group: list[Candidate]) -> list[tuple[str, str | None]]:
    """Guideline statements: the best is the bottom line, ordered steps are the clinical approach, the rest
    key considerations. Other sections keep one role."""
    if kind != "guideline":
        role = {"research": "finding", "patient": "patient"}.get(kind, "related")
        return [(role, None)] * len(group)
    out = []
    for i, cand in enumerate(group):
        role = "bottom_line" if i == 0 else ("approach" if STEP_RE.search(cand.text) else "consideration")
        out.append((role, ROLE_HEADINGS[role]))
    return out
