"""Ruled tables: a grid from the rulings, rows of cells; a ruled box around one column is not a table."""

from __future__ import annotations

from rag.corpus.files.pdf_layout import Rule, Segment
from rag.corpus.files.pdf_tables import find_tables


def _seg(x0, top, text):
    chars = list(text)
    return Segment(x0, x0 + 5 * len(text), top, top + 10, chars=chars,
                   lefts=[x0 + 5 * i for i in range(len(text))], sizes=[10.0] * len(text))


def _grid(xs, ys):
    return ([Rule(x - 0.3, x + 0.3, ys[0], ys[-1]) for x in xs] + [Rule(xs[0], xs[-1], y - 0.3, y + 0.3) for y in ys])


def test_rows_of_cells_and_text_outside_stays():
    rules = _grid([50, 200, 400], [100, 130, 175])
    segments = [_seg(55, 105, "Drug"), _seg(205, 105, "Dose"), _seg(55, 135, "Chlorhexidine"),
                _seg(55, 150, "solution"), _seg(205, 135, "2 percent"), _seg(55, 300, "After the table")]
    tables, rest = find_tables(segments, rules, set())
    assert [t.rows for t in tables] == [["Drug | Dose", "Chlorhexidine solution | 2 percent"]]
    assert [s.text for s in rest] == ["After the table"]


def test_a_run_across_a_column_rule_is_cut_there():
    seg = Segment(55, 300, 105, 115, chars=list("Name Value"), lefts=[55, 60, 65, 70, 75, 210, 215, 220, 225, 230],
                  sizes=[10.0] * 10)
    tables, _ = find_tables([seg], _grid([50, 200, 400], [100, 130]), set())
    assert tables[0].rows == ["Name | Value"]


def test_a_box_around_one_column_is_not_a_table():
    segments = [_seg(55, 105, "Key recommendation"), _seg(55, 120, "inside a box")]
    tables, rest = find_tables(segments, _grid([50, 400], [100, 140]), set())
    assert tables == [] and len(rest) == 2
