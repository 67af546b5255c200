"""What every loader shares: reading records, parsing its options, and reporting what it kept and skipped.

Loaders never crash on a bad record: they add it to a ``LoadReport`` (and log a warning) and go on.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rag.corpus.manifest import CorpusError

log = logging.getLogger(__name__)


class SkippedRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    where: str = Field(description="File and line / member / key of the record.")
    reason: str


class LoadReport(BaseModel):
    """What one loader run produced and what it left out."""

    model_config = ConfigDict(extra="forbid")
    source: str
    loaded: int = 0
    skipped: list[SkippedRecord] = Field(default_factory=list, description="Malformed or rejected records.")
    filtered: int = Field(default=0, description="Valid records left out by an option (e.g. min_year).")
    empty: int = Field(default=0, description="Records with no usable text (e.g. MedQuAD files without answers).")
    duplicates: int = Field(default=0, description="Documents dropped because all their text was seen before.")
    duplicate_sections: int = Field(default=0, description="Sections dropped as repeats of earlier text.")

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(SkippedRecord(where=where, reason=reason))
        log.warning("%s: skipped %s: %s", self.source, where, reason)


class LoaderOptions(BaseModel):
    """Options every loader takes; each loader's own options extend these."""

    model_config = ConfigDict(extra="forbid")
    license: str = Field(default="", description="The manifest source's license (filled in by iter_documents).")


Options = TypeVar("Options", bound=LoaderOptions)


def parse_options(model: type[Options], options: dict[str, Any] | None, loader: str) -> Options:
    try:
        return model(**(options or {}))
    except ValidationError as exc:
        raise CorpusError(f"invalid options for the {loader} loader: {error_text(exc)}") from None


def error_text(exc: ValidationError) -> str:
    """A validation error in one line, for a SkippedRecord's reason."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'document'}: {e['msg']}" for e in exc.errors())


def int_or_none(value: Any) -> int | None:
    """An int field that records write as a number, a digit string or anything else (-> None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a (gzipped) text file, split on '\\n' only.

    The NGC mojibake holds U+0085 (NEL), on which str.splitlines would break a record.
    """
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError:
                yield lineno, raw.decode("utf-8", errors="replace")
