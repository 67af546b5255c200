"""Ruled tables on a PDF page: a grid from the drawn rulings, its text read row by row, cells joined by ' | '."""

from __future__ import annotations

from dataclasses import dataclass

from rag.corpus.files.pdf_layout import Rule, Segment
from rag.corpus.files.tidy import bullet_line, join_lines

_TOL = 3.0  # points: rulings drawn in pieces or a little apart still meet
CELL_SEPARATOR = " | "


@dataclass(slots=True)
class Table:
    x0: float
    x1: float
    top: float
    bottom: float
    rows: list[str]
    size: float

    @property
    def text(self) -> str:
        return "\n".join(self.rows)


class _Sets:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _touch(a: Rule, b: Rule) -> bool:
    return (a.x0 - _TOL <= b.x1 and b.x0 - _TOL <= a.x1 and a.top - _TOL <= b.bottom and b.top - _TOL <= a.bottom)


def _positions(values: list[float]) -> list[float]:
    """Distinct coordinates, those within _TOL of each other merged."""
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _TOL:
            continue
        out.append(v)
    return out


def _grids(rules: list[Rule]) -> list[tuple[list[float], list[float]]]:
    """Column and row boundaries of each connected set of rulings with at least two columns and one row."""
    sets = _Sets(len(rules))
    for i, a in enumerate(rules):
        for j in range(i + 1, len(rules)):
            if _touch(a, rules[j]):
                sets.union(i, j)
    groups: dict[int, list[Rule]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(sets.find(i), []).append(rule)
    grids = []
    for group in groups.values():
        vertical = [r for r in group if r.bottom - r.top > r.x1 - r.x0]
        horizontal = [r for r in group if r not in vertical]
        if not vertical or not horizontal:
            continue
        left, right = min(r.x0 for r in group), max(r.x1 for r in group)
        top, bottom = min(r.top for r in group), max(r.bottom for r in group)
        xs = _positions([left, right] + [(r.x0 + r.x1) / 2 for r in vertical])
        ys = _positions([top, bottom] + [(r.top + r.bottom) / 2 for r in horizontal])
        if len(xs) >= 3 and len(ys) >= 2:
            grids.append((xs, ys))
    return grids


def _split_columns(seg: Segment, xs: list[float]) -> list[Segment]:
    """A segment that runs across a column ruling, cut there (its cells were set too close to part it)."""
    pieces = [seg]
    for x in xs[1:-1]:
        last = pieces[-1]
        if last.x0 + 1 < x < last.x1 - 1:
            parts = last.split_at(x)
            if parts:
                pieces[-1:] = list(parts)
    return pieces


def _index(value: float, bounds: list[float]) -> int:
    for i in range(len(bounds) - 1):
        if value < bounds[i + 1]:
            return i
    return len(bounds) - 2


def _cell_text(segments: list[Segment], vocabulary: set[str]) -> str:
    lines: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: (s.top, s.x0)):
        if lines and seg.top < lines[-1][0].bottom - 0.5 * seg.height:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    texts = [" ".join(s.text for s in sorted(line, key=lambda s: s.x0)) for line in lines]
    return join_lines([bullet_line(t) or t for t in texts], vocabulary)  # a cell's list keeps its '• ' marks


def find_tables(segments: list[Segment], rules: list[Rule], vocabulary: set[str]) -> tuple[list[Table], list[Segment]]:
    """The page's ruled tables and the segments outside them. A grid whose text fills fewer than two columns
    (a box around a paragraph) is not a table: its segments are returned as ordinary text."""
    tables: list[Table] = []
    rest = list(segments)
    for xs, ys in _grids(rules):
        inside = [s for s in rest if xs[0] - _TOL <= (s.x0 + s.x1) / 2 <= xs[-1] + _TOL
                  and ys[0] - _TOL <= (s.top + s.bottom) / 2 <= ys[-1] + _TOL]
        if not inside:
            continue
        cells: dict[tuple[int, int], list[Segment]] = {}
        for seg in inside:
            for piece in _split_columns(seg, xs):
                key = (_index((piece.top + piece.bottom) / 2, ys), _index((piece.x0 + piece.x1) / 2, xs))
                cells.setdefault(key, []).append(piece)
        if len({col for _, col in cells}) < 2:
            continue
        rows = []
        for r in range(len(ys) - 1):
            texts = [_cell_text(cells[(r, c)], vocabulary) for c in range(len(xs) - 1) if (r, c) in cells]
            texts = [t for t in texts if t]
            if texts:
                rows.append(CELL_SEPARATOR.join(texts))
        sizes = sorted(s.size for s in inside)
        tables.append(Table(xs[0], xs[-1], ys[0], ys[-1], rows, sizes[len(sizes) // 2]))
        chosen = {id(s) for s in inside}
        rest = [s for s in rest if id(s) not in chosen]
    return tables, rest
