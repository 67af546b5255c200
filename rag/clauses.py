"""A question's clauses, and which of them ask: "58F, ... not on HRT. 2ww referral or TVUS first?" asks in its last."""

from __future__ import annotations

import re

# Not after an initial ("H. pylori", "C. diff", "S. aureus") or "e.g.", "i.e.", "vs.".
_CLAUSE_SPLIT_RE = re.compile(r"\s[-–—]+\s|(?<=[.;:?])(?<!\b[A-Z]\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)\s+")
_ASKING_RE = re.compile(r"\?|^\s*(what|which|who|when|how|is|are|should|can|does|do|any)\b", re.I)


def clauses(question: str) -> tuple[list[str], list[str]]:
    """(the question's clauses, those that ask: with a question mark or a question word)."""
    parts = [p for p in _CLAUSE_SPLIT_RE.split(question) if p.strip()]
    return parts, [p for p in parts if _ASKING_RE.search(p)]


def asking_clause(question: str) -> str:
    """The last clause that asks; the whole question when it has one clause."""
    parts, asking = clauses(question)
    return asking[-1] if len(parts) > 1 and asking else question


def asking_clauses(question: str) -> str:
    """Every clause of the question that asks; the whole question when none does."""
    return " ".join(clauses(question)[1]) or question
