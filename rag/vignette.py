"""What a clinician's vignette says without naming it: a relative's disease is the patient's family history, "45 year
old man" is who he is (not what the guideline must be about), "BP 150/95" is hypertension, and "methotrexate
contraindicated" is a drug the patient cannot have.
"""

from __future__ import annotations

import re

from rag.vocabulary import concepts, drug_class_concepts, drug_class_phrases, vocabulary_cache

# "his father had colon cancer at 50": a relative's disease is the patient's family history of it.
_RELATIVES = (r"mother|father|mum|mom|dad|sisters?|brothers?|siblings?|parents?|aunt|uncle|"
              r"grand(?:mother|father|parents?)")
_RELATIVE_HAD_RE = re.compile(r"\b(?:" + _RELATIVES + r"|(?:first|1st|second|2nd)[- ]degree relatives?)\b"
                              r"[^.?!;]{0,20}?\b(?:had|has|have|with|died of|diagnosed with)\b", re.I)
# The message opens on the relative: "father had colon cancer at 45", "and her mother had ...".
_RELATIVE_START_RE = re.compile(r"^\W*(?:(?:and|but|also)\s+)?(?:(?:his|her|their|the)\s+)?(?:" + _RELATIVES + r")\b",
                                re.I)
_AGED_SEX_RE = re.compile(r"\b\d{1,3}[- ]?(?:years?|yrs?|y)[- ]?(?:old|o)?[- ](man|woman|male|female|gentleman|lady)\b",
                          re.I)
# A reading at or over 140/90.
_HIGH_BP_RE = re.compile(r"\b(?:bp|blood pressure)\s*(?:of|is|was|=|:)?\s*(?:1[4-9]\d|2\d\d)\s*/\s*\d{2,3}\b|"
                         r"\b(?:bp|blood pressure)\s*(?:of|is|was|=|:)?\s*1[0-3]\d\s*/\s*(?:9\d|1[0-4]\d)\b", re.I)
_CONTRAINDICATED_RE = re.compile(r"\b((?:[\w-]+\s+){0,2}?[\w-]+)\s+(?:is\s+|are\s+)?contra-?indicated\b", re.I)


def relative_had(text: str, opening: bool = False) -> bool:
    """The text tells a relative's disease ("father had colon cancer at 45"); `opening`: and opens on the relative."""
    return bool(_RELATIVE_HAD_RE.search(text)) and (not opening or bool(_RELATIVE_START_RE.match(text)))


def with_family_history(text: str) -> str:
    return text + " (family history)" if relative_had(text) else text


def aged_sex(text: str) -> frozenset[str]:
    """The concepts of a sex stated beside an age ("45 year old man"): a population, not a topic."""
    return concepts(" ".join(m.group(1) for m in _AGED_SEX_RE.finditer(text)))


def contraindicated_words(text: str) -> list[str]:
    """What the text says is contraindicated for the patient, as written ("methotrexate contraindicated"): its last
    word, or the class its last words name ("beta blocker contraindicated")."""
    out = []
    for m in _CONTRAINDICATED_RE.finditer(text):
        words = m.group(1).split()
        out.append(next((" ".join(words[-k:]) for k in (3, 2) if len(words) >= k and _a_class(" ".join(words[-k:]))),
                        words[-1]))
    return out


def _a_class(text: str) -> bool:
    named = concepts(text)
    return named in drug_class_phrases() or len(named) == 1 and named <= drug_class_concepts()


def implied_aliases(text: str, topic: set[str]) -> dict[str, str]:
    """A high reading is the patient's hypertension: a sentence on hypertension or its drugs states the question's
    "BP" (alias -> name, as QuestionFocus.aliases)."""
    if not _HIGH_BP_RE.search(text):
        return {}
    return {c: bp for bp in concepts("BP") for c in _hypertension() - topic}


@vocabulary_cache(maxsize=1)
def _hypertension() -> frozenset[str]:
    return concepts("hypertension antihypertensive")


# "AF in a patient with a mechanical mitral valve": what the patient has beside the condition asked about.
_HAS_RE = re.compile(r"\b(?:patient|pt|person|man|woman|child|boy|girl|baby|infant|adult|someone)"
                     r"\s+with\s+(?:an?\s+|the\s+)?((?:[\w-]+\s+){0,3}[\w-]+)", re.I)


def patient_has(text: str) -> list[str]:
    """What the question's patient has, as written after "a patient with" ("a mechanical mitral valve")."""
    return [m.group(1) for m in _HAS_RE.finditer(text)]
