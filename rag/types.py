"""The data that flows through guideqa.

Document -> Chunk -> Hit -> Statement (with [n]) -> Answer (sections + references).
The Answer's field names are a public contract: the CLI's --json, the API and the
evals all use this model.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["guideline", "research", "patient"]
KINDS: tuple[Kind, ...] = ("guideline", "research", "patient")


class DocSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(description="Section heading as the source names it ('' when the source has none).")
    text: str


class Document(BaseModel):
    """One source document, whatever corpus it came from."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="Stable id: ngc-NNNN, pubmed:<PMID>, medquad:<folder>/<file>, or a user id.")
    kind: Kind
    title: str
    source: str = Field(description="Issuing body (guidelines) or journal / publisher.")
    year: int | None = None
    url: str | None = None
    identifiers: dict[str, str] = Field(default_factory=dict, description="e.g. {'pmid': '123'}.")
    license: str = ""
    sections: list[DocSection] = Field(default_factory=list)

    @model_validator(mode="after")
    def _non_empty(self) -> "Document":
        if not self.id.strip():
            raise ValueError("document id is empty")
        if not any(s.text.strip() for s in self.sections):
            raise ValueError(f"document {self.id} has no text")
        return self

    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self.model_dump_json().encode("utf-8"))
        return h.hexdigest()


class Chunk(BaseModel):
    """A passage of one section; offsets are into that section's text."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="Stable id: <doc id>#<section index>:<start>-<end>.")
    doc_id: str
    kind: Kind
    section_index: int
    section: str
    start: int
    end: int
    text: str
    n_tokens: int = Field(description="Embedder word pieces of the embedded text, special tokens included.")

    @staticmethod
    def make_id(doc_id: str, section_index: int, start: int, end: int) -> str:
        return f"{doc_id}#{section_index}:{start}-{end}"


class Hit(BaseModel):
    """A retrieved chunk with the score each retriever gave it (None: not in that retriever's list)."""

    model_config = ConfigDict(extra="forbid")
    chunk: Chunk
    score: float = Field(description="Fused score (reciprocal rank fusion, or the single retriever's score).")
    dense_score: float | None = None
    bm25_score: float | None = None
    dense_rank: int | None = None
    bm25_rank: int | None = None


class Statement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="Verbatim sentence from the cited source.")
    citations: list[int] = Field(description="Reference numbers [n] this statement cites.")


class AnswerSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    kind: Kind | Literal["related"]
    statements: list[Statement]


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int
    doc_id: str
    kind: Kind
    title: str
    source: str
    year: int | None = None
    url: str | None = None
    pmid: str | None = None
    grade: str | None = Field(default=None, description="Evidence grade as the cited guideline text states it.")
    chunk_ids: list[str] = Field(default_factory=list, description="The passages cited.")


class IndexInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    fingerprint: str


CITATION_RE = re.compile(r"\[(\d+)\]")


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    standalone_question: str
    sections: list[AnswerSection]
    references: list[Reference]
    abstained: bool
    abstention: str | None = Field(default=None, description="Plain statement of what the evidence does not address.")
    disclaimer: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    index: IndexInfo

    def cited_numbers(self) -> list[int]:
        """Reference numbers in order of first use."""
        seen: list[int] = []
        for section in self.sections:
            for statement in section.statements:
                for n in statement.citations:
                    if n not in seen:
                        seen.append(n)
        return seen

    @model_validator(mode="after")
    def _citations_resolve(self) -> "Answer":
        # No dangling [n], no uncited reference, numbering by first use.
        cited = self.cited_numbers()
        numbers = [r.n for r in self.references]
        if sorted(cited) != sorted(numbers):
            raise ValueError(f"citations {cited} do not match references {numbers}")
        if cited != list(range(1, len(cited) + 1)):
            raise ValueError(f"references are not numbered by first use: {cited}")
        return self

    def to_text(self) -> str:
        """Plain-text rendering (used by logs and tests; the CLI renders with rich)."""
        lines: list[str] = []
        if self.abstention:
            lines += [self.abstention, ""]
        for section in self.sections:
            lines.append(f"{section.title}")
            for st in section.statements:
                cites = "".join(f"[{n}]" for n in st.citations)
                lines.append(f"- {st.text} {cites}")
            lines.append("")
        if self.references:
            lines.append("References")
            for r in self.references:
                lines.append(f"[{r.n}] {format_reference(r)}")
            lines.append("")
        lines.append(self.disclaimer)
        return "\n".join(lines)


def format_reference(r: Reference) -> str:
    parts = [r.title.rstrip(".") + "."]
    meta = ", ".join(p for p in (r.source, str(r.year) if r.year else "") if p)
    if meta:
        parts.append(meta + ".")
    if r.grade:
        parts.append(f"Evidence grade: {r.grade}.")
    if r.pmid:
        parts.append(f"PMID {r.pmid}.")
    if r.url:
        parts.append(r.url)
    return " ".join(parts)


class Turn(BaseModel):
    """One earlier exchange, as follow-up rewriting sees it."""

    model_config = ConfigDict(extra="forbid")
    question: str
    standalone_question: str | None = None


class Filters(BaseModel):
    """Restrict retrieval before ranking. Empty lists and None mean 'no restriction'."""

    model_config = ConfigDict(extra="forbid")
    kind: list[Kind] | None = None
    year_from: int | None = Field(default=None, ge=1900, le=2100)
    year_to: int | None = Field(default=None, ge=1900, le=2100)
    source: list[str] | None = Field(default=None, description="Issuing bodies / journals (case-insensitive substring).")

    @model_validator(mode="after")
    def _range(self) -> "Filters":
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise ValueError("year_from is after year_to")
        return self

    def is_empty(self) -> bool:
        return not (self.kind or self.year_from or self.year_to or self.source)
