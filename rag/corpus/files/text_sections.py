"""Sections from a flat run of blocks (headings, paragraphs, list items, table rows), as HTML and DOCX give them."""

from __future__ import annotations

from dataclasses import dataclass

from rag.types import DocSection


@dataclass(slots=True)
class Block:
    kind: str  # 'heading', 'text', 'item' ('• ...') or 'row' ('cell | cell')
    text: str
    level: int = 0  # a heading's level, 1 = top


def _join(blocks: list[Block]) -> str:
    text = ""
    prev = None
    for block in blocks:
        if text:
            text += "\n" if prev is not None and prev.kind == block.kind and block.kind in ("item", "row") else "\n\n"
        text += block.text
        prev = block
    return text


def blocks_to_sections(blocks: list[Block], max_level: int = 3) -> list[DocSection]:
    """A section at each heading of level <= `max_level` (text before the first is an untitled section); deeper
    headings stay in the text as lines of their own. Headings with no text between them share one section,
    titled by the deeper one."""
    sections: list[DocSection] = []
    title = ""
    body: list[Block] = []
    for block in blocks:
        if block.kind == "heading" and block.level <= max_level:
            if any(b.text.strip() for b in body):
                sections.append(DocSection(title=title, text=_join(body)))
                body = []
            title = block.text
            continue
        body.append(Block("text", block.text) if block.kind == "heading" else block)
    if any(b.text.strip() for b in body):
        sections.append(DocSection(title=title, text=_join(body)))
    return sections
