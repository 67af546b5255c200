"""What a file's reader agrees with its callers: metadata (FileMeta), a refusal (FileRejected) and report rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rag.types import DocSection, Kind


class FileMeta(BaseModel):
    """A document's metadata as a caller, a sidecar file or the file itself gives it; None = not given."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    source: str | None = Field(default=None, description="Issuing body (a guideline) or journal / publisher.")
    year: int | None = Field(default=None, ge=1800, le=2200)
    url: str | None = None
    kind: Kind | None = None
    license: str | None = None
    identifiers: dict[str, str] | None = Field(
        default=None, description="e.g. {'status': 'current release', 'first_released': '2009'}.")

    @field_validator("title", "source", "url", "license", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # An empty string says nothing: it must not override a lower-precedence value.
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("identifiers", mode="before")
    @classmethod
    def _identifier_strings(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items() if v is not None}
        return value


class FileRejected(Exception):
    """A file guideqa will not index; `reason` is a sentence to show the person who added it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Rejection(BaseModel):
    """One row of a report: a file that was not read, and why."""

    model_config = ConfigDict(extra="forbid")
    path: str
    reason: str


class FileNote(BaseModel):
    """Something worth telling about a file that was read (e.g. scripts removed from an HTML page)."""

    model_config = ConfigDict(extra="forbid")
    path: str
    note: str


FileKind = Literal["pdf", "html", "docx", "markdown", "text"]


@dataclass
class Extracted:
    """What a format's reader found: the file's own metadata, its sections, a title candidate, notes."""

    meta: FileMeta
    sections: list[DocSection]
    heading: str | None = None  # the first heading (or a PDF's cover title): the title when nothing names one
    notes: list[str] = field(default_factory=list)
    pages: int | None = None
