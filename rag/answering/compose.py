"""The extractive writer: evidence sentences -> a sectioned answer with numbered citations.

Offline and deterministic. Candidate sentences come from the retrieved chunks;
each is scored by cosine similarity to the question with the same encoder the
index uses, and picked by maximal marginal relevance (relevance plus
diversity). Every statement is a verbatim sentence followed by its [n].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.answering.disagreement import (
    find_conflicts,
    keep_newer_ahead,
    newer_first,
    notes,
)
from rag.corpus.guideline_status import reference_fields
from rag.indexing.embedding import Embedder
from rag.question import STEP_RE, QuestionFocus, states
from rag.question import concepts as concepts_of
from rag.settings import Settings
from rag.text import (
    TRAILING_MARKS_RE,
    content_stems,
    find_grade,
    not_content,
    quotable_spans,
    sentence_key,
)
from rag.types import (
    KINDS,
    Answer,
    AnswerSection,
    Document,
    Hit,
    IndexInfo,
    Reference,
    Statement,
)

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

_MIN_SHARED_TERMS = 2
_SPECIFIC_ASKS = ("dose", "duration", "interval")  # numbers a sentence states reliably; drug names it may not
# What a guideline's recommendation states and a study's finding does not: which drug, how much, how long, when.
_RECOMMENDATION_ASKS = {"drug", "dose", "duration", "interval", "when"}


@dataclass
class Candidate:
    text: str
    hit: Hit
    relevance: float = 0.0  # cosine to the question (the abstention threshold is calibrated on it)
    vector: np.ndarray | None = None
    score: float | None = None  # the ranker's score (rag/rank.py); None: rank by relevance
    coverage: float = 1.0  # share of the question's topic the sentence and its context state

    @property
    def rank_score(self) -> float:
        return self.relevance if self.score is None else self.score


SentenceVectors = dict[str, dict[tuple[int, int], np.ndarray]]  # chunk id -> span -> vector


def candidates_from_hits(hits: list[Hit], stored: SentenceVectors | None = None,
                         seen: set[str] | None = None) -> list[Candidate]:
    """Sentences of the retrieved chunks worth quoting, without duplicates (with their stored vectors, if any).

    `seen`: normalised texts already taken (it is updated), so a second call adds only new sentences."""
    seen = set() if seen is None else seen
    out: list[Candidate] = []
    for hit in hits:
        text = hit.chunk.text
        vectors = (stored or {}).get(hit.chunk.id, {})
        # The index stored each chunk's quotable spans with their vectors; split again only without them.
        for a, b in (vectors or quotable_spans(text)):
            sentence = text[a:b]
            key = sentence_key(sentence)
            # A guideline's key question ("Should exercise be used to prevent falls?") is near the question
            # and answers nothing.
            if key in seen or ("?" in sentence[-80:] and TRAILING_MARKS_RE.sub("", sentence).rstrip().endswith("?")):
                continue
            if not_content(sentence):  # an index built before a boilerplate pattern was added
                continue
            seen.add(key)
            out.append(Candidate(text=sentence, hit=hit, vector=vectors.get((a, b))))
    return out


def score_candidates(cands: list[Candidate], query_vector: np.ndarray, embedder: Embedder) -> None:
    """Cosine of each sentence to the question: stored vectors where the index has them, else encoded now."""
    missing = [c for c in cands if c.vector is None]
    if missing:  # an index built before sentence vectors were stored
        for cand, vec in zip(missing, embedder.encode_documents([c.text for c in missing])):
            cand.vector = vec
    if not cands:
        return
    matrix = np.vstack([c.vector for c in cands]).astype(np.float32)
    for cand, rel in zip(cands, matrix @ query_vector):
        cand.relevance = float(rel)


def mmr_select(cands: list[Candidate], settings: Settings, threshold: float, limit: int) -> list[Candidate]:
    """Greedy maximal marginal relevance under per-document and per-section caps."""
    a = settings.answer
    pool = [c for c in cands if c.rank_score >= threshold]
    chosen: list[Candidate] = []
    per_doc: dict[str, int] = {}
    per_kind: dict[str, int] = {}
    while pool and len(chosen) < limit:
        best, best_score = None, -np.inf
        for cand in pool:
            if per_doc.get(cand.hit.chunk.doc_id, 0) >= a.max_per_document:
                continue
            if per_kind.get(cand.hit.chunk.kind, 0) >= a.max_per_section:
                continue
            redundancy = max((float(cand.vector @ c.vector) for c in chosen), default=0.0)
            score = a.mmr_lambda * cand.rank_score - (1 - a.mmr_lambda) * redundancy
            if score > best_score:
                best, best_score = cand, score
        if best is None:
            break
        chosen.append(best)
        pool.remove(best)
        per_doc[best.hit.chunk.doc_id] = per_doc.get(best.hit.chunk.doc_id, 0) + 1
        per_kind[best.hit.chunk.kind] = per_kind.get(best.hit.chunk.kind, 0) + 1
    return chosen


def gather_candidates(hits: list[Hit], query_vector: np.ndarray, embedder: Embedder,
                      stored: SentenceVectors | None = None, rescore_top: int = 0) -> list[Candidate]:
    """Quotable sentences of the hits, each scored against the question.

    With stored vectors and `rescore_top`, the best N are re-encoded on their own and only they are kept:
    a sentence pooled inside its chunk carries the chunk's topic, so neighbours score alike.
    """
    cands = candidates_from_hits(hits, stored)
    score_candidates(cands, query_vector, embedder)
    if stored and rescore_top and cands:
        cands = sorted(cands, key=lambda c: -c.relevance)[:rescore_top]
        for c in cands:
            c.vector = None
        score_candidates(cands, query_vector, embedder)
    return cands


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
    a = settings.answer
    best = max((c.relevance for c in cands), default=0.0)
    # A statement must itself (with its guideline's title and section) be about the question's topic.
    eligible = [c for c in cands if c.relevance >= a.min_sentence_relevance and c.coverage >= a.min_statement_coverage]
    lead = max(eligible, key=lambda c: c.rank_score, default=None)
    # Research abstracts are indexed without their titles (PubMedQA derives its questions from them), so an
    # abstract's defining term can be missing from its text: only a guideline answer needs every rare word.
    unknown = list(focus.unknown) if focus is not None and (lead is None or lead.hit.chunk.kind != "research") else []
    # One unfamiliar word among many (shorthand, a vignette's detail) is not a topic the index lacks.
    if unknown and focus.weights and focus.coverage(set(unknown)) < a.min_unknown_share:
        unknown = []
    # A question for a recommendation (which drug, what dose, when to screen) that only research abstracts touch
    # is a guideline gap: the research is shown as related, not as the answer.
    research_only = (a.guideline_required and focus is not None and bool(set(focus.asks) & _RECOMMENDATION_ASKS)
                     and lead is not None
                     and not any(c.hit.chunk.kind == "guideline" for c in eligible))
    animal = focus.animal if focus is not None else None  # guidelines and abstracts are about human patients
    abstained = (force_abstain or best < a.abstain_threshold or lead is None or bool(unknown) or research_only
                 or animal is not None
                 or (focus is not None and _off_topic(focus, eligible, lead, best, a)))

    if abstained:
        # "Closely related" must also be about the question's terms, not just near it in embedding space.
        terms = content_stems(standalone)
        related = [c for c in cands if c.relevance >= a.related_threshold and len(terms & content_stems(c.text)) >= _MIN_SHARED_TERMS]
        picked = mmr_select(related, settings, -np.inf, a.max_related)
        groups = [("related", picked)] if picked else []
        words = _question_words(standalone, unknown)
        abstention = (
            f"The indexed guidelines and research do not directly address this question: \u201c{standalone}\u201d."
            + (f" No indexed source mentions {words}." if words else "")
            + (f" The indexed sources are about human patients, not about \u201c{animal}\u201d." if animal else "")
            + (" The closest evidence found is shown below, labelled as related only." if picked else "")
        )
    else:
        top = max(c.rank_score for c in eligible)
        picked = mmr_select(eligible, settings, top - a.relative_margin, a.max_statements)
        groups = [(kind, [c for c in picked if c.hit.chunk.kind == kind]) for kind in KINDS]
        abstention = None

    numbers: dict[str, int] = {}
    references: list[Reference] = []
    sections: list[AnswerSection] = []
    for kind, group in groups:
        if not group:
            continue
        statements = []
        # Guidelines that disagree: the newer one first (rag/disagreement.py).
        conflicts = find_conflicts(group, documents) if kind == "guideline" else []
        group = newer_first(group, conflicts)
        roles = keep_newer_ahead(group, assign_roles(kind, group), conflicts, ROLE_ORDER)
        # Ordered by role before numbering: references are numbered by first use as the reader meets them.
        placed = sorted(zip(group, roles), key=lambda p: ROLE_ORDER.index(p[1][0]))
        for cand, (role, heading) in placed:
            doc_id = cand.hit.chunk.doc_id
            if doc_id not in numbers:
                numbers[doc_id] = len(numbers) + 1
                references.append(_reference(numbers[doc_id], documents[doc_id], cand))
            ref = references[numbers[doc_id] - 1]
            if cand.hit.chunk.id not in ref.chunk_ids:
                ref.chunk_ids.append(cand.hit.chunk.id)
            if ref.grade is None and ref.kind == "guideline":
                ref.grade = find_grade(cand.text)
            statements.append(Statement(text=cand.text, citations=[numbers[doc_id]], role=role, group=heading,
                                        grade=find_grade(cand.text) if kind == "guideline" else None))
        said = notes(conflicts, numbers, documents)
        for cand, statement in zip((c for c, _ in placed), statements):
            statement.note = said.get(id(cand))
        sections.append(AnswerSection(title=SECTION_TITLES[kind], kind=kind, statements=statements))

    return Answer(
        question=question,
        standalone_question=standalone,
        sections=sections,
        references=references,
        abstained=abstained,
        abstention=abstention,
        disclaimer=DISCLAIMER,
        index=index,
    )


def _off_topic(focus: QuestionFocus, eligible: list[Candidate], lead: Candidate, best: float, a) -> bool:
    """The evidence is near the question but does not answer it."""
    # Near the question in embedding space is not enough: a retrieved document must state most of its topic,
    # unless a sentence is so close that the words it lacks are the vignette's details.
    if focus.document_coverage < a.min_topic_coverage and best < a.sure_relevance:
        return True
    # A question for a quantity (a dose, a duration, an interval) is not answered by sentences that state none.
    specific = [k for k in focus.asks if k in _SPECIFIC_ASKS]
    close = [c for c in eligible if c.rank_score >= lead.rank_score - a.relative_margin]
    return bool(specific) and a.require_asked and not any(states(k, c.text) for c in close for k in specific)


def _question_words(question: str, concepts: list[str]) -> str:
    """The question's own words for concept keys (what the reader typed, not stems), quoted and joined."""
    words = []
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", question):
        if concepts_of(word) & set(concepts) and word not in words:
            words.append(word)
    quoted = [f"\u201c{w}\u201d" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if quoted else ""


ROLE_ORDER = ["bottom_line", "consideration", "approach", "finding", "patient", "related"]
ROLE_HEADINGS = {"bottom_line": "Bottom line", "consideration": "Key considerations", "approach": "Clinical approach"}


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


def _reference(n: int, doc: Document, cand: Candidate) -> Reference:
    return Reference(
        n=n,
        doc_id=doc.id,
        kind=doc.kind,
        title=doc.title,
        source=doc.source,
        year=doc.year,
        url=doc.url,
        pmid=doc.identifiers.get("pmid"),
        grade=find_grade(cand.text) if doc.kind == "guideline" else None,
        chunk_ids=[],
        **reference_fields(doc),
    )
