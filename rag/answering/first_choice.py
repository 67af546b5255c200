"""Asked for the first choice, of a treatment ("first-line drug for ADHD?") or of a test ("first scan for ?SAH"),
which statements name one: "Stimulants are the first line treatment", "The first investigation is a CT head scan
without contrast". `with_first_choice` brings one into the answer; rag/answering/bottom_line.py makes it lead.
"""

from __future__ import annotations

import functools
import re

from rag.answering.candidates import Candidate
from rag.answering.rank import AFTER_FAILURE_RE, sentence_profile
from rag.clauses import asking_clauses
from rag.question import QuestionFocus
from rag.vocabulary import concepts

# Asked for the first treatment: also what a failed treatment's question must not read as (bottom_line).
FIRST_ASKED_RE = re.compile(r"\bfirst[- ](?:line|choice)\b|\binitial (?:treatment|therapy|drug|choice)\b", re.I)
# Asked how to treat a condition, the first choice is what is asked for: "How is anaphylaxis treated?".
_TREATMENT_ASKED_RE = re.compile(FIRST_ASKED_RE.pattern + r"|\b(?:treatment|drug|agent|therapy) of choice\b|\bpreferred\b|"
                                 r"\bhow (?:is|are|should|do (?:you|i|we)) (?:[\w-]+ ){0,5}?(?:treated|managed|treat|manage)\b|"
                                 r"\bwhat(?: is|'s) the (?:recommended |best |usual |standard )?(?:treatment|management)\b|"
                                 # "which mucoactive agent first?" (not "which test first?": a test's, below)
                                 r"\b(?:which|what)\s+(?:[\w-]+\s+){1,3}first\b",
                                 re.I)
_TESTS = r"(?:tests?|imaging|investigations?|stud(?:y|ies)|modality|scans?|examinations?|work-?up)"
# "best first-line imaging", "first imaging test to order", "first scan for ?SAH", "imaging test of choice".
_TEST_ASKED_RE = re.compile(rf"\b(?:first|initial|best)(?:[- ]line)?\s+(?:[\w-]+\s+)?{_TESTS}\b|"
                            rf"\b{_TESTS}\s+of choice\b|\b(?:which|what)\s+(?:[\w-]+\s+)?{_TESTS}\b(?:\s+[\w-]+){{0,4}}\s+first\b", re.I)

# What a first choice is called: "Offer standard-release metformin as the initial drug treatment", "first-line".
_TREATMENT_STATED_RE = re.compile(r"\bfirst[- ](?:line|choice)\b|\binitial (?:drug )?(?:treatment|therapy|management)\b|"
                                  r"\b(?:treatment|drug|agent|therapy) of (?:first )?choice\b|\bmainstay\b|"
                                  # Not how it is given: "MDIs ... are the preferred delivery method for ...".
                                  r"\bpreferred\b(?! (?:delivery|route|method|device|formulation|site|setting)s?\b)|"
                                  r"\bin preference to\b",
                                  re.I)
# "US should be the first imaging consideration", "CT ... as the initial imaging modality of choice", "the best first
# test"; not the first test's result ("If the initial imaging is negative", "after initial radiographs").
_TEST_STATED_RE = re.compile(rf"(?<!\bif )(?<!\bif the )(?<!\bafter )(?<!\bafter the )(?<!\bwhen )(?<!\bwhen the )"
                             rf"\b(?:first|initial|preferred|optimal)(?:[- ]line)?\s+(?:[\w-]+\s+){{0,2}}"
                             rf"(?:{_TESTS}|consideration)\b"
                             rf"(?!\s+(?:results?|findings?)\b|"
                             rf"\s+(?:is|are|was|were)\s+(?:negative|normal|equivocal|inconclusive|nondiagnostic))|"
                             rf"\b(?:{_TESTS}|procedure)\s+of choice\b|\bbest (?:first |initial )?test\b", re.I)

# Said of a treatment ("Stimulants are the first line treatment", "... as the initial drug treatment"), not of whom
# ("For people having first-line chemotherapy: carry out regular monitoring"); of a test ("The first investigation is
# a computed tomography head scan", "... is the imaging test of choice").
_TREATMENT_ASSERTED_RE = re.compile(r"\b(?:is|are|remains?|as)\s+(?:the\s+|a\s+)?(?:first[- ](?:line|choice)|"
                                    r"initial\s+(?:drug\s+)?(?:treatment|therapy)|"
                                    r"preferred(?! (?:delivery|route|method|device|formulation|site|setting)s?\b)|mainstay|"
                                    r"(?:treatment|drug|agent|therapy)\s+of\s+choice)\b|\bin preference to\b", re.I)
_TEST_ASSERTED_RE = re.compile(rf"\b(?:is|are|remains?|as|be)\s+(?:the\s+|an?\s+)?(?:(?:best|first|initial|preferred|"
                               rf"optimal)\b(?:[- ]line)?\s+(?:[\w-]+\s+){{0,2}}(?:{_TESTS}|consideration)|"
                               rf"(?:[\w-]+\s+){{0,2}}{_TESTS}\s+of\s+choice)\b|"
                               rf"\b(?:first|initial)\s+(?:[\w-]+\s+)?{_TESTS}\s+(?:is|should be)\b", re.I)

# The test after a first one that did not settle it: "MRI is the preferred test to follow an inconclusive US".
_NEXT_TEST_RE = re.compile(r"\b(?:follow(?:s|ing)?|after)\s+(?:an?\s+|the\s+)?(?:inconclusive|equivocal|negative|normal|"
                           r"non-?diagnostic|indeterminate)\b", re.I)
