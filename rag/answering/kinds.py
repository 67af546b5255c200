"""Another kind of patient or aim: "acute treatment for migraine" is not answered by "a gradual taper of prophylactic
migraine treatment", nor a question on acute pain by a sentence on chronic pain.

A question that states one side of an opposite pair (rag.lexicon.OPPOSITE_KINDS) and not the other makes a sentence
that states only the other side be for other patients; the ranker counts it as it counts a sentence for patients
with what the patient does not have (rag.answering.rank, `excluded`). So does a sentence on preventing what the
question asks how to treat ("colchicine for prophylaxis of new attacks" under an acute gout attack's treatment), and
one on screening for what the question's patient has ("should be screened for diabetes" under a diabetic's BP target).
"""

from __future__ import annotations

import re

from rag.answering.cues import names_drug
from rag.lexicon import ACUTE_AIM, OPPOSITE_KINDS, PREVENTIVE_AIM
from rag.vocabulary import concepts, vocabulary_cache, with_parts

# Asked for an attack's treatment; "acute" alone names the condition's kind ("acute pancreatitis"), not the aim.
# So is the treatment of an attack itself: "first-line treatment for migraine attacks".
_ACUTE_AIM_RE = re.compile(r"\b(?:acute|abortive)\s+(?:treatments?|therap\w*|management|medications?|drugs?|relief)\b|"
                           r"\babortive\b|\b(?:treat\w*|therap\w*|management|relief)\s+(?:of|for)\s+(?:an?\s+|the\s+)?"
                           r"(?:[\w-]+\s+)?attacks?\b", re.I)


@vocabulary_cache(maxsize=1)
def _pairs() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    sides = [(concepts(a), concepts(b)) for a, b in OPPOSITE_KINDS]
    return tuple(sides + [(b, a) for a, b in sides])


@vocabulary_cache(maxsize=1)
def _aims() -> tuple[frozenset[str], frozenset[str]]:
    return concepts(ACUTE_AIM), concepts(PREVENTIVE_AIM)


@vocabulary_cache(maxsize=256)
def opposite_kinds(question: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """(the question's side, the opposite side) for each pair whose one side only the question states."""
    stated = concepts(question)
    out = [(own, other) for own, other in _pairs() if own & stated and not other & stated]
    acute, preventive = _aims()
    acute_aim, preventive_aim = bool(_ACUTE_AIM_RE.search(question)), bool(preventive & stated)
    if acute_aim and not preventive_aim:
        out.append((acute, preventive))
    elif preventive_aim and not acute_aim and not acute & stated:
        out.append((preventive, acute))
    return tuple(out)


def of_other_kind(kinds: tuple[tuple[frozenset[str], frozenset[str]], ...], stated: frozenset[str],
                  topic: frozenset[str] | set[str] = frozenset()) -> bool:
    """The sentence (its concepts `stated`) states the opposite side of a pair and not the question's side. A phrase
    read as one concept ("chronic low back pain", which an index may define as CLBP) states its kind word when the
    rest of it is what the question is about (`topic`): "chronic kidney disease" under an acute gout question does
    not."""
    if topic and not any(other & stated for _, other in kinds):
        stated = stated | frozenset().union(*(parts for c in stated if c.startswith("zz")
                                             for parts in (with_parts(frozenset({c})),) if parts & topic))
    return any(other & stated and not own & stated for own, other in kinds)


# What a sentence prevents: "to prevent delirium", "prophylaxis of new attacks", "VTE prophylaxis" (not a drug given
# to prevent: "prophylactic antibiotics", "antibiotic prophylaxis").
_PREVENTS_RE = (
    re.compile(r"\b(?:prevent(?:s|ing|ion of)?|prophylaxis (?:of|against|for))\s+((?:[\w-]+\s+){0,3}[\w-]+)", re.I),
    re.compile(r"((?:[\w-]+\s+)?[\w-]+)\s+(?:prophylaxis|prevention)\b(?! of)", re.I))


def treating(question: str, asks: list[str]) -> bool:
    """Asked how to treat (or with what), not how to prevent."""
    return bool({"treat", "drug"} & set(asks)) and not _aims()[1] & concepts(question)


def prevents_asked(text: str, has: set[str] | frozenset[str]) -> bool:
    """The sentence is on preventing what the question asks how to treat: "colchicine for prophylaxis of new attacks"
    under an acute gout attack's treatment, "interventions ... to prevent delirium" under delirium's management (not
    "anticoagulation to prevent stroke" under AF's)."""
    return any(not names_drug(m.group(1)) and concepts(m.group(1)) & has
               for pattern in _PREVENTS_RE for m in pattern.finditer(text))


# "screened for diabetes", "testing for latent TB": what the test looks for.
_SCREENS_FOR_RE = re.compile(r"\b(?:screen(?:ed|ing|s)?|test(?:ed|ing|s)?|assess(?:ed|ing)?|evaluat(?:ed|ing|e))\s+for\s+"
                             r"((?:[\w-]+\s+){0,2}[\w-]+)", re.I)
# Asked who or when to test, or how often, a test for what the patient has may be the answer ("screen for
# retinopathy" under diabetes is not for it, but "who should be tested for ..." asks for tests).
_TEST_ASKS = {"test", "who", "when", "interval"}


def asks_no_test(asks: list[str]) -> bool:
    """Asked something other than which test, for whom or when."""
    return not _TEST_ASKS & set(asks)


def screens_for_had(text: str, has: set[str] | frozenset[str]) -> bool:
    """The sentence is on screening for what the question's patient is known to have: "Individuals with mean BP
    >135/80 should be screened for diabetes" is for people not known to have it, not a diabetic's BP target."""
    return any(concepts(m.group(1)) & has for m in _SCREENS_FOR_RE.finditer(text))

