"""A PDF page's characters as positioned text runs (segments) with font size and weight, read with PDFium."""

from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from rag.corpus.files.tidy import LINE_END_HYPHEN

_BOLD_NAME_RE = re.compile(r"bold|black|heavy|semibold|demi|bd\b|blk|-bd|extrab", re.I)
_NAME_BUF = 256
_FAMILY_RE = re.compile(r"[-,].*$")
_WORD_RE = re.compile(r"[^\s\x02]+\x02?|\x02")


@dataclass(slots=True)
class Segment:
    """A run of characters on one baseline with no wide gap; coordinates top-down in points."""

    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool = False
    font: str = ""  # font family of its first word ('AGaramondPro' for 'ABCDEF+AGaramondPro-Regular')
    chars: list[str] = field(default_factory=list)
    lefts: list[float] = field(default_factory=list)  # each character's left edge, to split at table columns
    sizes: list[float] = field(default_factory=list)  # each character's font size in points

    @property
    def size(self) -> float:
        """The font size most of its characters have (a bullet glyph or a superscript is not the line's size)."""
        counts: dict[float, int] = {}
        for size in self.sizes:
            counts[size] = counts.get(size, 0) + 1
        return max(counts, key=counts.__getitem__) if counts else 0.0

    @property
    def text(self) -> str:
        return "".join(self.chars).strip()

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def split_at(self, x: float) -> tuple[Segment, Segment] | None:
        """The parts left and right of `x` (a table's column rule), or None when nothing lies on one side."""
        cut = next((i for i, left in enumerate(self.lefts) if left >= x), len(self.lefts))
        if cut == 0 or cut == len(self.lefts):
            return None
        left = Segment(self.x0, self.lefts[cut - 1] + 0.01, self.top, self.bottom, self.bold, self.font,
                       self.chars[:cut], self.lefts[:cut], self.sizes[:cut])
        right = Segment(self.lefts[cut], self.x1, self.top, self.bottom, self.bold, self.font,
                        self.chars[cut:], self.lefts[cut:], self.sizes[cut:])
        left.x1 = max(left.x1, left.x0)
        return left, right


@dataclass(slots=True)
class Rule:
    """A thin drawn path (a table ruling), top-down coordinates."""

    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    segments: list[Segment]
    rules: list[Rule]


class _FontReader:
    """Font size and weight of a character: read once per word, as PDFium's per-character calls add up."""

    def __init__(self) -> None:
        self.matrix = raw.FS_MATRIX()
        self.name = ctypes.create_string_buffer(_NAME_BUF)
        self.flags = ctypes.c_int()

    def size(self, textpage, index: int) -> float:
        # InDesign writes size 1 scaled by the text matrix: the size is the nominal size times the vertical scale.
        nominal = raw.FPDFText_GetFontSize(textpage, index)
        if raw.FPDFText_GetMatrix(textpage, index, self.matrix):
            scale = math.hypot(self.matrix.c, self.matrix.d)
            return nominal * (scale or 1.0)
        return nominal

    def weight(self, textpage, index: int) -> tuple[bool, str]:
        """(bold, font family) of the character."""
        raw.FPDFText_GetFontInfo(textpage, index, self.name, _NAME_BUF, ctypes.byref(self.flags))
        name = self.name.value.decode("latin-1", "replace")
        bold = raw.FPDFText_GetFontWeight(textpage, index) >= 600 or bool(_BOLD_NAME_RE.search(name))
        return bold, _FAMILY_RE.sub("", name.split("+", 1)[-1])


def _page_text(textpage, count: int) -> str:
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP: fall back to one call per character
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i) or 32) for i in range(count))
    return text.replace("\ufffe", LINE_END_HYPHEN)


def page_segments(page: pdfium.PdfPage, gap_em: float = 1.0) -> list[Segment]:
    """The page's text as segments in PDFium's order: a new segment at each line break PDFium reports, each
    change of baseline, each step back and each gap wider than `gap_em` font sizes (column gutters, table cells).
    Positions are read per word (its first and last character): per character, the calls cost more than the rest."""
    _, height = page.get_size()
    textpage = page.get_textpage()
    tp = textpage.raw
    text = _page_text(textpage, raw.FPDFText_CountChars(tp))
    first, last = raw.FS_RECTF(), raw.FS_RECTF()
    fonts = _FontReader()
    segments: list[Segment] = []
    current: Segment | None = None
    bold, font, weight = False, "", -1
    line_start = 0
    for m in _WORD_RE.finditer(text):
        i, j = m.start(), m.end() - 1
        if "\n" in text[line_start:i]:
            current = None  # PDFium reported a line break
        line_start = m.end()
        if not (raw.FPDFText_GetLooseCharBox(tp, i, first) and raw.FPDFText_GetLooseCharBox(tp, j, last)):
            continue
        top, bottom, left, right = height - first.top, height - first.bottom, first.left, max(last.right, first.right)
        if bottom - top <= 0.1 or right < left:
            continue  # no extent: an invisible or degenerate glyph
        size = round(fonts.size(tp, i), 1)
        new_weight = raw.FPDFText_GetFontWeight(tp, i)
        if current is None or new_weight != weight:
            bold, font = fonts.weight(tp, i)  # the font's name only when a line starts or the weight changes
            weight = new_weight
        if current is not None:
            em = max(size, current.sizes[-1], 1.0)
            middle = (top + bottom) / 2
            if (not current.top - 0.3 * em <= middle <= current.bottom + 0.3 * em
                    or left < current.lefts[-1] - 0.5 * em or left - current.x1 > gap_em * em):
                current = None
        word = m.group()
        if current is None:
            current = Segment(left, right, top, bottom, bold, font)
            segments.append(current)
        else:
            current.chars.append(" ")
            current.lefts.append(current.x1)
            current.sizes.append(size)
        current.chars.extend(word)
        current.lefts.extend([left] * len(word))  # a segment is only ever cut between words
        current.sizes.extend([size] * len(word))
        current.x1 = max(current.x1, right)
        current.top, current.bottom = min(current.top, top), max(current.bottom, bottom)
        if not bold:
            current.bold = False  # a segment is bold only when all its words are
    textpage.close()
    return [s for s in segments if s.text]


def page_rules(page: pdfium.PdfPage) -> list[Rule]:
    """Thin drawn paths (table rulings): at most 6 pt thick and at least twice as long as thick."""
    _, height = page.get_size()
    rules = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=1):
        left, bottom, right, top = obj.get_bounds()
        width, tall = right - left, top - bottom
        thin, long = min(width, tall), max(width, tall)
        if thin <= 6 and long >= 8 and long >= 2 * thin:
            rules.append(Rule(left, right, height - top, height - bottom))
    return rules


def read_page(page: pdfium.PdfPage, number: int) -> Page:
    width, height = page.get_size()
    return Page(number, width, height, page_segments(page), page_rules(page))
