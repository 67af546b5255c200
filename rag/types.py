"""The data that flows through guideqa.

Document -> Chunk -> Hit -> Statement (with [n]) -> Answer (sections + references).
The Answer's field names are a public contract: the CLI's --json, the API and the
evals all use this model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["guideline", "research", "patient"]
KINDS: tuple[Kind, ...] = ("guideline", "research", "patient")


class DocSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(description="Section heading as the source names it ('' when the source has none).")
    text: str
    page_starts: list[tuple[int, int]] = Field(
        default_factory=list, description="(offset into text, 1-based page number) where each page of a paged source "
                                          "(PDF) begins in this section; empty when the source has no pages.")

    def page_at(self, offset: int) -> int | None:
        """The page holding character `offset` of this section's text (None for a source without pages)."""
        page = None
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page if page is not None or not self.page_starts else self.page_starts[0][1]


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
        # Without pages the dump leaves the field out, so documents hash as they did before pages existed.
        paged = any(s.page_starts for s in self.sections)
        h.update(self.model_dump_json(exclude=None if paged else {"sections": {"__all__": {"page_starts"}}}).encode("utf-8"))
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
    page: int | None = Field(default=None, description="The page the passage starts on, for a paged source (PDF).")

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
    text: str = Field(description="The sentence: verbatim from the cited source (extractive writer), or written by the LLM "
                                  "and checked against the passages it cites (LLM writer).")
    citations: list[int] = Field(description="Reference numbers [n] this statement cites.")
    group: str | None = Field(default=None, description="Sub-heading within the section: 'Bottom line', "
                                                        "'Key considerations' or 'Clinical approach'.")
    role: Literal["bottom_line", "consideration", "approach", "finding", "patient", "related"] | None = Field(
        default=None, description="What the statement does in the answer: the guideline 'bottom_line' (the recommendation "
        "that best answers), a key 'consideration' (further recommendations, cautions, harms), a clinical 'approach' step, "
        "a research 'finding', 'patient' information, or 'related' evidence shown with an abstention.")
    grade: str | None = Field(default=None, description="Evidence grade as the quoted sentence states it.")
    verified: bool | None = Field(default=None, description="LLM writer: True when the judge found the cited passages "
                                                            "support it; False when kept but marked unverified "
                                                            "(llm.unsupported='mark'). None for verbatim quotes.")
    note: str | None = Field(default=None, description="Said about the statement by guideqa, not quoted: e.g. that an "
                                                       "older guideline [n] differs from this newer one.")


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
    year: int | None = Field(default=None, description="Publication year; for a guideline its latest revision.")
    first_released: int | None = Field(default=None, description="Guideline: the year it was first released.")
    status: str | None = Field(default=None, description="Guideline: release status in short ('current release', "
                               "'current release, reaffirmed 2015', 'withdrawn'...); None when the index does not have it.")
    url: str | None = None
    pmid: str | None = None
    grade: str | None = Field(default=None, description="Evidence grade as the cited guideline text states it.")
    chunk_ids: list[str] = Field(default_factory=list, description="The passages cited.")
    pages: list[int] = Field(default_factory=list, description="Pages of the cited passages, for a paged source.")


class Citations:
    """References numbered by first use, one per document: the one numbering both writers cite with."""

    def __init__(self, fields: Callable[[Document], dict[str, Any]] = lambda doc: {}):
        # A reference's fields read from its document's corpus metadata (guideline status): passed in, as rag.corpus
        # imports this module.
        self.fields = fields
        self.numbers: dict[str, int] = {}  # doc id -> n
        self.references: list[Reference] = []

    def cite(self, doc: Document, chunk_id: str, grade: str | None = None, page: int | None = None) -> int:
        """The [n] of `doc` (numbered now if it is new), recording the cited passage and its `page` (a paged
        source's); `grade` is what the cited text states, kept as a guideline reference's grade unless an earlier
        citation gave one."""
        if doc.id not in self.numbers:
            self.numbers[doc.id] = len(self.numbers) + 1
            self.references.append(Reference(n=self.numbers[doc.id], doc_id=doc.id, kind=doc.kind, title=doc.title,
                                             source=doc.source, year=doc.year, url=doc.url,
                                             pmid=doc.identifiers.get("pmid"), chunk_ids=[], **self.fields(doc)))
        ref = self.references[self.numbers[doc.id] - 1]
        if chunk_id not in ref.chunk_ids:
            ref.chunk_ids.append(chunk_id)
        if page is not None and page not in ref.pages:
            ref.pages = sorted([*ref.pages, page])
        if ref.grade is None and ref.kind == "guideline":
            ref.grade = grade
        return ref.n


class IndexInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    fingerprint: str


CITATION_RE = re.compile(r"\[(\d+)\]")
UNVERIFIED_MARK = "(not verified against the cited source)"


