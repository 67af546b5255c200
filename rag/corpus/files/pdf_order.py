"""Reading order of a PDF page: recursive XY-cut over its segments and tables (bands, then columns), into lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rag.corpus.files.pdf_layout import Segment
from rag.corpus.files.pdf_tables import Table

Unit = Segment | Table
_MIN_SHARE = 0.12  # each side of a column cut holds at least this share of the region's characters


@dataclass(slots=True)
class Line:
    """One line of text in reading order; `block` numbers the layout region (column, box) it came from."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    block: int
    row: bool = False  # a table row ('cell | cell')
    font: str = ""

    @property
    def height(self) -> float:
        return self.bottom - self.top


def _chars(unit: Unit) -> int:
    return len(unit.text)


def _holes(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Gaps between the merged spans, in order."""
    spans = sorted(spans)
    holes = []
    end = spans[0][1]
    for a, b in spans[1:]:
        if a > end:
            holes.append((end, a))
        end = max(end, b)
    return holes


def _tall(units: list[Unit], line: float) -> bool:
    return max(u.bottom for u in units) - min(u.top for u in units) > 1.5 * line


def _column_cut(units: list[Unit], min_gap: float, line: float) -> float | None:
    """x of the widest vertical gap that parts the region into two columns, each holding real text on more
    than one line, or None (wide word spaces of one justified line are no gutter)."""
    total = sum(_chars(u) for u in units)
    best = None
    for a, b in _holes([(u.x0, u.x1) for u in units]):
        if b - a < min_gap:
            continue
        middle = (a + b) / 2
        left = [u for u in units if u.x1 <= middle]
        right = [u for u in units if u.x1 > middle]
        chars = sum(_chars(u) for u in left)
        if min(chars, total - chars) < _MIN_SHARE * total:
            continue  # a column of bullets or numbers beside their items, not a text column
        if not (_tall(left, line) and _tall(right, line)):
            continue
        if best is None or b - a > best[1] - best[0]:
            best = (a, b)
    return None if best is None else (best[0] + best[1]) / 2


def _row_cut(units: list[Unit]) -> tuple[float, float] | None:
    """(y, height) of the widest horizontal gap across the whole region, or None."""
    holes = _holes([(u.top, u.bottom) for u in units])
    if not holes:
        return None
    a, b = max(holes, key=lambda h: h[1] - h[0])
    return (a + b) / 2, b - a


def xy_cut(units: list[Unit], min_gap: float, line: float) -> Iterator[tuple[int, list[Unit]]]:
    """(block, leaf region) in reading order. A region is split at a horizontal gap wider than two lines (a
    banner or table above columns), else at a column gutter, else at its widest horizontal gap; recursively.
    Only column cuts start a new block, so a column's lines share one."""
    stack: list[tuple[int, list[Unit]]] = [(0, units)]
    blocks = 0
    while stack:
        block, region = stack.pop()
        if len(region) > 1:
            row = _row_cut(region)
            x = None if row is not None and row[1] > 2.2 * line else _column_cut(region, min_gap, line)
            if x is not None:
                blocks += 2
                stack.append((blocks, [u for u in region if (u.x0 + u.x1) / 2 >= x]))
                stack.append((blocks - 1, [u for u in region if (u.x0 + u.x1) / 2 < x]))
                continue
            if row is not None:
                stack.append((block, [u for u in region if (u.top + u.bottom) / 2 >= row[0]]))
                stack.append((block, [u for u in region if (u.top + u.bottom) / 2 < row[0]]))
                continue
        yield block, region


def _leaf_lines(region: list[Unit], page: int, block: int) -> Iterator[Line]:
    """A leaf's units as lines: segments on one baseline joined left to right, a table's rows one by one."""
    rows: list[list[Unit]] = []
    for unit in sorted(region, key=lambda u: (u.top, u.x0)):
        middle = (unit.top + unit.bottom) / 2
        if (rows and isinstance(unit, Segment) and isinstance(rows[-1][0], Segment)
                and rows[-1][0].top <= middle <= rows[-1][0].bottom):
            rows[-1].append(unit)
        else:
            rows.append([unit])
    for row in rows:
        first = row[0]
        if isinstance(first, Table):
            for text in first.rows:
                yield Line(page, text, first.x0, first.x1, first.top, first.bottom, first.size, False, block, True, "")
            continue
        segs = sorted(row, key=lambda s: s.x0)
        main = max(segs, key=_chars)  # the line's size and weight are its longest run's
        yield Line(page, " ".join(s.text for s in segs), segs[0].x0, max(s.x1 for s in segs),
                   min(s.top for s in segs), max(s.bottom for s in segs), main.size,
                   all(s.bold for s in segs), block, False, main.font)


def page_lines(segments: list[Segment], tables: list[Table], page: int, first_block: int) -> list[Line]:
    """The page's lines in reading order; blocks are numbered from `first_block`."""
    units: list[Unit] = [*segments, *tables]
    if not units:
        return []
    sizes = sorted(s.size for s in segments) or [10.0]
    heights = sorted(s.height for s in segments) or [10.0]
    min_gap = max(6.0, 0.9 * sizes[len(sizes) // 2])
    lines: list[Line] = []
    for block, region in xy_cut(units, min_gap, heights[len(heights) // 2]):
        lines.extend(_leaf_lines(region, page, first_block + block))
    return lines