# A test after treatment or over time: "Perform retesting for H pylori using a ... breath test", "repeat imaging".
RETEST_RE = re.compile(r"\bre-?test\w*|\brepeat(?:ed)?\s+(?:tests?|testing|imaging|scans?)\b|\bsurveillance\b", re.I)
# "US remains the preferred first choice for DVT imaging" names a first test, not a first treatment.
_OF_A_TEST_RE = re.compile(rf"(?:\W+[\w-]+){{0,4}}?\W+(?:{_TESTS}|ultrasound|US|CT|MRI|radiograph\w*)\b")

# Whom a first choice is for, or when to leave it, not what it is: "For people having first-line chemotherapy ...:
# carry out monitoring ... Stop first-line chemotherapy if ...", "after first-line treatment with peginterferon".
_TAKING_RE = re.compile(r"\b(?:having|receiving|undergoing|on|after|following|complet\w*|finish\w*|failed|failing|"
                        r"stop\w*|discontinu\w*|switch\w*\s+from|beyond)\s+"
                        r"(?:the\s+|a\s+|an\s+|their\s+|his\s+|her\s+)?$", re.I)

_KINDS = {"treatment": (_TREATMENT_ASKED_RE, _TREATMENT_STATED_RE, _TREATMENT_ASSERTED_RE),
          "test": (_TEST_ASKED_RE, _TEST_STATED_RE, _TEST_ASSERTED_RE)}


def asked_first_choice(focus: QuestionFocus) -> str | None:
    """Which first choice the question asks for, "test" or "treatment", or None."""
    # Told since that it failed ("AS - first line therapy?" + "NSAIDs didn't work"), the first choice is asked no more.
    if reports_failure(focus) and not _asked_kind(focus.latest):
        return None
    return _asked_kind(focus.text)


def reports_failure(focus: QuestionFocus) -> bool:
    """The latest message, a follow-up, says the treatment failed ("NSAIDs didn't work")."""
    return bool(focus.latest) and focus.latest != focus.text and bool(AFTER_FAILURE_RE.search(focus.latest))


@functools.lru_cache(maxsize=1024)
def _asked_kind(question: str) -> str | None:
    # Read once per question, not once per statement tested. A test first: "first-line imaging" asks for a test.
    asked = asking_clauses(question)
    return next((kind for kind in ("test", "treatment") if _KINDS[kind][0].search(asked)), None)


def names_first_choice(c: Candidate, focus: QuestionFocus) -> bool:
    """The statement names the first choice of the kind asked for, and is no step after a failure or advice against
    (unless harms are asked about)."""
    kind = asked_first_choice(focus)
    if kind is None or not any(_names_at(c, focus, kind, m) for m in _KINDS[kind][1].finditer(c.text)):
        return False
    p = sentence_profile(c.text)
    # A treatment's first choice names a treatment: "Increased specificity is preferred even as sensitivity is
    # lowered" (a diagnostic criterion) names none.
    if kind == "treatment" and not (p.drug or p.states("treat") or p.states("drug")):
        return False
    after = p.after_failure or (kind == "test" and bool(_NEXT_TEST_RE.search(c.text) or RETEST_RE.search(c.text)))
    return not after and (focus.against_ok or not p.against)


def _names_at(c: Candidate, focus: QuestionFocus, kind: str, m: re.Match) -> bool:
    """What `m` calls a first choice is one of the kind asked for, not whom it is for ("For people having first-line
    chemotherapy")."""
    if kind == "treatment" and (_OF_A_TEST_RE.match(c.text, m.end()) or _of_another(c, focus, m)):
        return False
    return not _TAKING_RE.search(c.text, 0, m.start())


# "First-line antihypertensive drug treatment ...": the first choice of a class the question does not ask about.
_CLASS_AFTER_RE = re.compile(r"\W+(anti-?[a-z]+)\b", re.I)


def _of_another(c: Candidate, focus: QuestionFocus, m: re.Match) -> bool:
    """The first choice named is of another class, for another condition than the sentence states: "First-line
    antihypertensive drug treatment should be ..." in a type 2 diabetes guideline does not answer the first treatment
    for diabetes ("Amoxicillin is the first-line antibiotic for AOM" does, for AOM)."""
    after = _CLASS_AFTER_RE.match(c.text, m.end())
    if after is None or concepts(after.group(1)) & concepts(focus.text):
        return False
    return not (focus.named(set(sentence_profile(c.text).covers)) & focus.subject)


def with_first_choice(picked: list[Candidate], eligible: list[Candidate], focus: QuestionFocus | None,
                      limit: int) -> list[Candidate]:
    """Asked for the first choice, a statement of a picked guideline that names it ("Stimulants are the first line
    treatment") joins when no pick does, in place of the last pick; the bottom-line rules then make it lead."""
    kind = asked_first_choice(focus) if focus is not None else None
    if kind is None or any(names_first_choice(c, focus) for c in picked):
        return picked
    docs = {c.hit.chunk.doc_id for c in picked if c.hit.chunk.kind == "guideline"}
    naming = [c for c in eligible if c.hit.chunk.doc_id in docs and _KINDS[kind][2].search(c.text)
              and names_first_choice(c, focus) and not any(c is p for p in picked)]
    if not naming:
        return picked
    best = max(naming, key=lambda c: c.rank_score)
    return (picked if len(picked) < limit else picked[:-1]) + [best]
