"""The abbreviations an index's own documents define ("... idiopathic pulmonary fibrosis (IPF) ..."), found at build
time with the Schwartz-Hearst algorithm (the `abbreviations` package) and kept in the manifest.

A clinician writes "IPF", "MIBC" or "CrCl" whether or not the hand-written lexicon (rag/lexicon.py) knows it; the
guideline that answers may spell it out. With the index's own definitions, rag.vocabulary reads both forms as one
concept, so the question meets the sentence, the dense retriever gets the expansion, and an unlisted abbreviation is
not taken for a topic the index lacks.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from rag.text import STOPWORDS
from rag.types import Document

VERSION = 3  # in the index fingerprint: a change to what is mined rebuilds the index
# One document will do: a rare condition's abbreviation is often defined only in its own guideline, the one that
# answers (with 2, tune recall 0.614 and first statement 0.437; with 1, 0.617 and 0.445).
MIN_DOCUMENTS = 1
# Two letters stand for too many things to take one document's word for them ("AM": airway management, "SS":
# seeking safety).
MIN_DOCUMENTS_TWO_LETTERS = 2
MIN_SHARE = 0.6  # of the documents defining a short form, the share that must agree ("AC": criteria, circumference)
MAX_WORDS = 6

_HAS_CANDIDATE_RE = re.compile(r"\(\s*[A-Za-z]*[A-Z]")  # only lines with "(X..." can define one: most lines have none
_SHORT_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{1,9}")
_LONG_RE = re.compile(r"[a-z][a-z' ]*[a-z]")  # words only: "cluster of differentiation 4" is no reading of "CD4"


def mine_abbreviations(docs: Iterable[Document]) -> dict[str, str]:
    """Short form as written -> its expansion (lower case), for each short form that enough documents define
    (MIN_DOCUMENTS, or MIN_DOCUMENTS_TWO_LETTERS) and on whose expansion at least MIN_SHARE of them agree."""
    defined: dict[str, Counter[str]] = defaultdict(Counter)  # short form -> expansion -> documents
    for doc in docs:
        for short, long in _defined_in(doc).items():
            defined[short][long] += 1
    table = {}
    for short, expansions in defined.items():
        long, n = expansions.most_common(1)[0]
        least = MIN_DOCUMENTS_TWO_LETTERS if len(short) == 2 else MIN_DOCUMENTS
        if n >= least and n >= MIN_SHARE * sum(expansions.values()):
            table[short] = long
    return dict(sorted(table.items()))


def _defined_in(doc: Document) -> dict[str, str]:
    lines = [line for s in (doc.title, *(s.text for s in doc.sections)) for line in s.splitlines()
             if _HAS_CANDIDATE_RE.search(line)]
    if not lines:
        return {}
    pairs = _algorithm().extract_abbreviation_definition_pairs(doc_text="\n".join(lines), most_common_definition=True)
    out = {}
    for short, long in pairs.items():
        short = _singular(short.strip())
        long = " ".join(long.lower().replace("-", " ").replace("\u2019", "'").split())
        if (_SHORT_RE.fullmatch(short) and sum(ch.isupper() for ch in short) >= 2 and short.lower() not in STOPWORDS
                and _LONG_RE.fullmatch(long) and len(long.split()) <= MAX_WORDS and short.lower() not in long.split()):
            out[short] = long
    return out


@functools.cache
def _algorithm():
    """The package's module, imported without the root logging set-up it does at import (logging.basicConfig at
    INFO would make every library's info messages print), and with its per-candidate messages off."""
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)  # basicConfig does nothing when the root logger has a handler
    try:
        from abbreviations import schwartz_hearst
    finally:
        root.removeHandler(guard)
    logging.getLogger(schwartz_hearst.__name__).disabled = True
    return schwartz_hearst


def _singular(short: str) -> str:
    """"RCTs" -> "RCT": a plural short form is the singular's (rag.vocabulary reads "RCTs" as "RCT" too)."""
    return short[:-1] if short.endswith("s") and sum(ch.isupper() for ch in short[:-1]) >= 2 else short
