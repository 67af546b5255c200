"""Read a Word (.docx) document into sections at its Heading 1-3 paragraphs, with its core properties."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from rag.corpus.files.meta import Extracted, FileMeta, FileRejected
from rag.corpus.files.text_sections import Block, blocks_to_sections
from rag.corpus.files.tidy import bullet_line, clean_chars

_HEADING_RE = re.compile(r"^heading\s*([1-9])$", re.I)
_JUNK_TITLE_RE = re.compile(r"^(microsoft word - |untitled|document\d*$)", re.I)
# Authors a template or tool writes, not a person or body: no source at all is better.
_JUNK_AUTHORS = {"python-docx", "microsoft office user", "windows user", "author", "user", "admin", "administrator"}


def _level(paragraph: Paragraph) -> int | None:
    """A heading's level from its style ('Heading 2', 'Title' = 1) or its outline level; None for body text."""
    name = paragraph.style.name if paragraph.style is not None else ""
    if name.lower() == "title":
        return 1
    m = _HEADING_RE.match(name or "")
    if m:
        return int(m.group(1))
    ppr = paragraph._p.pPr
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if outline is not None and (value := outline.get(qn("w:val"), "")).isdigit() and int(value) < 9:
        return int(value) + 1
    return None


def _is_list(paragraph: Paragraph) -> bool:
    ppr = paragraph._p.pPr
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    return (ppr is not None and ppr.numPr is not None) or style.lower().startswith("list")


def _paragraph_block(paragraph: Paragraph) -> Block | None:
    lines = [" ".join(clean_chars(line).split()) for line in paragraph.text.split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text:
        return None
    level = _level(paragraph)
    if level is not None:
        return Block("heading", text.replace("\n", " "), level)
    if _is_list(paragraph):
        return Block("item", bullet_line(text) or f"• {text}")
    return Block("text", text)


def _table_blocks(table: Table) -> list[Block]:
    blocks = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue  # a merged cell is listed once per grid column it spans
            seen.add(id(cell._tc))
            text = " ".join(clean_chars(cell.text).split())
            if text:
                cells.append(text)
        if cells:
            blocks.append(Block("row", " | ".join(cells)))
    return blocks


def _body_blocks(document, element) -> list[Block]:
    """Paragraphs and tables in document order; content controls (a table of contents, a form) opened."""
    blocks: list[Block] = []
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            block = _paragraph_block(Paragraph(child, document))
            if block:
                blocks.append(block)
        elif child.tag == qn("w:tbl"):
            blocks.extend(_table_blocks(Table(child, document)))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                blocks.extend(_body_blocks(document, content))
    return blocks


def read_docx(data: bytes) -> Extracted:
    """Sections split at Heading 1-3 (and Title); list paragraphs as '• ' lines, table rows as 'cell | cell'.
    Title, author and creation year from the document's core properties."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise FileRejected(f"damaged Word document: it cannot be read ({exc})") from None
    blocks = _body_blocks(document, document.element.body)
    props = document.core_properties
    title = (props.title or "").strip()
    created = props.created or props.modified
    author = (props.author or "").strip()
    meta = FileMeta(title=None if _JUNK_TITLE_RE.search(title) else title or None,
                    source=None if author.lower() in _JUNK_AUTHORS else author or None,
                    year=created.year if created is not None and 1800 <= created.year <= 2200 else None)
    heading = next((b.text for b in blocks if b.kind == "heading"), None)
    return Extracted(meta, blocks_to_sections(blocks, max_level=3), heading)
