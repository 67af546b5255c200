"""Which candidate sentences an answer quotes, or that it abstains: the relevance gates, then MMR under caps.

Kept apart from the layout of the answer (rag/answering/extractive.py) because the LLM writer trusts the same
decision: when it abstains, no model is called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np

from rag.answering.candidates import Candidate
from rag.answering.headings import is_grading_heading
from rag.answering.bottom_line import SPECIFIC_ASKS, advises, bottom_line_first, states_constraint
from rag.answering.first_choice import reports_failure, with_first_choice
from rag.answering.cues import grown_up, population_conflict, whom
from rag.answering.rank import sentence_profile
from rag.answering.reads_alone import reads_alone, study_report
from rag.question import QuestionFocus, states
from rag.settings import AnswerSettings, Settings
from rag.text import content_stems
from rag.types import KINDS
from rag.populations import population_keys
from rag.vocabulary import concept_of, concepts, spelled_out, vocabulary_cache, with_kinds

_MIN_SHARED_TERMS = 2
# A guideline that states at least this share of the question's subject, and most of any: its best-ranked statements
# need no words of the question themselves. The share bottom_line._ON_SUBJECT asks of a lead's guideline; not tuned.
_FULL_DOCUMENT = 0.75
# What a guideline's recommendation states and a study's finding does not: which drug, how much, how long, when, for
# whom.
_RECOMMENDATION_ASKS = {"drug", "dose", "duration", "interval", "when", "who"}


@dataclass
class Selection:
    """The statements by section kind ("related" only when abstaining), and why the answer abstains."""

    groups: list[tuple[str, list[Candidate]]]
    abstained: bool
    unknown: list[str] = field(default_factory=list)  # rare question concepts no retrieved source states
    animal: str | None = None  # the non-human patient the question is about
    unmet: list[str] = field(default_factory=list)  # a follow-up's constraint that no statement on the topic states
    reason: str | None = None  # why else it abstains: a key of extractive.ABSTENTION_REASONS
    uncovered: list[str] = field(default_factory=list)  # "other_topic": what the closest document does not state


def select_statements(standalone: str, cands: list[Candidate], settings: Settings, force_abstain: bool = False,
                      focus: QuestionFocus | None = None) -> Selection:
    """Answer from the eligible sentences, or abstain and keep only closely related ones."""
    a = settings.answer
    best = max((c.relevance for c in cands), default=0.0)
    # A grading key's or a statement profile's sentences describe the guideline, never the patient's care; an
    # abstract's methods describe the study, not what it found.
    cands = [c for c in cands if not is_grading_heading(c.heading) and not _study_setup(c)]
    # A statement must itself (with its guideline's title and section) be about the question's topic; among the
    # ranker's very best, which weighed that coverage against everything else it knows, half as much will do, and
    # none when its guideline states the question best: "4yo, ear pain, red bulging TM - which abx?" is answered by
    # "prescribe amoxicillin for AOM", which shares none of the vignette's words.
    best_ranked = {id(c) for c in sorted(cands, key=lambda c: -c.rank_score)[:a.coverage_exempt_top]}
    fullest = max((c.document_coverage for c in cands), default=0.0)
    # So does one that states a follow-up's new condition ("... for patients with acute coronary syndrome" once the
    # patient turns out to have had an NSTEMI): a long case's words dilute what it covers. Not a patient group: a
    # passing "(for example, ... pregnancy ...)" is no statement for pregnant women.
    conditions = focus.constraint - population_keys() if focus is not None else set()
    stating = {id(c) for c in cands if _states_constraint(focus, c, conditions)} if conditions else set()
    eligible = [c for c in cands if c.relevance >= a.min_sentence_relevance
                and (c.coverage >= a.min_statement_coverage * (0.5 if id(c) in best_ranked | stating else 1.0)
                     or id(c) in best_ranked and c.document_coverage >= max(fullest, _FULL_DOCUMENT))]
    # Relative to the document that states most of the subject: a question no document covers well is left to the
    # topic checks below, not emptied here.
    most = max((c.document_coverage for c in eligible), default=0.0)
    eligible = [c for c in eligible if c.document_coverage >= a.min_document_coverage * most]
    if focus is not None and focus.populations:
        eligible = [c for c in eligible if not _other_patients(focus.populations, c)]
    # A remark on a recommendation ("This recommendation applies only to asthma; ...") answers nothing alone.
    lead = max((c for c in eligible if not (c.hit.chunk.kind == "guideline" and sentence_profile(c.text).scope)),
               key=lambda c: c.rank_score, default=None)
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
    reason = ("weak" if best < a.abstain_threshold or (lead is None and not eligible)
              else "remarks_only" if lead is None else "research_only" if research_only
              else _off_topic(focus, eligible, lead, best, a) if focus is not None else None)
    abstained = force_abstain or bool(unknown) or animal is not None or reason is not None
    unmet = sorted(focus.constraint) if focus is not None and _constraint_unmet(focus, eligible) else []
    abstained = abstained or bool(unmet)

    if abstained:
        # "Closely related" must also be about the question's terms, not just near it in embedding space.
        terms = content_stems(standalone)
        about = _telling_words(focus)
        related = [c for c in cands if c.relevance >= a.related_threshold and len(terms & content_stems(c.text)) >= _MIN_SHARED_TERMS
                   and (not about or about & concepts(c.text))]
        picked = mmr_select(related, settings, -np.inf, a.max_related)
        uncovered = focus.uncovered[:3] if reason == "other_topic" else []
        return Selection([("related", picked)] if picked else [], True, unknown, animal, unmet, reason, uncovered)
    top = max(c.rank_score for c in eligible)
    # Quoted alone, a sentence whose subject is in the one before it, and which names nothing of the question's
    # topic itself, says nothing: "These adverse events are self-limited", "Its use is not recommended in women
    # older than 75 years", a list item "Who have ...". ("These women may be advised to take higher doses of folic
    # acid" still answers a folic acid question.)
    quotable = [c for c in eligible if not _leans_back(c, focus) and not _remark_unasked(c, focus)] or eligible
    picked = mmr_select(quotable, settings, top - a.relative_margin, a.max_statements)
    picked = with_first_choice(_with_constraint(picked, eligible, focus, a.max_statements), eligible, focus,
                               a.max_statements)
    picked = _with_advice(picked, quotable, focus, a.max_statements)
    picked = _with_each_ask(picked, quotable, focus, a.max_statements)
    picked = _with_next_step(picked, quotable, focus, a.max_statements)
    picked = bottom_line_first(picked, focus)
    return Selection([(kind, [c for c in picked if c.hit.chunk.kind == kind]) for kind in KINDS], False, unknown, animal)


_WHAT_TO_DO_ASKS = frozenset({"treat", "drug"})


def _with_advice(picked: list[Candidate], quotable: list[Candidate], focus: QuestionFocus | None,
                 limit: int) -> list[Candidate]:
    """Asked what to do, a recommendation for something joins when no pick is one, in place of the last pick: the
    bottom-line rules then make it lead. "Treatment of knee osteoarthritis?" picked only what a work group could not
    recommend and "The aim of treatment is ..."; "Consider topical NSAIDs ... for knee osteoarthritis" ranked below
    them. It must state as much of the question as the best pick does."""
    # Asked how often or how much, a statement of it answers though it advises nothing ("In CKD G4: ... every 3 to 6
    # months").
    if focus is None or not focus.open or focus.against_ok or set(focus.asks) - _WHAT_TO_DO_ASKS:
        return picked
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not guideline or any(advises(c) for c in guideline):
        return picked
    return _joined(picked, quotable, advises, limit, max(c.coverage for c in guideline))


def _joined(picked: list[Candidate], quotable: list[Candidate], fits, limit: int, floor: float) -> list[Candidate]:
    """`picked` and the best quotable guideline statement not yet picked that `fits` and states at least `floor` of
    the question, in place of the last pick when there is no room."""
    extra = [c for c in quotable if c.hit.chunk.kind == "guideline" and c.coverage >= floor and fits(c)
             and reads_alone(c) and not any(c is p for p in picked)]
    if not extra:
        return picked
    return (picked if len(picked) < limit else picked[:-1]) + [max(extra, key=lambda c: c.rank_score)]


def _with_each_ask(picked: list[Candidate], quotable: list[Candidate], focus: QuestionFocus | None,
                   limit: int) -> list[Candidate]:
    """Asked two things ("How should I screen her for diabetes, and how often?"), each is answered: for a concrete ask
    no pick states, the best guideline statement that states it joins, in place of the last pick. The interval alone
    had outranked the OGTT recommendation by more than the margin. It must state as much of the question as a guideline
    pick does."""
    if focus is None or len(focus.asks) < 2:
        return picked
    for ask in focus.asks:
        guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
        if ask not in _CONCRETE_ASKS or not guideline or any(states(ask, c.text) for c in picked):
            continue
        picked = _joined(picked, quotable, lambda c, k=ask: states(k, c.text), limit, min(c.coverage for c in guideline))
    return picked


def _with_next_step(picked: list[Candidate], quotable: list[Candidate], focus: QuestionFocus | None,
                    limit: int) -> list[Candidate]:
    """Told since that the treatment failed ("AS - first line therapy?" + "NSAIDs didn't work"), a recommendation for
    patients it failed joins when no pick is one, in place of the last pick; the bottom-line rules then make it lead.
    The first answer's five statements on NSAIDs had filled the guideline's places."""
    if focus is None or not reports_failure(focus):
        return picked
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not guideline or any(_next_step(c) for c in guideline):
        return picked
    return _joined(picked, quotable, _next_step, limit, min(c.coverage for c in guideline))


def _next_step(c: Candidate) -> bool:
    p = sentence_profile(c.text)
    return p.after_failure and advises(c) and not p.against


_CONCRETE_ASKS = frozenset({"dose", "duration", "interval", "when", "test", "target"})  # "drug" comes with "treat"


# Pointing back ("These ...", "Its ..."), or a list item with no subject of its own ("Should be shared with ...").
_LEANS_BACK_RE = re.compile(r"^\W*(?:(?:these|those|this|such|its|their|who|whose"
                            r"|(?:should|must|may|might|can|could|will|would)\s+(?:be|have|not|also)\b)\b"
                            # the next item of a list begun before it: "Second , cessation ... should be undertaken"
                            r"|(?:second|third|fourth|fifth|secondly|thirdly|lastly|finally|furthermore|moreover|"
                            r"additionally|in addition)\s*,)", re.I)


# "Use in the treatment of low-back injuries is appropriate ...": what is used was named before it (in a heading).
_BARE_USE_RE = re.compile(r"^\W*(?:use|usage|administration|application|dosing)\s+(?:in|for|during|beyond|after|before|is|"
                          r"are|was|should|may|can|has)\b", re.I)


def _leans_back(cand: Candidate, focus: QuestionFocus | None) -> bool:
    if _BARE_USE_RE.match(cand.text):
        return True
    if not _LEANS_BACK_RE.match(cand.text):
        return False
    if focus is None:
        return True
    # What it names must be what the question is about, not only whom for ("... with the neonatal consultant").
    others = focus.topic - focus.subject if focus.subject else set()
    return not focus.coverage(sentence_profile(cand.text).covers, others)


def _remark_unasked(cand: Candidate, focus: QuestionFocus | None) -> bool:
    """Asked what to do, a remark on what the guideline does not recommend ("No recommendation can be made regarding
    surgical decompression ...") or a pointer elsewhere is no answer; asked whether to decompress, it is."""
    return focus is not None and focus.open and not focus.against_ok and cand.hit.chunk.kind == "guideline" \
        and sentence_profile(cand.text).scope


# An abstract's aims, background and methods say what was studied, not what was found ("Forty-one children, aged
# 4-16 years, undergoing tonsillectomy."): research is quoted from its results and conclusions.
_STUDY_SETUP_RE = re.compile(r"\b(background|introduction|objectives?|aims?|purpose|methods?|design|setting|participants|"
                             r"materials)\b", re.I)


def _study_setup(cand: Candidate) -> bool:
    return cand.hit.chunk.kind == "research" and bool(_STUDY_SETUP_RE.search(cand.hit.chunk.section))


def _telling_words(focus: QuestionFocus | None) -> set[str]:
    """What related evidence must name: something the question is about ("gout" for gout in dogs), not only its
    generic words ("recommended dose" for a drug the index lacks) or who it is for ("pregnant" for Chagas disease in
    pregnancy); of those, the most telling ("Chagas", not "disease"). Empty: no requirement."""
    about = (focus.subject or focus.topic) if focus is not None else set()
    if about and focus.weights:
        most = max(focus.weights.get(c, 0.0) for c in about)
        about = {c for c in about if focus.weights.get(c, 0.0) >= 0.8 * most}
    return about


def _off_topic(focus: QuestionFocus, eligible: list[Candidate], lead: Candidate, best: float,
               a: AnswerSettings) -> str | None:
    """Why the evidence, though near the question, does not answer it; None when it does."""
    # Near the question in embedding space is not enough: a retrieved document must state most of its topic,
    # unless a sentence is so close that the words it lacks are the vignette's details.
    # A document that states what the clause that asks is about needs less of a long vignette's words.
    enough = a.asked_topic_coverage if focus.clause_coverage >= 0.5 else a.min_topic_coverage
    if focus.document_coverage < enough and best < a.sure_relevance:
        return "other_topic"
    # No document quoted states any of what the question is about, only whom it is for: pregnancy statements from
    # antenatal guidelines do not answer "uncomplicated cystitis ... and if she's pregnant?".
    if focus.subject and not any(c.document_coverage for c in eligible):
        return "other_topic"
    # A subject of two words, both telling, is stated whole by a document that answers: a "cat bite" is not a human
    # bite. (Not when one is the kind of answer wanted: "which antifibrotic drugs for IPF?".)
    whole = max(c.document_coverage for c in eligible) >= 1.0
    if len(focus.subject) == 2 and not focus.subject & focus.answer_class and not whole and best < a.sure_relevance:
        return "other_topic"
    # A question for a quantity (a dose, a duration, an interval) is not answered by sentences that state none.
    specific = [k for k in focus.asks if k in SPECIFIC_ASKS]
    close = [c for c in eligible if c.rank_score >= lead.rank_score - a.relative_margin]
    # Asked how to treat, statements that only say how to recognise it ("Consider Kawasaki disease in children with
    # fever ...") do not answer: the index holds the condition, not its treatment. Nor does one on another topic
    # ("Consider septic arthritis ... - Not using an extremity" among them).
    if "treat" in focus.asks and not any((states("treat", c.text) or states("drug", c.text)) and c.coverage > 0
                                         and not study_report(c.text) for c in close):
        return "no_treatment"
    if specific and a.require_asked and not any(states(k, c.text) for c in close for k in specific):
        return "no_quantity"
    return None


def _with_constraint(picked: list[Candidate], eligible: list[Candidate], focus: QuestionFocus | None,
                     limit: int) -> list[Candidate]:
    """A follow-up's new constraint is answered: when no picked guideline statement states it ("and once he's on
    haemodialysis?" after a CKD G4 answer), the best eligible one that does joins, in place of the last pick."""
    if focus is None or not focus.new or any(
            c.hit.chunk.kind == "guideline" and states_constraint(c, focus) for c in picked):
        return picked
    stating = [c for c in eligible if c.hit.chunk.kind == "guideline" and states_constraint(c, focus)
               and not any(c is p for p in picked)]
    if not stating:
        return picked
    best = max(stating, key=lambda c: c.rank_score)
    return (picked if len(picked) < limit else picked[:-1]) + [best]


def _constraint_unmet(focus: QuestionFocus, eligible: list[Candidate]) -> bool:
    """A follow-up's new constraint ("in pregnancy") that no eligible statement states, with its sub-heading or
    section: the earlier answer again would not answer it."""
    return bool(focus.constraint) and not any(_states_constraint(focus, c) for c in eligible)


def _states_constraint(focus: QuestionFocus, c: Candidate, constraint: set[str] | None = None) -> bool:
    # Stated as what the patient has, not excluded ("... or the child is not allergic to penicillin"). What is said
    # of a broader condition is said of the patient's kind of it ("cardiovascular disease" of an NSTEMI).
    return bool(focus.with_classes(focus.constraint if constraint is None else constraint)
                & with_kinds(_affirmed(c.text) | concepts(c.heading) | concepts(c.hit.chunk.section)))


def _affirmed(text: str) -> frozenset[str]:
    profile = sentence_profile(text)
    return profile.affirmed - profile.excluded


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
        pool.remove(best)
        if any(_restates(best, c) for c in chosen):
            continue
        chosen.append(best)
        per_doc[best.hit.chunk.doc_id] = per_doc.get(best.hit.chunk.doc_id, 0) + 1
        per_kind[best.hit.chunk.kind] = per_kind.get(best.hit.chunk.kind, 0) + 1
    return chosen


def _restates(cand: Candidate, chosen: Candidate) -> bool:
    """The same recommendation again: a summary repeats a statement with and without its grade ("... cushingoid
    appearance." / "... cushingoid appearance ( Level B ), with ..."), or with "BP" spelled out. Every word of the
    shorter one is in the longer one, in a row; a changed number or group ("term" / "preterm") makes a new
    statement.
    Pooled vectors of one passage all look alike, so this is read off the words."""
    a, b = statement_words(cand.text), statement_words(chosen.text)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return False
    blocks = [m for m in SequenceMatcher(None, short, long_, autojunk=False).get_matching_blocks() if m.size]
    if sum(m.size for m in blocks) < len(short):
        return False
    # A word added inside it makes another statement ("cefazolin is recommended" / "routine cefazolin is not
    # recommended"; "a single dose" / "for women undergoing cesarean delivery ... a single dose"); a grade or a
    # clause added before or after it does not.
    return blocks[-1].b + blocks[-1].size - blocks[0].b == len(short)


_PARENTHESIS_RE = re.compile(r"\s*\([^()]*\)")
_SPELLED_RE = re.compile(r"\b[\w-]+ \(([^()]*)\)")


_ARTICLES = frozenset({"a", "an", "the"})


@vocabulary_cache(maxsize=4096)
def statement_words(text: str) -> tuple[str, ...]:
    """The sentence's words, lower-cased, without asides in parentheses, abbreviations spelled out, and without
    articles, which change with the spelling ("an MRI" / "a magnetic resonance imaging (MRI)")."""
    plain = _SPELLED_RE.sub(r"\1", spelled_out(_PARENTHESIS_RE.sub("", text)))
    return tuple(w for w in re.findall(r"[a-z0-9]+", plain.lower()) if w not in _ARTICLES)


def _other_patients(asked: set[str], cand: Candidate) -> bool:
    """The statement names only patients the question's patient is not ("term neonates" for an adult on the ward),
    or names none and its guideline is for others ("Pneumonia in adults" for a 5-year-old). Adults and older adults
    count as one here: "adults aged 60 or older" is for a 72-year-old."""
    stated = whom(sentence_profile(cand.text).populations, cand.title_populations)
    grown = frozenset(grown_up())
    widen = lambda groups: groups | grown if groups & grown else groups  # noqa: E731
    return population_conflict(widen(set(asked)), widen(stated))
