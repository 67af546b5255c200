"""Loader for the user's own document folders: Markdown/text with optional YAML front matter, and JSONL."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import frontmatter
import yaml
from pydantic import ValidationError

from rag.corpus.manifest import CorpusError
from rag.corpus.records import LoadReport, error_text, iter_lines
from rag.corpus.repair import normalise_whitespace
from rag.types import DocSection, Document

_MD_HEADING_RE = re.compile(r"^(#{1,2})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def markdown_sections(body: str) -> tuple[str | None, list[DocSection]]:
    """Split on '#'/'##' headings; text before the first heading is a section titled ''.

    Returns the first level-1 heading (a default title) and the non-empty sections.
    """
    parts = _MD_HEADING_RE.split(body)
    first_h1 = next((parts[i + 1] for i in range(1, len(parts), 3) if parts[i] == "#"), None)
    sections = [DocSection(title="", text=normalise_whitespace(parts[0]))]
    for i in range(1, len(parts), 3):
        sections.append(DocSection(title=parts[i + 1].strip(), text=normalise_whitespace(parts[i + 2])))
    return first_h1, [s for s in sections if s.text]


def _user_markdown(path: Path, rel: str, report: LoadReport) -> Document | None:
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError, TypeError, ValueError) as exc:
        report.skip(rel, f"unreadable front matter or text: {exc}")
        return None
    meta = post.metadata
    first_h1, sections = markdown_sections(post.content)
    identifiers = meta.get("identifiers") or {}
    if isinstance(identifiers, dict):
        identifiers = {str(k): str(v) for k, v in identifiers.items()}
    try:
        return Document(
            id=str(meta.get("id") or f"user:{PurePosixPath(rel).with_suffix('')}"),
            kind=meta.get("kind") or "guideline",
            title=str(meta.get("title") or first_h1 or path.stem),
            source=str(meta.get("source") or ""),
            year=meta.get("year"),
            url=meta.get("url"),
            license=str(meta.get("license") or ""),
            identifiers=identifiers,
            sections=sections,
        )
    except ValidationError as exc:
        report.skip(rel, error_text(exc))
        return None


def _user_jsonl(path: Path, rel: str, report: LoadReport) -> Iterator[Document]:
    for lineno, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            yield Document.model_validate_json(line)
        except ValidationError as exc:
            report.skip(f"{rel}:{lineno}", error_text(exc))


def load_user_dir(path: Path, report: LoadReport) -> Iterator[Document]:
    """The user's own documents: *.jsonl of Document JSON, *.md / *.txt with optional YAML front matter."""
    if not path.is_dir():
        raise CorpusError(f"user document folder not found: {path}")
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path).as_posix()
        if file.suffix == ".jsonl":
            docs: Iterable[Document] = _user_jsonl(file, rel, report)
        elif file.suffix in (".md", ".txt"):
            doc = _user_markdown(file, rel, report)
            docs = [doc] if doc is not None else []
        else:
            continue
        for doc in docs:
            report.loaded += 1
            yield doc
