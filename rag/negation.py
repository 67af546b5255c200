"""What a text says the patient does not have: "without CKD", "no resp symptoms", "not on insulin", "non-PCI".

An excluded condition is not what a question is about, and a recommendation for the patients who have it does not
answer it: "hypertension in a Black adult without CKD" is not answered by the recommendation for CKD.
"""

from __future__ import annotations

import functools
import re

from rag.text import STOPWORDS

# "not" excludes only what follows a verb of taking ("not on prandial insulin") or a state ("not pregnant"); "is
# not improving" excludes nothing. "non-" excludes one word ("non-PCI hospital": the hospital is not excluded).
_CUE_RE = re.compile(r"\b(?:(?P<one>non)|(?<!with or )without|no|never had|free of|negative for|denies|(?:in the )?absence of|other than|"
                     r"not (?:on|taking|receiving|using|allergic to|(?:treated|managed) with)|not(?= (?:pregnant|breast-?feeding|lactating)\b)|"
                     # "people who do not have active TB and are not being offered treatment for ...": whom it is not for.
                     r"(?:do|does|did) not have|(?:are|is) not (?:being )?(?:offered|given|treated with)|"
                     # "can't take metformin", "intolerant of statins": a drug the patient cannot have.
                     r"(?:can't|cannot|can not|unable to) (?:take|tolerate|have|receive|use|be given)|intolerant (?:of|to)|"
                     r"contraindications? to)(?:\s+|-)",
                     re.I)
# "no known", "without a history of", "no prior": said before what is excluded.
_QUALIFIER_RE = re.compile(r"(?:(?:a|any|known|prior|previous|significant|active|current|obvious|clinical|personal|"
                           r"past|family|serious|severe|major|clinically significant)\s+|(?:history|hx|signs?|symptoms?|"
                           r"evidence)\s+of\s+|[≥≤<>]?\s*grade\s*[≥≤<>]?\s*\d\w*\s+)*", re.I)
# One excluded item ends at punctuation, a dash between words, or a word that starts a new phrase.
_WORD_RE = re.compile(r"\s*([A-Za-z0-9][\w'*+/-]*)")
_SEPARATORS = {"or", "nor", "/"}
# "no longer", "no more than", "no response to metformin", "no need": a quantity or an outcome, not a condition.
_NOT_A_CONDITION = {"longer", "more", "less", "later", "earlier", "sooner", "need", "difference", "change", "matter",
                    "response", "improvement", "benefit", "better", "worse", "one", "other", "than", "doubt", "way",
                    "reason", "further", "evidence", "data", "recommendation", "consensus", "role", "yes"}
_MAX_WORDS = 3


@functools.lru_cache(maxsize=32768)
def negated_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each excluded item: "no polyps or FHx" gives the spans of "polyps" and "FHx"."""
    return tuple(span for _, spans in negations(text) for span in spans)


@functools.lru_cache(maxsize=32768)
def negations(text: str) -> tuple[tuple[int, tuple[tuple[int, int], ...]], ...]:
    """(where the cue starts, the spans of the items it excludes) for each negation that excludes something."""
    out: list[tuple[int, tuple[tuple[int, int], ...]]] = []
    for cue in _CUE_RE.finditer(text):
        spans: list[tuple[int, int]] = []
        # "non-severe CDI" excludes severity, not CDI: "non-" takes the very next word.
        pos = cue.end() if cue.group("one") else _QUALIFIER_RE.match(text, cue.end()).end()
        limit = 1 if cue.group("one") else _MAX_WORDS
        item: list[re.Match] = []  # the words of the item being read
        while True:
            m = _WORD_RE.match(text, pos)
            word = m.group(1).lower() if m else ""
            if not m or (word in STOPWORDS and word not in _SEPARATORS) or (not item and word in _NOT_A_CONDITION):
                break
            if word in _SEPARATORS:
                if not item:
                    break
                spans.append((item[0].start(1), item[-1].end()))
                item = []
            elif len(item) == limit:
                break
            else:
                item.append(m)
            pos = m.end()
        if item:
            spans.append((item[0].start(1), item[-1].end()))
        if spans:
            out.append((cue.start(), tuple(spans)))
    return tuple(out)


def query_text(text: str) -> str:
    """The text without what a word says the patient does not have ("without CKD", "no DM"), for a word-matching
    search; a "non-" word stays whole, being often a name ("non-small-cell lung cancer", "non-muscle invasive")."""
    return _blanked(text, [span for cue, spans in negations(text) if text[cue:cue + 3].lower() != "non" for span in spans])


def negated_text(text: str) -> str:
    """The excluded items, one per line."""
    return "\n".join(text[s:e] for s, e in negated_spans(text))


def affirmed_text(text: str) -> str:
    """The text with its excluded items blanked (the cue words stay; they are not topic words)."""
    return _blanked(text, negated_spans(text))


def _blanked(text: str, spans) -> str:
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + " " * (e - s) + text[e:]
    return text
