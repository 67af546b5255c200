"""Public request and response schemas of the HTTP API (v1), and their mapping to and from the internal types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator

from rag.types import Answer, Filters, Kind

# The contract is declared here, apart from rag.types, so it stays put when internals move (its descriptions,
# strict strings and required fields differ on purpose). Requests forbid unknown fields. Responses are read
# from the internal objects attribute by attribute, by these models' own field names: an internal field they
# do not name is never read, so adding one neither breaks a response nor leaks into it.


class Strict(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response body, read from an internal object by this model's field names only."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class FiltersIn(Strict):
    kind: list[Kind] | None = Field(default=None, description="Only these kinds of source.")
    year_from: int | None = Field(default=None, ge=1900, le=2100,
                                  description="Only sources from this year on; must not be after year_to (else 422).")
    year_to: int | None = Field(default=None, ge=1900, le=2100,
                                description="Only sources up to this year; must not be before year_from (else 422).")
    source: list[StrictStr] | None = Field(default=None, description="Issuing bodies or journals (case-insensitive substring).")

    @model_validator(mode="after")
    def _valid_filters(self) -> "FiltersIn":
        self.to_filters()  # Filters' own checks (year_from after year_to...) refuse the request with a 422
        return self

    def to_filters(self) -> Filters:
        return Filters(kind=self.kind, year_from=self.year_from, year_to=self.year_to, source=self.source)


class AnswerRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "What needle type reduces the risk of post-dural puncture headache?"},
                {"question": "what about for cesarean delivery?", "conversation_id": "3f2b5c0e8a9d4e7f9b1c2d3e4f5a6b7c"},
                {"question": "Which treatments help an acute gout flare?", "filters": {"kind": ["guideline"], "year_from": 2016}},
            ]
        },
    )
    # The spec states what the pipeline checks (not empty or blank; maxLength, a setting, is filled in by create_app);
    # the pipeline still checks it, so a bad question gets its own error code, invalid_question.
    question: StrictStr = Field(description="The clinical question (or a follow-up); not blank.",
                                json_schema_extra={"minLength": 1, "pattern": r"\S"})
    conversation_id: StrictStr | None = Field(
        default=None, pattern=r"^[0-9a-f]{32}$", description="Continue this conversation; omit to start a new one."
    )
    filters: FiltersIn | None = None
    audience: Literal["clinician", "patient"] = Field(
        default="clinician", description="'patient' puts patient information first when the index has it."
    )


class StatementOut(Out):
    text: str
    citations: list[int]
    group: str | None = Field(default=None, description="Sub-heading within the section: 'Bottom line', "
                                                        "'Key considerations' or 'Clinical approach'.")
    grade: str | None = Field(default=None, description="Evidence grade as the quoted sentence states it.")
    role: str | None = Field(default=None, description="What the statement does: 'bottom_line', 'consideration', 'approach', "
                                                       "'finding', 'patient' or 'related'.")
    verified: bool | None = Field(default=None, description="LLM writer: the judge's verdict on this sentence against "
                                                            "its cited passages (False = kept but marked). None = verbatim quote.")
    note: str | None = Field(default=None, description="Said by guideqa, not quoted: e.g. 'An older guideline (2012) [3] "
                                                       "differs (opposite recommendation).' on the newer guideline's statement.")


class SectionOut(Out):
    title: str
    kind: str
    statements: list[StatementOut]


class ReferenceOut(Out):
    n: int
    doc_id: str
    kind: str
    title: str
    source: str
    year: int | None = Field(description="Publication year; for a guideline its latest revision.")
    first_released: int | None = Field(default=None, description="Guideline: the year it was first released.")
    status: str | None = Field(default=None, description="Guideline: release status in short ('current release', "
                                                         "'current release, reaffirmed 2015', 'withdrawn'...); null "
                                                         "when the index was built without it.")
    url: str | None
    pmid: str | None
    grade: str | None
    chunk_ids: list[str]
    pages: list[int] = Field(default_factory=list, description="Pages of the cited passages (1-based, sorted), for a "
                                                               "paged source such as a PDF; empty otherwise.")
    section_titles: list[str] = Field(default_factory=list, description="Titles of the sections the cited passages are "
                                      "from, in citation order (empty when the index no longer holds the passages).")


class IndexOut(Out):
    name: str
    fingerprint: str


class WriterOut(Out):
    name: Literal["extractive", "llm"]
    model: str | None
    judge: str | None
    llm_called: bool
    fallback: str | None = Field(description="Why the extractive answer replaced the LLM's (failure, timeout, empty reply, "
                                             "too little verified); null when it did not.")
    rewrite: Literal["rules", "llm", "none"]
    rewrite_fallback: str | None
    sentences: int
    kept: int
    removed_unsupported: int
    removed_uncited: int
    marked_unsupported: int
    removed_citations: int


class AnswerOut(Out):
    conversation_id: str
    turn: int
    question: str
    standalone_question: str
    sections: list[SectionOut]
    references: list[ReferenceOut]
    abstained: bool
    abstention: str | None
    unstated: str | None = Field(default=None, description="What was asked for (a dose, a duration, an interval, a class of drug) "
                                 "that none of the statements gives.")
    disclaimer: str
    timings_ms: dict[str, float]
    index: IndexOut
    writer: WriterOut
    degraded: list[str] = Field(default_factory=list, description="Shards of a sharded index that did not answer (a "
                                "replica down or too slow): the answer comes from the others and may miss evidence.")

    @classmethod
    def from_answer(cls, answer: Answer, conversation_id: str, turn: int,
                    section_of: Callable[[str], str | None] = lambda chunk_id: None) -> "AnswerOut":
        """The response for `answer`: every other field is the Answer's attribute of that name. `section_of` gives a
        cited passage's section title (from the index), which the Answer does not carry."""
        ids = {"conversation_id": conversation_id, "turn": turn}
        out = cls.model_validate({name: getattr(answer, name) for name in cls.model_fields.keys() - ids} | ids)
        for ref in out.references:
            ref.section_titles = list(dict.fromkeys(s for s in map(section_of, ref.chunk_ids) if s))
        return out


