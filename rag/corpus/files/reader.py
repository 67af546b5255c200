"""Read your own guideline files (PDF, HTML, DOCX, Markdown, text) into Documents, or say why not."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from rag.corpus.files.meta import (
    Extracted,
    FileKind,
    FileMeta,
    FileNote,
    FileRejected,
    Rejection,
)
from rag.corpus.files.sidecar import is_sidecar, merge, read_sidecar, sidecar_for
from rag.corpus.files.sniff import SUPPORTED_SUFFIXES, file_kind
from rag.settings import Settings
from rag.types import Document

__all__ = ["SUPPORTED_SUFFIXES", "FileMeta", "FileRejected", "Rejection", "FileNote", "read_file", "read_files",
           "document_id"]

log = logging.getLogger(__name__)
_NAME_SEPARATORS_RE = re.compile(r"[_\s]+")


def document_id(data: bytes) -> str:
    """'file:' and the first 16 hex digits of the file's sha256: the same bytes are the same document."""
    return "file:" + hashlib.sha256(data).hexdigest()[:16]


def _title_from_name(path: Path) -> str:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return _NAME_SEPARATORS_RE.sub(" ", stem).strip() or path.name


def _extract(kind: FileKind, data: bytes) -> Extracted:
    # Each format's reader (and its library) is imported only when a file of that format comes.
    if kind == "pdf":
        from rag.corpus.files.pdf_file import read_pdf

        return read_pdf(data)
    if kind == "html":
        from rag.corpus.files.html_file import read_html

        return read_html(data)
    if kind == "docx":
        from rag.corpus.files.docx_file import read_docx

        return read_docx(data)
    from rag.corpus.files.text_file import read_text

    return read_text(data)


def _read_bytes(path: Path, settings: Settings) -> bytes:
    if not path.exists():
        raise FileRejected("file not found")
    if not path.is_file():
        raise FileRejected("not a file (a folder or a device)")
    limit = settings.corpus.max_file_mb
    size = path.stat().st_size
    if size > limit * 1024 * 1024:
        raise FileRejected(f"the file is {size / 1024 / 1024:.1f} MB, over the {limit:g} MB limit "
                           f"(GUIDEQA_CORPUS__MAX_FILE_MB)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileRejected(f"the file cannot be read: {exc.strerror or exc}") from None


def read_file(path: Path, settings: Settings, overrides: FileMeta | None = None,
              notes: list[str] | None = None) -> Document:
    """One file as a Document with id 'file:<16 hex of sha256>'. Metadata: `overrides`, then the sidecar
    (`<file name>.yaml|.yml|.json`), then the file's own (PDF info, HTML meta tags, DOCX core properties,
    Markdown front matter), then fallbacks (title: first heading or the file name; kind: guideline; source: '').
    Raises FileRejected with a reason for any file it cannot read; what it notes (scripts removed, pages without
    text) is appended to `notes` and logged."""
    path = Path(path)
    data = _read_bytes(path, settings)
    kind = file_kind(path.name, data)
    content = _extract(kind, data)
    side = sidecar_for(path)
    meta = merge(overrides, read_sidecar(side) if side else None, content.meta)
    identifiers = {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "format": kind}
    if content.pages is not None:
        identifiers["pages"] = str(content.pages)
    identifiers.update(meta.identifiers or {})
    try:
        doc = Document(
            id=document_id(data), kind=meta.kind or "guideline",
            title=meta.title or content.heading or _title_from_name(path), source=meta.source or "",
            year=meta.year, url=meta.url, identifiers=identifiers, license=meta.license or "",
            sections=content.sections,
        )
    except ValidationError as exc:
        if "has no text" in str(exc):
            raise FileRejected("no text found in the file") from None
        raise FileRejected(f"the document is not valid: {exc.errors()[0]['msg']}") from None
    for note in content.notes:
        log.info("%s: %s", path.name, note)
        if notes is not None:
            notes.append(note)
    return doc


def read_files(paths: Iterable[Path], settings: Settings, overrides: FileMeta | None = None,
               notes: list[FileNote] | None = None) -> tuple[list[Document], list[Rejection]]:
    """Every file that can be read, and a Rejection (path, reason) for each that cannot; one bad file never stops
    the others. Sidecar metadata files are skipped (they belong to the file beside them); a file whose bytes were
    already read under another name is rejected as a duplicate."""
    docs: list[Document] = []
    rejections: list[Rejection] = []
    seen: dict[str, str] = {}
    for path in map(Path, paths):
        if is_sidecar(path):
            continue
        found: list[str] = []
        try:
            doc = read_file(path, settings, overrides, found)
        except FileRejected as exc:
            rejections.append(Rejection(path=str(path), reason=exc.reason))
            continue
        except Exception as exc:  # noqa: BLE001 - a library failing on one odd file must not stop the rest
            log.exception("unexpected failure reading %s", path)
            rejections.append(Rejection(path=str(path), reason=f"the file could not be read ({type(exc).__name__}: {exc})"))
            continue
        if doc.id in seen:
            rejections.append(Rejection(path=str(path), reason=f"same content as {seen[doc.id]}, read already"))
            continue
        seen[doc.id] = str(path)
        docs.append(doc)
        if notes is not None:
            notes.extend(FileNote(path=str(path), note=n) for n in found)
    return docs, rejections
