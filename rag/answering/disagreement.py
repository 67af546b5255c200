"""Two quoted guidelines that disagree: the newer one goes first, and the answer says the older one differs.

"Disagree" is kept narrow so that a note is never wrong: two statements from different guidelines with known,
different revision years, about the same thing (they share at least half the content concepts of each, and at
least two; their patient groups do not exclude each other), where one recommends for and the other
against, or both recommend with intervals that do not overlap ("every 3 years" / "every 5 years").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from rag.populations import conflicting, populations
from rag.question import RECOMMENDATION_RE, topic_concepts
from rag.types import Document


class Candidate(Protocol):
    """What this module reads of rag.answering.candidates.Candidate (a quoted sentence and the passage it came from)."""

    text: str
    hit: Any

# Stricter than question.AGAINST_RE: "do not" / "avoid" also occur in recommendations *for* something
# ("offer exercise to avoid falls"), and "insufficient evidence" is no recommendation either way.
_AGAINST_RE = re.compile(
    r"\b(recommends? (?:against|not)|suggests? against|advises? against|should not|shouldn't|not recommended|"
    r"(?:does|do) not (?:recommend|suggest)|"
    r"not be (?:used|offered|given|performed|prescribed|routinely)|(?:is|are) not indicated|"
    r"do not (?:use|offer|give|prescribe|perform|routinely|recommend)|not routinely (?:recommended|used|offered|indicated)|"
    r"no role for)\b", re.I)
_NEITHER_RE = re.compile(r"\b(insufficient evidence|for or against|unable to recommend|no recommendation|"
                         r"(?:is|are) unclear|not known)\b", re.I)

_NUMBER = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "twelve": 12}
_N = r"(\d+|" + "|".join(_NUMBER) + r")"
_EVERY_RE = re.compile(r"\bevery\s+(?:" + _N + r"(?:\s*(?:to|-|–|or)\s*" + _N + r")?\s+)?(year|month|week)s?\b", re.I)
_NAMED_INTERVALS = {"annual": 12, "annually": 12, "yearly": 12, "biennial": 24, "biennially": 24, "triennial": 36,
                    "monthly": 1}
_NAMED_RE = re.compile(r"\b(" + "|".join(_NAMED_INTERVALS) + r")\b", re.I)
_MONTHS = {"year": 12, "month": 1, "week": 12 / 52}

_MIN_SHARED = 2
_SHARED_SHARE = 0.5


def polarity(text: str) -> Literal["for", "against"] | None:
    if _NEITHER_RE.search(text):
        return None
    if _AGAINST_RE.search(text):
        return "against"
    return "for" if RECOMMENDATION_RE.search(text) else None


def intervals(text: str) -> list[tuple[float, float]]:
    """Repeat intervals a sentence states, as (shortest, longest) months."""
    out = []
    for m in _EVERY_RE.finditer(text):
        lo = _NUMBER.get((m.group(1) or "1").lower()) or int(m.group(1) or 1)
        hi = _NUMBER.get((m.group(2) or "").lower()) or int(m.group(2) or lo)
        unit = _MONTHS[m.group(3).lower()]
        out.append((lo * unit, hi * unit))
    out += [(_NAMED_INTERVALS[m.group(1).lower()],) * 2 for m in _NAMED_RE.finditer(text)]
    return out


def same_topic(a: str, b: str) -> bool:
    ca, cb = topic_concepts(a), topic_concepts(b)
    shared = ca & cb
    # Half of each, not of the shorter: "X is not recommended" and "X is recommended" share their subject; a
    # longer sentence that merely mentions X's setting does not.
    if len(shared) < _MIN_SHARED or len(shared) < _SHARED_SHARE * max(len(ca), len(cb)):
        return False
    return not conflicting(populations(a), populations(b))  # "in children ... not" vs "in adults ..." is no dispute


def disagreement(a: str, b: str) -> str | None:
    """Why two statements disagree ('opposite recommendation', 'a different interval'), or None."""
    pa, pb = polarity(a), polarity(b)
    if pa is None or pb is None or not same_topic(a, b):
        return None
    if pa != pb:
        return "opposite recommendation"
    ia, ib = intervals(a), intervals(b)
    if pa == "for" and ia and ib and not any(x[0] <= y[1] and y[0] <= x[1] for x in ia for y in ib):
        return "a different interval"
    return None


@dataclass
class Conflict:
    newer: Candidate
    older: Candidate
    reason: str


def find_conflicts(group: list[Candidate], documents: dict[str, Document]) -> list[Conflict]:
    """Disagreeing pairs among a section's statements, from guidelines whose revision years differ."""
    out = []
    for i, a in enumerate(group):
        for b in group[i + 1:]:
            da, db = documents[a.hit.chunk.doc_id], documents[b.hit.chunk.doc_id]
            if da.id == db.id or da.year is None or db.year is None or da.year == db.year:
                continue
            reason = disagreement(a.text, b.text)
            if reason:
                newer, older = (a, b) if da.year > db.year else (b, a)
                out.append(Conflict(newer=newer, older=older, reason=reason))
    return out


def newer_first(group: list[Candidate], conflicts: list[Conflict]) -> list[Candidate]:
    """The ranker's order, except that a newer statement moves up to just before an older one it contradicts
    (so it becomes the bottom line when the older one was)."""
    order = list(group)
    for _ in range(len(order) ** 2):  # each move puts a newer year earlier: it settles
        moved = False
        for c in conflicts:
            i, j = order.index(c.older), order.index(c.newer)
            if i < j:
                order.insert(i, order.pop(j))
                moved = True
        if not moved:
            break
    return order


def keep_newer_ahead(group: list[Candidate], roles: list[tuple[str, str | None]], conflicts: list[Conflict],
                     role_order: list[str]) -> list[tuple[str, str | None]]:
    """Statements are shown sorted by role: an older statement takes the role of the newer one it contradicts when
    its own would sort ahead of it (a bottom line stays the newer one's alone)."""
    roles = list(roles)
    for c in conflicts:
        i, j = group.index(c.older), group.index(c.newer)
        if role_order.index(roles[i][0]) < role_order.index(roles[j][0]) and roles[j][0] != "bottom_line":
            roles[i] = roles[j]
    return roles


def notes(conflicts: list[Conflict], number: dict[str, int], documents: dict[str, Document]) -> dict[int, str]:
    """id(candidate) -> the note its statement carries, naming the other guideline by year and [n]."""
    said: dict[int, list[str]] = {}
    for c in conflicts:
        new_doc, old_doc = documents[c.newer.hit.chunk.doc_id], documents[c.older.hit.chunk.doc_id]
        said.setdefault(id(c.newer), []).append(
            f"An older guideline ({old_doc.year}) [{number[old_doc.id]}] differs ({c.reason}).")
        said.setdefault(id(c.older), []).append(
            f"A newer guideline ({new_doc.year}) [{number[new_doc.id]}] differs ({c.reason}).")
    return {k: " ".join(dict.fromkeys(v)) for k, v in said.items()}
