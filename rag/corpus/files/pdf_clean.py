"""PDF lines to clean paragraphs: running headers, footers and page numbers dropped, wrapped lines joined."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rag.corpus.files.pdf_order import Line
from rag.corpus.files.tidy import (
    LINE_END_HYPHEN,
    bullet_line,
    clean_chars,
    join_with_starts,
    starts_item,
)

MARGIN = 0.09  # share of the page height at the top and at the bottom where running headers and footers sit
_PAGE_NUMBER_RE = re.compile(r"^(page\s*)?([0-9]{1,4}|[ivxlc]{1,6})(\s*(of|/)\s*[0-9]{1,4})?$", re.I)
_DIGITS_RE = re.compile(r"\d+")
_SENTENCE_END_RE = re.compile(r"[.!?:;…][\"'”’)\]]*$")
_HEADING_LIKE_RE = re.compile(r"^[(\"“]?[A-Z0-9][^.!?;:]{0,80}$")
_ENDS_ITEM_RE = re.compile(r"[.!?:;][\"'”’)\]]*$")


@dataclass(slots=True)
class Paragraph:
    """A paragraph, list item or table row; `pages` holds (offset into text, page) where each page starts."""

    text: str
    pages: list[tuple[int, int]]
    size: float
    bold: bool
    kind: str  # 'text', 'item' or 'row'
    font: str = ""
    lines: int = 1

    @property
    def page(self) -> int:
        return self.pages[0][1]


def repeat_key(text: str) -> str:
    """A line's text with its numbers masked, so 'Page 3' and 'Page 4' repeat."""
    return " ".join(_DIGITS_RE.sub("#", text.casefold()).split())


def in_margin(line: Line, height: float) -> bool:
    return line.top < MARGIN * height or line.bottom > (1 - MARGIN) * height


def running_lines(pages: dict[int, list[Line]], heights: dict[int, float], min_pages: int = 3) -> set[str]:
    """Keys of the lines that sit in the top or bottom margin of at least `min_pages` pages (and of a fifth of
    the pages for short documents): running headers and footers, page numbers masked."""
    seen: dict[str, set[int]] = defaultdict(set)
    for number, lines in pages.items():
        for line in lines:
            if not line.row and in_margin(line, heights[number]):
                seen[repeat_key(line.text)].add(number)
    needed = max(2, min(min_pages, round(0.2 * len(pages))))
    return {key for key, where in seen.items() if len(where) >= needed and len(pages) >= 2}


@dataclass
class Cleaned:
    lines: list[Line]
    removed: int = 0  # running headers, footers and page numbers dropped


def drop_running(pages: dict[int, list[Line]], heights: dict[int, float], titles: Iterable[str] = ()) -> Cleaned:
    """The lines without running headers and footers and without page numbers in the margins. A margin line set
    smaller than the page's text that repeats a chapter title (an outline entry) is a running header too, even
    on the two pages of a short chapter."""
    keys = running_lines(pages, heights)
    chapters = {repeat_key(t) for t in titles}
    kept: list[Line] = []
    removed = 0
    for number in sorted(pages):
        sizes = sorted(line.size for line in pages[number]) or [0.0]
        body = sizes[len(sizes) // 2]
        for line in pages[number]:
            margin = not line.row and in_margin(line, heights[number])
            key = repeat_key(line.text)
            if margin and (key in keys or _PAGE_NUMBER_RE.match(line.text.strip())
                           or (key in chapters and line.size < body)):
                removed += 1
                continue
            kept.append(line)
    return Cleaned(kept, removed)


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END_RE.search(text.rstrip()))


def _continues(prev: Line, line: Line, right_edge: float) -> bool:
    """Does `line` go on with the paragraph `prev` ends?"""
    text = line.text.lstrip()
    if line.row or prev.row or bullet_line(text):
        return False
    # '(6) and ...' at the margin goes on with its sentence; a numbered item hangs left or follows a full stop.
    if starts_item(text) and (line.x0 < prev.x0 - 2 or _ENDS_ITEM_RE.search(prev.text.rstrip())):
        return False
    if abs(line.size - prev.size) > 0.08 * max(line.size, prev.size) or line.bold != prev.bold:
        return False
    if line.font != prev.font and _HEADING_LIKE_RE.match(prev.text) and not text[:1].islower():
        return False  # a heading set in its own typeface
    if line.block != prev.block or line.page != prev.page:
        # Onto the next column or page: only an unfinished sentence carries over, from a line that runs to the
        # column's edge or into a line in lower case.
        full = prev.x1 >= right_edge - 0.1 * max(right_edge - prev.x0, 1.0)
        return not _ends_sentence(prev.text) and line.font == prev.font and (
            full or text[:1].islower() or prev.text.endswith((LINE_END_HYPHEN, "-")))
    gap = line.top - prev.bottom
    if gap > 0.6 * max(prev.height, 1.0) or line.top < prev.top:
        return False
    # A short line ending a sentence closes its paragraph (the next starts at the same margin).
    short = prev.x1 < right_edge - 0.15 * max(right_edge - prev.x0, 1.0)
    return not (short and _ends_sentence(prev.text))


def paragraphs(lines: list[Line], vocabulary: set[str]) -> list[Paragraph]:
    """Lines joined into paragraphs, list items and table rows, each knowing the pages it starts on."""
    right: dict[int, float] = defaultdict(float)
    for line in lines:
        right[line.block] = max(right[line.block], line.x1)
    out: list[Paragraph] = []
    group: list[Line] = []

    def flush() -> None:
        if not group:
            return
        texts = [clean_chars(line.text) for line in group]
        item = bullet_line(texts[0])
        texts[0] = item or texts[0]
        text, starts = join_with_starts(texts, vocabulary)
        pages: list[tuple[int, int]] = []
        for start, line in zip(starts, group):
            if not pages or pages[-1][1] != line.page:
                pages.append((start, line.page))
        first = group[0]
        kind = "row" if first.row else "item" if item or starts_item(text) else "text"
        out.append(Paragraph(text, pages, first.size, first.bold, kind, first.font, len(group)))
        group.clear()

    for line in lines:
        if group and not _continues(group[-1], line, right[group[-1].block]):
            flush()
        group.append(line)
    flush()
    return [p for p in out if p.text.strip()]
