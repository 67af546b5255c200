"""A guideline's release status, from NGC's free-text `guideline_status`, in a few words a reader can scan.

NGC writes it as paragraphs: "This is the current release of the guideline.", then optionally that it updates
an earlier version (followed by that version's citation), that its developer reaffirmed it in a year, or
boilerplate about inclusion criteria and future updates. Only sentences about *this* guideline count: the
cited earlier version ("... withdrawal from dialysis", "... reaffirmation recommendation statement") and
boilerplate ("guidelines ... automatically expire ... unless reaffirmed, revised, or retired") must not.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from rag.types import Document

State = Literal["current", "withdrawn", "superseded", "archived", "unknown"]

_THIS = r"\b(?:this|the)\s+(?:guideline|document|recommendations?|release|version)\b"
_WITHDRAWN_RE = re.compile(_THIS + r"\s+(?:has been|was|is)\s+(?:withdrawn|retired|rescinded)\b", re.I)
_SUPERSEDED_RE = re.compile(
    _THIS + r"\s+(?:has been|was|is)\s+(?:superseded|replaced|updated)\s+by\b|\bno longer (?:current|valid|in effect)\b|"
    r"\bnot the current (?:release|version)\b", re.I)
_ARCHIVED_RE = re.compile(_THIS + r"\s+(?:has been|was|is)\s+archived\b", re.I)
_CURRENT_RE = re.compile(r"\bcurrent (?:release|version)\b", re.I)
_UPDATES_RE = re.compile(r"\b(?:updates?|replaces?|supersedes?)\s+(?:a\s+|two\s+|the\s+)?(?:previous|earlier|prior)", re.I)
_REAFFIRMED_RE = re.compile(r"\breaffirmed\s+(?:the currency of\s+)?(?:this|the)\s+(?:guideline|document)\b[^.]*?\b((?:19|20)\d\d)\b",
                            re.I)
# "This guideline updates a previous version: <citation>": the citation says nothing about this guideline.
_CITATION_RE = re.compile(r"(\b(?:version|versions|guideline|guidelines)\s*:).*", re.I | re.S)


class GuidelineStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: State
    updates_earlier: bool = False
    reaffirmed: int | None = None  # the year the developer last reaffirmed it

    def label(self) -> str | None:
        """'current release', 'current release, reaffirmed 2015', 'withdrawn'...; None when unrecognised."""
        if self.state == "unknown":
            return None
        if self.state != "current":
            return self.state
        if self.reaffirmed:
            return f"current release, reaffirmed {self.reaffirmed}"
        return "current release, updates an earlier version" if self.updates_earlier else "current release"


def parse_status(text: str) -> GuidelineStatus:
    paragraphs = [_CITATION_RE.sub(r"\1", " ".join(p.split())) for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    if any(_WITHDRAWN_RE.search(p) for p in paragraphs):
        return GuidelineStatus(state="withdrawn")
    if any(_SUPERSEDED_RE.search(p) for p in paragraphs):
        return GuidelineStatus(state="superseded")
    if any(_ARCHIVED_RE.search(p) for p in paragraphs):
        return GuidelineStatus(state="archived")
    years = [int(m.group(1)) for p in paragraphs for m in _REAFFIRMED_RE.finditer(p)]
    updates = any(_UPDATES_RE.search(p) for p in paragraphs)
    current = any(_CURRENT_RE.search(p) for p in paragraphs) or bool(years)
    return GuidelineStatus(state="current" if current else "unknown", updates_earlier=updates,
                           reaffirmed=max(years) if years else None)


def status_label(text: str) -> str | None:
    return parse_status(text).label()


def ngc_identifiers(rec: dict[str, Any]) -> dict[str, str]:
    """What the NGC loader keeps about a record's release (the index stores identifiers as they are)."""
    out: dict[str, str] = {}
    status = rec.get("guideline_status")
    if isinstance(status, str) and status.strip():
        # Paragraph breaks kept: parse_status reads one paragraph at a time.
        out["guideline_status"] = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", status) if p.strip())
    first = rec.get("year_first_released")
    if isinstance(first, int) or (isinstance(first, str) and first.strip().isdigit()):
        out["first_released"] = str(int(first))
    return out


def reference_fields(doc: Document) -> dict[str, Any]:
    """`status` and `first_released` of a guideline reference. An index built before the loader kept them, or a
    user document without them, gives None: the reference then shows no status."""
    if doc.kind != "guideline":
        return {"status": None, "first_released": None}
    ids = doc.identifiers
    # A user document may state its status in a few words already ("withdrawn"); NGC's text is parsed.
    status = ids.get("status") or (status_label(ids["guideline_status"]) if ids.get("guideline_status") else None)
    first = ids.get("first_released", "")
    return {"status": status, "first_released": int(first) if first.strip().isdigit() else None}
