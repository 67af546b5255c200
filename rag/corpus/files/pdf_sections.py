"""A PDF's paragraphs as sections: one per outline (bookmark) entry, else one per heading found by typography."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rag.corpus.files.pdf_clean import Paragraph
from rag.types import DocSection

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_MATCH_TOKENS = 6  # an outline title matches a paragraph that starts with its first words
_MAX_HEADING_CHARS = 120
_MAX_TITLE_CHARS = 200


@dataclass(slots=True)
class OutlineEntry:
    title: str
    page: int  # 1-based
    level: int = 0


def clean_title(title: str) -> str:
    """An outline title as a section title: an inline object (U+FFFC) between two parts becomes a dash."""
    parts = [" ".join(p.split()) for p in title.split("\ufffc")]
    return " — ".join(p for p in parts if p).strip(" .")


def usable_outline(entries: list[OutlineEntry]) -> list[OutlineEntry]:
    """Entries that name a section: Word's hidden bookmarks ('_GoBack', '_Toc…') and untitled entries are dropped,
    and so is an entry pointing back before the one it follows. Fewer than two entries is no outline."""
    out: list[OutlineEntry] = []
    for entry in entries:
        title = clean_title(entry.title)
        if not title or title.startswith("_") or entry.page < 1 or (out and entry.page < out[-1].page):
            continue
        out.append(OutlineEntry(title, entry.page, entry.level))
    return out if len(out) >= 2 else []


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.casefold())


def _heading_match(title: list[str], para: Paragraph) -> bool:
    tokens = _tokens(para.text)
    if title and not title[0].isdigit():
        while tokens and tokens[0].isdigit():
            tokens = tokens[1:]  # '2.1 ASN.1 syntax' printed for the bookmark 'ASN.1 syntax'
    k = min(_MATCH_TOKENS, len(title), len(tokens))
    return k > 0 and tokens[:k] == title[:k] and len(tokens) <= len(title) + len(title) // 4


def _start(entry: OutlineEntry, paras: list[Paragraph], after: int) -> tuple[int, int]:
    """(first paragraph of the entry's section, paragraphs its heading takes): the heading found on the entry's
    page, else the page's first paragraph."""
    title = _tokens(entry.title)
    first = None
    for i in range(after, len(paras)):
        if paras[i].page < entry.page:
            continue
        if paras[i].page > entry.page:
            break
        first = i if first is None else first
        if _heading_match(title, paras[i]):
            used = 1
            words = set(title)
            # A heading set in two parts ('Core component 1: …' over '1a. Health care facility level').
            while (i + used < len(paras) and paras[i + used].page == entry.page and paras[i + used].kind != "row"
                   and 0 < len(_tokens(paras[i + used].text)) <= 12 and set(_tokens(paras[i + used].text)) <= words):
                used += 1
            return i, used
    if first is not None:
        return first, 0
    later = next((i for i in range(after, len(paras)) if paras[i].page > entry.page), len(paras))
    return later, 0


def _section(title: str, paras: list[Paragraph]) -> DocSection | None:
    text = ""
    starts: list[tuple[int, int]] = []
    prev: Paragraph | None = None
    for para in paras:
        if text:
            listed = para.kind in ("item", "row") and prev is not None and prev.kind == para.kind
            text += "\n" if listed else "\n\n"
        for offset, page in para.pages:
            if not starts or starts[-1][1] != page:
                starts.append((len(text) + offset, page))
        text += para.text
        prev = para
    if not text.strip():
        return None
    return DocSection(title=title[:_MAX_TITLE_CHARS], text=text, page_starts=starts)


def outline_sections(paras: list[Paragraph], entries: list[OutlineEntry]) -> list[DocSection]:
    """One section per outline entry, from its heading to the next entry's; text before the first entry
    (a cover, a copyright page) is an untitled section."""
    bounds: list[tuple[str, int, int]] = []
    position = 0
    for entry in entries:
        start, used = _start(entry, paras, position)
        bounds.append((entry.title, start, used))
        position = start + used
    sections = []
    head = _section("", paras[: bounds[0][1]]) if bounds else None
    if head:
        sections.append(head)
    for n, (title, start, used) in enumerate(bounds):
        end = bounds[n + 1][1] if n + 1 < len(bounds) else len(paras)
        section = _section(title, paras[start + used:max(end, start + used)])
        if section is None:
            # A heading with no text of its own before the next entry: the title still says where it is.
            page = paras[start].page if start < len(paras) else None
            section = DocSection(title=title, text=title, page_starts=[(0, page)] if page else [])
        sections.append(section)
    return sections


def body_style(paras: list[Paragraph]) -> tuple[float, str]:
    """The font size and family most of the text is set in."""
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for para in paras:
        if para.kind != "row":
            sizes[round(para.size * 2) / 2] += len(para.text)
            fonts[para.font] += len(para.text)
    return (sizes.most_common(1)[0][0] if sizes else 0.0), (fonts.most_common(1)[0][0] if fonts else "")


def is_heading(para: Paragraph, body: float, body_font: str) -> bool:
    """Short, not ending like a sentence, and set larger than the body text, or bold, or in another typeface
    at body size."""
    text = para.text.strip()
    if para.kind == "row" or para.text.startswith("• ") or para.lines > 3 or len(text) > _MAX_HEADING_CHARS or len(text.split()) > 16:
        return False
    if text.endswith((".", ",", ";")) or not any(ch.isalpha() for ch in text):
        return False
    if para.size >= 1.15 * body:
        return True
    if para.size < 0.9 * body:
        return False
    return para.bold or (para.font != body_font and para.lines <= 2 and not text.endswith(":")
                         and text[:1].isupper() and len(text.split()) <= 12)


def typography_sections(paras: list[Paragraph]) -> list[DocSection]:
    """Sections split at headings found by typography; headings with no text between them form one title."""
    body, font = body_style(paras)
    sections: list[DocSection] = []
    titles: list[str] = []
    current: list[Paragraph] = []

    def close() -> None:
        section = _section(" — ".join(titles[-2:]), current)
        if section is not None:
            sections.append(section)

    for para in paras:
        if is_heading(para, body, font):
            if current:
                close()
                current, titles = [], []
            titles.append(para.text.strip())
            continue
        current.append(para)
    if current:
        close()
    return sections