class TurnOut(Out):
    turn: int
    question: str
    created_at: str
    answer: AnswerOut


class ConversationOut(Out):
    conversation_id: str
    turns: list[TurnOut]


class PassageOut(Out):
    chunk_id: str
    section: str = Field(description="Title of the section the passage is from ('' when the source has none).")
    page: int | None = Field(default=None, description="The page the passage starts on, for a paged source (PDF).")
    text: str


class _SourceCard(Out):
    """How a response names a source document (GET /v1/sources, GET /v1/documents)."""

    doc_id: str
    kind: str
    title: str
    source: str
    year: int | None
    url: str | None


class SourceOut(_SourceCard):
    identifiers: dict[str, str]
    license: str
    passages: list[PassageOut] = Field(description="The requested passages (the cited ones), or the first few.")


class ErrorOut(Out):
    error: str = Field(description="Machine-readable code, e.g. 'invalid_question'.")
    message: str = Field(description="What was wrong, for a person.")


class AddedFileOut(Out):
    filename: str = Field(description="The file's name as the client sent it (kept as metadata only).")
    doc_id: str
    title: str
    kind: str
    chunks: int = Field(description="Passages the document was cut into and indexed.")
    pages: int | None = Field(description="Pages of a paged source (PDF); null for text.")


class RejectedFileOut(Out):
    filename: str = Field(description="The file's name as the client sent it.")
    reason: str = Field(description="Why it was not added, for a person.")


class UploadOut(Out):
    index: str = Field(description="The index the documents were added to.")
    added: list[AddedFileOut]
    rejected: list[RejectedFileOut] = Field(description="Files that could not be added, each with its reason.")


class UploadErrorOut(ErrorOut):
    rejected: list[RejectedFileOut] = Field(default_factory=list, description="Each file and why it was not added.")


class DocumentOut(_SourceCard):
    chunks: int = Field(description="Indexed passages.")
    pages: int | None = Field(description="Pages of a paged source (PDF); null otherwise.")
    added: bool = Field(description="Added by a user (POST /v1/documents or `guideqa corpus add`), not by the corpus build.")
    added_at: str | None = Field(description="When it was added (UTC, ISO 8601); null for the corpus's documents.")


class DocumentListOut(Out):
    index: str
    documents: list[DocumentOut]


class ReadyOut(Out):
    status: Literal["ready"]
    index: IndexOut
    documents: int
    chunks: int
    model: str
