"""Who a question is about: the patient groups a text names, a stated age's group, and which groups exclude each other.

"what about in kids?" replaces an adult's question's population; "58F" is an adult woman.
"""

from __future__ import annotations

import re

from rag.vocabulary import concept_of, concepts, vocabulary_cache

_POPULATION_WORDS = ("children", "pregnancy", "breastfeeding", "elderly", "adults", "women", "men", "newborn", "outpatient",
                     "inpatient")


@vocabulary_cache(maxsize=1)
def population_keys() -> frozenset[str]:
    return frozenset(concept_of(w) for w in _POPULATION_WORDS)


def populations(text: str) -> frozenset[str]:
    """Which patient groups a text names (each a concept key: children, pregnancy, older adults...)."""
    return concepts(text) & population_keys()


# A patient's age as clinicians type it: "72 year old", "50yo", "9-month-old", "3 yr old".
# A stated age: "7 year old", "4 months old", "58F", "aged 30" (n: the number; y, m: its unit in years or less).
AGE_RE = re.compile(r"\b(?P<aged>aged?\s+)?(?P<n>\d{1,3})\s?-?\s?(?:(?P<y>years?|yrs?|y)[- ]?(?:old|o)\b|yo\b|(?P<m>months?|mo|"
                    r"weeks?|wk|days?)[- ]?old\b|(?-i:(?P<sex>[FM]))\b(?!\s*(?:fr|french|catheter|foley))|(?(aged)(?!\s*(?:months?|weeks?|days?))|(?!)))", re.I)


# An age said of the patient: "if she's 51", "the pt is 72", "if he were 58" (not "she's 33 wks", "he is 5 kg").
_SAID_AGE_RE = re.compile(r"\b(?:he|she|they|pt|patient)(?:'s|\s+is|\s+was|\s+were|\s+are)\s+(?:now\s+|only\s+|about\s+)?"
                          r"(?P<n>\d{1,3})\b(?![.,]?\d)(?!\s*(?:%|/|\+|-\s*\d|wks?\b|weeks?\b|days?\b|d\b|hours?\b|hrs?\b|h\b|mins?\b|"
                          r"kg\b|g\b|cm\b|mm\b|mg\b|ml\b|lbs?\b|units?\b|iu\b|points?\b|on\b|of\b|in\b|mo\b|months?\b))", re.I)


OLDER_CHILD = "zzolderchild"  # a population only an age says; no text names it


def asked_populations(question: str) -> frozenset[str]:
    """The patient groups a question names, including one implied by a stated age."""
    out = set(populations(question))
    for m in (*AGE_RE.finditer(question), *_SAID_AGE_RE.finditer(question)):
        # "18 months" is a toddler, no newborn; a unit under months ("3 weeks old") is under a year.
        unit = (m.groupdict().get("m") or "").lower()
        years = int(m.group("n")) // 12 if unit.startswith("mo") else 0 if unit else int(m.group("n"))
        out.add(concept_of("children" if years < 18 else "elderly" if years >= 65 else "adults"))
        if 1 <= years < 18:  # a child of a year or more is no newborn, which a bare "child" or "infant" may be
            out.add(OLDER_CHILD)
        if m.groupdict().get("sex") and years >= 18:  # "62F", "58 M": the sex too
            out.add(concept_of("women" if m.group("sex") == "F" else "men"))
    if _TODDLER_RE.search(question):  # a toddler walks: a year old or more
        out.add(OLDER_CHILD)
    if _TRIMESTER_RE.search(question):  # "flu vaccine in first trimester?": she is pregnant
        out.add(concept_of("pregnancy"))
    return frozenset(out)


_TODDLER_RE = re.compile(r"\btoddlers?\b", re.I)
_TRIMESTER_RE = re.compile(r"\btrimesters?\b", re.I)


@vocabulary_cache(maxsize=1)
def _exclusive() -> list[frozenset[str]]:
    """Groups of populations one patient cannot belong to at once (an age band; a sex; pregnant or breastfeeding; treated
    in hospital or not)."""
    groups = (("children", "newborn", "adults", "elderly"), (OLDER_CHILD, "newborn"), ("women", "men"),
              ("pregnancy", "breastfeeding"), ("pregnancy", "men"), ("pregnancy", "children", "newborn"), ("women", "children", "newborn"),
              ("men", "children", "newborn"), ("outpatient", "inpatient"))
    return [frozenset(concept_of(w) for w in g) for g in groups]


def conflicting(old: frozenset[str] | set[str], new: frozenset[str] | set[str]) -> set[str]:
    """The populations of `old` that a follow-up naming `new` replaces ("and in kids?" replaces adults)."""
    return {o for o in old for n in new if o != n and any(o in g and n in g for g in _exclusive())}