class WriterReport(BaseModel):
    """Who wrote the answer and what verification did to it (response metadata)."""

    model_config = ConfigDict(extra="forbid")
    name: Literal["extractive", "llm"] = "extractive"
    model: str | None = Field(default=None, description="The chat model, when the LLM writer is configured.")
    judge: str | None = Field(default=None, description="The judge that checked the LLM's sentences.")
    llm_called: bool = False
    fallback: str | None = Field(default=None, description="Why the extractive answer was used instead of the LLM's.")
    rewrite: Literal["rules", "llm", "none"] = Field(default="none", description="How the follow-up became standalone.")
    rewrite_fallback: str | None = Field(default=None, description="Why the LLM rewrite was not used.")
    sentences: int = Field(default=0, description="Sentences the LLM wrote.")
    kept: int = Field(default=0, description="Sentences in the answer after verification.")
    removed_unsupported: int = Field(default=0, description="Sentences removed: the cited passages do not support them.")
    removed_uncited: int = Field(default=0, description="Sentences removed: no valid citation.")
    marked_unsupported: int = Field(default=0, description="Unsupported sentences kept and marked (llm.unsupported='mark').")
    removed_citations: int = Field(default=0, description="Citations removed: numbers that were not in the prompt.")


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    standalone_question: str
    sections: list[AnswerSection]
    references: list[Reference]
    abstained: bool
    abstention: str | None = Field(default=None, description="Plain statement of what the evidence does not address.")
    unstated: str | None = Field(default=None, description="What was asked for (a dose, a duration, an interval, a class of drug) that "
                                 "none of the statements gives, said plainly; None when all is given.")
    disclaimer: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    index: IndexInfo
    writer: WriterReport = Field(default_factory=WriterReport)
    degraded: list[str] = Field(default_factory=list, description="Shards of a sharded index that did not answer (a "
                                "replica down or too slow): the answer comes from the others and may miss evidence.")

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

    def attribution(self, st: Statement) -> str:
        """'Grade · issuing body, year' of a statement's first source, for the bottom line."""
        ref = next((r for r in self.references if st.citations and r.n == st.citations[0]), None)
        if ref is None:
            return ""
        body = ", ".join(p for p in (ref.source, str(ref.year) if ref.year else "") if p)
        grade = " ".join((st.grade or "").strip("()[] ").split())  # "( Grade 1B )" -> "Grade 1B"
        return " · ".join(p for p in (grade, body) if p)

    def to_text(self, markup: bool = False) -> str:
        """The answer's one rendering: plain text (logs, tests), or with `markup` the CLI's (rich markup, indented
        bullets, each reference's kind and id)."""
        esc = str
        if markup:
            from rich.markup import escape as esc

        def styled(text: str, style: str) -> str:
            return f"[{style}]{esc(text)}[/]" if markup else text

        lines: list[str] = []
        if self.abstention:
            lines += [esc(self.abstention), ""]
        if self.unstated:
            lines += [styled(self.unstated, "yellow"), ""]
        for section in self.sections:
            lines.append(styled(section.title, "bold yellow" if section.kind == "related" else "bold cyan"))
            group = None
            for st in section.statements:
                if st.group and st.group != group:
                    group = st.group
                    lines.append("  " + styled(group, "bold"))
                cites = styled("".join(f"[{n}]" for n in st.citations), "bold")
                mark = " " + styled(UNVERIFIED_MARK, "red") if st.verified is False else ""
                source = self.attribution(st) if st.role == "bottom_line" else ""
                source = " " + styled(f"({source})", "dim") if source else ""
                bullet = "  • " if markup else "- "
                lines.append(f"{bullet}{esc(' '.join(st.text.split()))} {cites}{source}{mark}")  # a quoted list spans lines
                if st.note:
                    lines.append(("    " if markup else "  ") + styled(f"Note: {st.note}", "yellow"))
            lines.append("")
        if self.references:
            lines.append(styled("References", "bold"))
            for r in self.references:
                ids = "  " + styled(f"({r.kind}; {r.doc_id})", "dim") if markup else ""
                lines.append(("  " if markup else "") + f"{styled(f'[{r.n}]', 'bold')} {esc(format_reference(r))}{ids}")
            lines.append("")
        lines.append(styled(self.disclaimer, "italic dim"))
        return "\n".join(lines)


def recency(r: Reference) -> str:
    """'Revised 2016 (first released 2009) · current release' for a guideline that has its status; else ''."""
    if r.kind != "guideline" or not (r.status or r.first_released):
        return ""  # an index built before statuses were kept: the year stays where it was
    when = ""
    if r.year:
        first = r.first_released
        when = f"Released {r.year}" if first == r.year else f"Revised {r.year}" + (
            f" (first released {first})" if first and first < r.year else "")
    return " · ".join(p for p in (when, r.status) if p)


def format_reference(r: Reference) -> str:
    parts = [r.title.rstrip(".") + "."]
    dated = recency(r)
    meta = ", ".join(p for p in (r.source, "" if dated or not r.year else str(r.year)) if p)
    if meta:
        parts.append(meta + ".")
    if dated:
        parts.append(dated + ".")
    if r.pages:  # the cited pages of a paged source: "p. 12." or "pp. 3, 12."
        parts.append(("p. " if len(r.pages) == 1 else "pp. ") + ", ".join(map(str, r.pages)) + ".")
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
