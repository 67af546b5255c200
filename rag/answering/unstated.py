"""What a question asks for (a dose, a duration, an interval, a class of drug) that none of an answer's statements
gives: said plainly under the answer, not left for the clinician to notice ("The authors suggest vitamin D
supplementation for healthy breastfed infants" answers "what dose?" with none)."""

from __future__ import annotations

import re

from rag.answering.cues import QUANTITY_RE, named_drugs
from rag.answering.rank import sentence_profile
from rag.clauses import asking_clauses
from rag.question import ASKS, QuestionFocus, states
from rag.types import Answer
from rag.vocabulary import class_written, concepts, with_parts

_NAMES = {"dose": "a dose", "duration": "a duration", "interval": "an interval"}
_ANSWERING = ("guideline", "research", "patient")  # not "related" evidence, shown with an abstention


def unstated(answer: Answer, focus: QuestionFocus | None) -> str | None:
    """The sentence saying so, or None when every quantity asked for is given (or none was asked, or it abstained)."""
    # Asked whether to change a dose ("Do I need to change the LTG dose?"), "may not require adjustment" answers;
    # "at full dose" in a vignette asks for none.
    if focus is None or answer.abstained or not focus.open:
        return None
    clauses = asking_clauses(focus.text)
    asked = [k for k in _NAMES if k in focus.asks and ASKS[k][0].search(clauses)]
    texts = [st.text for s in answer.sections if s.kind in _ANSWERING for st in s.statements]
    if not texts:
        return None
    # "Which antiviral for influenza in pregnancy?" answered with vaccines only.
    kind = _kind_unnamed(focus, texts)
    if kind:
        return f"None of the statements found names {kind}; the full source may."
    if not asked:
        return None
    # A dose of another drug gives none: oxytocin's 10 IU under "what dose of tranexamic acid?".
    drugs = _dosed(focus.text) if "dose" in asked else frozenset()
    missing = [k for k in asked if not any(_gives(k, t) and (k != "dose" or not drugs or drugs & with_parts(concepts(t)))
                                           for t in texts)]
    if not missing:
        return None
    names = [_NAMES[k] for k in missing]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"None of the statements found gives {listed}; the full source may."


def _kind_unnamed(focus: QuestionFocus, texts: list[str]) -> str | None:
    """The drug class asked for ("an antiviral") when no statement names it or a drug of it."""
    if not focus.drug_kind or any(sentence_profile(t).names_drug_of(focus.drug_kind, whether=True) for t in texts):
        return None
    word = min(filter(None, map(class_written, focus.drug_kind)), default=None)
    if word is None:
        return None
    return ("an " if word[0].lower() in "aeiou" else "a ") + word


def _gives(ask: str, text: str) -> bool:
    """A number with its unit ("400 IU", "for 3 months"), not the word ("the optimal dose ... is unknown")."""
    return bool(QUANTITY_RE[ask].search(text)) if ask in QUANTITY_RE else states(ask, text)


# "dose of tranexamic acid for ...", "dosing of X?": what the dose is of, where the drug lexicon does not know it.
_DOSE_OF_RE = re.compile(r"\b(?:dose|doses|dosing|dosage) of ([\w -]{3,40}?)(?=\s+(?:for|in|to|with|after|during)\b|[?.,]|$)",
                         re.I)


def _dosed(question: str) -> frozenset[str]:
    return named_drugs(question) or frozenset(c for m in _DOSE_OF_RE.finditer(question) for c in concepts(m.group(1)))
